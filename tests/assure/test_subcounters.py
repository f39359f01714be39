"""Equipment reporting only TS 28.552 subcounters gives the same KPIs as plain totals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kpi_kit import FIXTURES, P1, small_site

from openipn.assure.kpis import Granularity, compute, kpi_by_name
from openipn.assure.scopes import resolve
from openipn.assure.subcounters import choose, family
from openipn.collect.pm_parse import parse_pm
from openipn.store.telemetry.api import Source, TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

END = P1 + dt.timedelta(minutes=15)
CASES = [
    # (KPI, object, value, the input label the subcounter-only store shows)
    ("RRCSetupSR", "cell:gnb-ws1-01-c1", 95.0, "sum(RRC.ConnEstabAtt.*)"),
    ("RRCSetupSR", "gnb:gnb-ws1-01", 95.0, "sum(RRC.ConnEstabSucc.*)"),
    # 5QI family (25 + 15) chosen; the S-NSSAI family (30 + 10) is not added on top
    ("PartialDRBAccessibility", "gnb:gnb-ws1-01", 95.0 * 38 / 40, "sum(DRB.EstabAtt.<5QI>)"),
    # only RegInit reported: RegMob, RegPeriod and RegEmerg are optional (TS 28.554 6.2.3)
    ("RSR", "site", 90.0, "sum(RM.RegInitReq.<S-NSSAI>)"),
    ("RSR", "nf:amf-1", 90.0, "sum(RM.RegInitSucc.<S-NSSAI>)"),
    ("RSR", "slice:urllc-control", 100 * 29 / 30, "sum(RM.RegInitReq.02000001)"),
]


def _store(root: Path, kind: str) -> TelemetryStore:
    store = open_telemetry_store(root)
    for path in sorted((FIXTURES / "subcounters").glob(f"*_{kind}-*.xml")):
        batch = parse_pm(path.read_bytes())
        store.append(batch, source=Source.PM_FILE, key=path.name, name=path.name)
    return store


@pytest.mark.parametrize(("name", "obj", "expected", "label"), CASES)
def test_subcounters_give_the_plain_kpis(
    tmp_path: Path, name: str, obj: str, expected: float, label: str
) -> None:
    site = small_site()
    values = {}
    for kind in ("plain", "sub"):
        with _store(tmp_path / kind, kind) as store:
            result = compute(store, kpi_by_name(name), resolve(site, obj), P1, END, Granularity.ALL)
        values[kind] = result.rows[0]
    assert values["plain"].value == pytest.approx(expected)
    assert values["sub"].value == pytest.approx(expected)
    assert label in values["sub"].inputs, values["sub"].inputs


def test_plain_counter_present_wins(tmp_path: Path) -> None:
    with _store(tmp_path / "plain", "plain") as store:
        row = compute(
            store, kpi_by_name("RSR"), resolve(small_site(), "site"), P1, END, Granularity.ALL
        ).rows[0]
    # plain 45/50 is used; the per-slice subcounters (also stored) are not added to it
    assert row.inputs["sum(RM.RegInitReq)"] == 50.0
    assert row.inputs["sum(RM.RegMobReq)"] is None


@pytest.mark.parametrize(
    ("qualifier", "expected"),
    [
        ("mo-Data", "*"),
        ("9", "<5QI>"),
        ("ab000001", "<S-NSSAI>"),
        ("1-000001", "<S-NSSAI>"),
        ("sum", "sum"),
        ("", None),
    ],
)
def test_qualifier_families(qualifier: str, expected: str | None) -> None:
    assert family(qualifier) == expected


def test_choose_one_family_one_level() -> None:
    stored = ["X.a", "X.b", "X.sum", "X.9", "X.a.b", "XY.c"]
    chosen = choose("X", stored)
    assert chosen is not None and chosen.names == ("X.sum",)  # the total itself
    chosen = choose("X", ["X.a", "X.9", "X.a.b", "XY.c"])
    assert chosen is not None and (chosen.names, chosen.label) == (("X.a",), "X.*")
    assert choose("X", ["XY.c", "X.a.b"]) is None
