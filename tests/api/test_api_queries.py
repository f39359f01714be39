"""Read-side queries: filters in SQL, pages, counts and credential status without tokens."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from api_helpers import SITE_FILE
from sqlalchemy import insert

from openipn.app import Services
from openipn.sitefile import parse_site_text
from openipn.store import queries
from openipn.store.schema import InventoryRow


@pytest.fixture
def stored(services: Services) -> Services:
    """Services whose store holds the fixture site."""
    document = parse_site_text(SITE_FILE.read_text(encoding="utf-8"))
    services.inventory.apply(document, author="tester", reason="fixture")
    return services


def page_names(services: Services, kind: str, **filters: str) -> list[str]:
    page = queries.list_objects(services.engine, kind, filters=filters, page=1, page_size=100)
    return [str(item.get("name", item.get("supi"))) for item in page.items]


def test_filters(stored: Services) -> None:
    assert page_names(stored, "cell", gnb="GNB1", administrative_state="LOCKED") == ["C04", "C06"]
    assert page_names(stored, "cells", pci="11") == ["C02", "C08"]
    assert page_names(stored, "cell", antenna_gain_dbi="5") == page_names(stored, "cell")
    assert page_names(stored, "application", **{"class": "machine_vision_qc"}) == ["QC"]
    assert page_names(stored, "application", app_class="agv_control") == ["AGV"]
    assert page_names(stored, "ptp_grandmaster", gnss_locked="yes") == ["GM1"]
    assert page_names(stored, "gnb", gnb_id_length="24") == ["GNB2"]


def test_bad_filters(stored: Services) -> None:
    with pytest.raises(ValueError, match=r"'neighbours'.*filterable fields: .*pci") as info:
        page_names(stored, "cell", neighbours="C01")
    assert isinstance(info.value, queries.FilterError) and info.value.field == "neighbours"
    with pytest.raises(ValueError, match="'position'"):
        page_names(stored, "cell", position="1")
    with pytest.raises(ValueError, match="expects an integer"):
        page_names(stored, "cell", pci="x")
    with pytest.raises(ValueError, match="'k'"):
        page_names(stored, "subscription", k="00")
    with pytest.raises(KeyError):
        page_names(stored, "widget")


def test_pages_and_counts(stored: Services) -> None:
    page = queries.list_objects(stored.engine, "cell", filters={}, page=2, page_size=4)
    assert (page.total, page.page, page.page_size) == (9, 2, 4)
    assert [item["name"] for item in page.items] == ["C04", "C05", "C06", "C07"]
    found = queries.list_objects(
        stored.engine, "cell", filters={}, page=1, page_size=10, name_contains="bay/c"
    )
    assert [item["name"] for item in found.items] == ["BAY/C09"]
    counts = queries.count_by_kind(stored.engine)
    assert counts["cell"] == 9 and counts["subscription"] == 2 and "terminal" not in counts
    assert queries.get_object(stored.engine, "cell", "C01") is not None
    assert queries.get_object(stored.engine, "cell", "NOPE") is None
    assert set(queries.get_objects(stored.engine, "gnb", ["GNB1", "GNB9"])) == {"GNB1"}


def test_credentials_are_reported_without_tokens(stored: Services) -> None:
    page = queries.list_objects(stored.engine, "subscription", filters={}, page=1, page_size=10)
    assert set(page.credentials) == {"imsi-999990000000001", "imsi-999990000000002"}
    key_id = stored.box.key_id
    for info in page.credentials.values():
        assert info == queries.CredentialInfo(stored=True, key_id=key_id)
    for item in page.items:
        assert "sm4gcm1" not in repr(item)
    info = queries.get_credential_info(stored.engine, "imsi-999990000000001")
    assert info == queries.CredentialInfo(True, key_id)
    assert queries.get_credential_info(stored.engine, "imsi-1234567") is None
    cells = queries.list_objects(stored.engine, "cell", filters={}, page=1, page_size=10)
    assert cells.credentials == {}


def _subscription_rows(count: int) -> list[dict[str, Any]]:
    token = "sm4gcm1:0123abcd:" + "A" * 43
    return [
        {
            "kind": "subscription",
            "name": f"imsi-99999{index:010d}",
            "data": {"supi": f"imsi-99999{index:010d}", "profile": f"P{index % 10}"},
            "secrets": {"k": token, "opc": token},
            "version": 1,
        }
        for index in range(count)
    ]


@pytest.mark.slow
def test_deep_page_is_fast_at_100k_subscriptions(sqlite_url: str, tmp_path: Path) -> None:
    from openipn.app import build_services, initialise
    from openipn.settings import Settings

    settings = Settings(data_dir=tmp_path / "perf", database_url=sqlite_url)
    initialise(settings)
    services = build_services(settings)
    with services.engine.begin() as connection:
        connection.execute(insert(InventoryRow), _subscription_rows(100_000))
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        page = queries.list_objects(
            services.engine, "subscription", filters={}, page=900, page_size=100
        )
        timings.append(time.perf_counter() - start)
    services.close()
    assert page.total == 100_000 and len(page.items) == 100
    assert page.items[0]["supi"] == "imsi-999990000089900"
    assert page.credentials[page.items[0]["supi"]].key_id == "0123abcd"
    assert min(timings) < 0.1, timings
