"""The discovered-objects book: one row per DN and interface, counters merged, long DNs kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openipn.app import build_services, initialise
from openipn.settings import Settings
from openipn.store.discovered import MAX_NAMES, DiscoveredBook, Sighting

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def book(tmp_path: Path) -> DiscoveredBook:
    settings = Settings(data_dir=tmp_path / "data", author="tester")
    initialise(settings)
    return build_services(settings).identity.book


def test_sightings_merge_per_dn_and_source(tmp_path: Path) -> None:
    found = book(tmp_path)
    dn = "ManagedElement=x," + ",".join(f"Level{i}=a-rather-long-id-{i}" for i in range(30))
    assert len(dn) > 500
    assert found.record([Sighting(dn, "pm-file", frozenset({"A"}))], now=T0) == 1
    assert found.record([Sighting(dn, "pm-file", frozenset({"B"}))], now=T0 + dt.timedelta(1)) == 0
    assert found.record([Sighting(dn, "ves", frozenset({"linkDown"}))], now=T0) == 1
    pm = found.page(source="pm-file")
    assert pm.total == 1 and pm.items[0].names == ("A", "B") and pm.items[0].sightings == 2
    assert pm.items[0].first_seen == T0 and pm.items[0].last_seen == T0 + dt.timedelta(1)
    assert found.page(source="ves").items[0].names == ("linkDown",)
    assert found.page().total == 2


def test_names_are_capped(tmp_path: Path) -> None:
    found = book(tmp_path)
    names = frozenset(f"C.{i:03d}" for i in range(MAX_NAMES + 10))
    found.record([Sighting("ManagedElement=y", "pm-file", names)])
    assert len(found.page().items[0].names) == MAX_NAMES
