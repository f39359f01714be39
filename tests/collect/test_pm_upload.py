"""POST /api/v1/pm-files: 201 stored, 200 duplicate, 422 problem (quarantined)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openipn.api import create_app
from openipn.api.deps import TELEMETRY_STATE
from openipn.api.pm import NAME_HEADER, pm_router
from openipn.app import build_services, initialise
from openipn.settings import Settings
from openipn.store.telemetry.parquet_store import open_telemetry_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
GNB = FIXTURES / "A20250301.1000+0000-1015+0000_gnb-7.xml"
URL = "/api/v1/pm-files"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path)
    initialise(settings)
    services = build_services(settings)
    store = open_telemetry_store(settings.telemetry_dir, durable=False)
    app = create_app(services)
    setattr(app.state, TELEMETRY_STATE, store)
    app.include_router(pm_router())
    with TestClient(app) as test_client:
        yield test_client
    store.close()
    services.close()


def test_raw_xml_is_stored_then_duplicate(client: TestClient) -> None:
    headers = {"Content-Type": "application/xml", NAME_HEADER: GNB.name}
    first = client.post(URL, content=GNB.read_bytes(), headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["rows"] == 8 and first.json()["outcome"] == "stored"
    again = client.post(URL, content=gzip.compress(GNB.read_bytes()), params={"name": "x.gz"})
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"


def test_multipart_upload_takes_the_filename(client: TestClient) -> None:
    files = {"file": ("cells.xml", GNB.read_bytes(), "application/xml")}
    response = client.post(URL, files=files)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "cells.xml"


def test_bad_file_is_a_422_problem_and_quarantined(client: TestClient, tmp_path: Path) -> None:
    body = GNB.read_text().replace('<r p="1">17</r>', '<r p="1">many</r>').encode()
    response = client.post(URL, content=body, params={"name": "../../etc/evil.xml"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "'many' is not a number" in problem["detail"]
    assert (tmp_path / "pm" / "quarantine" / "evil.xml").read_bytes() == body
    assert (tmp_path / "pm" / "quarantine" / "evil.xml.reason.json").exists()


def test_wrong_media_type_and_empty_body(client: TestClient) -> None:
    assert client.post(URL, json={"a": 1}).status_code == 415
    assert (
        client.post(URL, content=b"", headers={"Content-Type": "application/xml"}).status_code
        == 400
    )


def test_resent_values_with_other_bytes_answer_duplicate_and_conflicts(client: TestClient) -> None:
    headers = {"Content-Type": "application/xml"}
    assert client.post(URL, content=GNB.read_bytes(), headers=headers).status_code == 201
    same = GNB.read_text().replace('vendorName="', 'vendorName="re-sent ', 1).encode()
    answer = client.post(URL, content=same, headers=headers)
    assert answer.status_code == 200, answer.text
    expected = {"outcome": "duplicate", "rows": 0, "skipped": 8, "conflict_count": 0}
    assert {k: answer.json()[k] for k in expected} == expected
    assert answer.json()["conflicts"] == []
    changed = GNB.read_text().replace('<r p="1">17</r>', '<r p="1">18</r>', 1).encode()
    answer = client.post(URL, content=changed, headers=headers)
    body = answer.json()
    assert (answer.status_code, body["outcome"], body["conflict_count"]) == (200, "duplicate", 1)
    [conflict] = body["conflicts"]
    assert (conflict["kept"], conflict["refused"]) == (17.0, 18.0)
    assert {"object", "measurement", "start", "seconds"} <= conflict.keys()


def test_upload_beyond_the_size_setting_is_413(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, pm_max_bytes=100)
    initialise(settings)
    services = build_services(settings)
    store = open_telemetry_store(settings.telemetry_dir, durable=False)
    app = create_app(services)
    setattr(app.state, TELEMETRY_STATE, store)
    app.include_router(pm_router())
    with TestClient(app) as test_client:
        response = test_client.post(URL, content=GNB.read_bytes(), params={"name": "big.xml"})
    store.close()
    services.close()
    assert response.status_code == 413 and "100 bytes" in response.text
