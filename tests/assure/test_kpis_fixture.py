"""KPIs from the hand-written TS 32.435 fixture, against values worked out by hand.

Fixture (tests/fixtures/kpi/): gNB gnb-ws1-01 (ManagedElement=me-gnb-ws1-01, GNBDUFunction=1)
with cells c1 (cellLocalId 1) and c2 (cellLocalId 2), amf-1 and smf-1 on me-core-1, upf-1 on
me-upf-1; periods P1 = 10:00-10:15 and P2 = 10:15-10:30 UTC on 2026-03-02.

                      c1 P1   c1 P2   c2 P1   c2 P2
RRC.ConnEstabAtt       1000    1000      10      10
RRC.ConnEstabSucc       990     970       5       1
DRB.EstabAtt            200     100       4       0
DRB.EstabSucc           196     100       2       0
MM.HoExeIntraReq/Succ  10/9     0/0     2/2     0/0
MM.HoExeInterReq/Succ 20/18     5/5     0/0     0/0
RRU.PrbUsedDl         136.5    27.3       0      10
RRU.PrbAvailDl          273     273     273   136.5
DRB.UEThpDl           50000   30000     NIL    1000
DRB.RlcSduDelayDl        20      30     NIL      10   (0.1 ms)
DRB.PdcpSduVolumeDL/UL 900/90  450/45    0/0     9/6   (Mbit)
GNBCUUPFunction=1 DRB.PdcpSduDelayDl: P1 8, P2 12 (0.1 ms); PEE.Energy: 0.25 + 0.25 kWh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from kpi_kit import END, P1, P2, load_fixture, small_site

from openipn.assure.kpis import Granularity, KpiError, KpiRow, compute, kpi_by_name
from openipn.assure.scopes import resolve
from openipn.model.document import SiteDocument
from openipn.store.telemetry.api import TelemetryStore

GNB, C1, C2 = "gnb:gnb-ws1-01", "cell:gnb-ws1-01-c1", "cell:gnb-ws1-01-c2"
URLLC, EMBB = "slice:urllc-control", "slice:embb-vision"  # 02000001, 01000002

# (KPI, object, value over [10:00, 10:30) in one bucket), each worked out by hand:
WHOLE_RANGE = [
    # (990 + 970 + 5 + 1) / (1000 + 1000 + 10 + 10) = 1966 / 2020
    ("RRCSetupSR", GNB, 100 * 1966 / 2020),
    ("RRCSetupSR", C2, 100 * 6 / 20),
    # RRC 1966/2020 × DRB (196 + 100 + 2 + 0) / (200 + 100 + 4 + 0) = 298/304
    ("PartialDRBAccessibility", GNB, 100 * (1966 / 2020) * (298 / 304)),
    # intra 11/12, inter 23/25, both (11 + 23) / (12 + 25)
    ("HOSR.Intra", GNB, 100 * 11 / 12),
    ("HOSR.Inter", GNB, 100 * 23 / 25),
    ("HOSR", GNB, 100 * 34 / 37),
    # used 136.5 + 27.3 + 0 + 10 = 173.8 over available 273 × 3 + 136.5 = 955.5
    ("PRBUtilDl", GNB, 100 * 173.8 / 955.5),
    ("PRBUtilUl", GNB, 100 * 50 / 955.5),
    # three reported values (c2 P1 is NIL): (50000 + 30000 + 1000) / 3
    ("UEThpDl", GNB, 27000.0),
    ("UEThpDl", C1, 40000.0),
    ("UEThpUl", GNB, 9000.0),
    # PDCP (8 + 12) / 2 = 10 → 1.0 ms; RLC (20 + 30 + 10) / 3 = 20 → 2.0 ms
    ("DLDelayGnb", GNB, 3.0),
    # a cell gets its gNB's PDCP delay: 1.0 + (20 + 30) / 2 / 10 = 3.5 ms
    ("DLDelayGnb", C1, 3.5),
    ("AirIfDelayDl", GNB, 1.5),  # (15 + 25 + 5) / 3 = 15 → 1.5 ms
    # (1359 + 141) Mbit × 10^6 / (0.5 kWh × 3.6 × 10^6 J/kWh)
    ("EE", GNB, 1500e6 / 1.8e6),
    # c1 offers 273 of 273 PRBs for 1800 s; c2 273 for 900 s and 136.5 for 900 s = 1350 s
    ("CellAvailability", GNB, 100 * (1800 + 1350) / 3600),
    ("CellAvailability", C1, 100.0),
    # site: gnb-ws1-02-c1 is in the model but never reported: 3150 of 3 × 1800 s
    ("CellAvailability", "site", 100 * 3150 / 5400),
    # RM: succ (48 + 10 + 40) + (10 + 0 + 38) = 146 over req (50 + 10 + 40) + (20 + 0 + 40) = 160
    ("RSR", "site", 100 * 146 / 160),
    ("RSR", "nf:amf-1", 100 * 146 / 160),
    ("RSR", URLLC, 100 * 85 / 85),  # 30+5+20 + 10+0+20 both ways
    ("RSR", EMBB, 100 * 61 / 75),  # succ 18+5+20 + 0+0+18, req 20+5+20 + 10+0+20
    ("PDUSessionEstabSR", "site", 100 * 39 / 40),
    ("PDUSessionEstabSR", EMBB, 100 * 24 / 25),  # (19 + 5) / (20 + 5)
    ("AMFMeanRegNbr", "site", 105.0),  # (100 + 110) / 2
    ("AMFMeanRegNbr", URLLC, 63.0),  # (60 + 66) / 2
    ("PDUSesMeanNbr", "site", 85.0),  # (80 + 90) / 2
    # (112.5 + 225) × 10^6 octets × 8 / 1800 s = 1.5 Mbit/s
    ("N3ThpUpstream", "upf:upf-1", 1.5),
    ("N3ThpDownstream", "site", 15.0),  # (1125 + 2250) × 10^6 × 8 / 1800 / 10^6
    ("N3ThpDownstream", URLLC, 1.0),  # (112.5 + 112.5) × 10^6 × 8 / 1800 / 10^6
    ("N3ThpUpstream", EMBB, 1.4),  # (100 + 215) × 10^6 × 8 / 1800 / 10^6
    # 8 × (337.5 + 3375) × 10^6 / (0.5 × 3.6 × 10^6)
    ("EE.N3", "site", 8 * 3712.5e6 / 1.8e6),
]


@pytest.fixture(scope="module")
def site() -> SiteDocument:
    return small_site()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelemetryStore]:
    store = load_fixture(Path(tmp_path_factory.mktemp("kpi-store")))
    yield store
    store.close()


def one(
    store: TelemetryStore, site: SiteDocument, name: str, obj: str, g: Granularity
) -> list[KpiRow]:
    return compute(store, kpi_by_name(name), resolve(site, obj), P1, END, g).rows


@pytest.mark.parametrize(("name", "obj", "expected"), WHOLE_RANGE)
def test_hand_computed_values(
    store: TelemetryStore, site: SiteDocument, name: str, obj: str, expected: float
) -> None:
    (row,) = one(store, site, name, obj, Granularity.ALL)
    assert row.value == pytest.approx(expected, rel=1e-12)
    assert row.bucket_start == P1 and row.object == obj


def test_aggregation_before_division(store: TelemetryStore, site: SiteDocument) -> None:
    """c1 (2000 attempts, 98 %) and c2 (20 attempts, 30 %): the gNB is ~97 %, not the 64 % mean."""
    (row,) = one(store, site, "RRCSetupSR", GNB, Granularity.ALL)
    cells = [one(store, site, "RRCSetupSR", c, Granularity.ALL)[0].value for c in (C1, C2)]
    assert cells == [pytest.approx(98.0), pytest.approx(30.0)]
    assert row.value == pytest.approx(97.3267326732673)
    assert row.inputs == {"sum(RRC.ConnEstabSucc)": 1966.0, "sum(RRC.ConnEstabAtt)": 2020.0}


def test_quarter_hour_buckets(store: TelemetryStore, site: SiteDocument) -> None:
    rows = one(store, site, "RRCSetupSR", GNB, Granularity.QUARTER)
    assert [r.bucket_start for r in rows] == [P1, P2]
    assert rows[0].value == pytest.approx(100 * 995 / 1010)  # (990 + 5) / (1000 + 10)
    assert rows[1].value == pytest.approx(100 * 971 / 1010)  # (970 + 1) / (1000 + 10)


def test_hour_and_day_buckets_hold_both_periods(store: TelemetryStore, site: SiteDocument) -> None:
    for g, start in (
        (Granularity.HOUR, P1),
        (Granularity.DAY, dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
    ):
        (row,) = one(store, site, "HOSR", GNB, g)
        assert row.bucket_start == start and row.value == pytest.approx(100 * 34 / 37)


def test_empty_bucket_and_zero_denominator_are_none(
    store: TelemetryStore, site: SiteDocument
) -> None:
    rows = compute(
        store, kpi_by_name("RRCSetupSR"), resolve(site, GNB), P1, END + dt.timedelta(hours=1),
        Granularity.HOUR,
    ).rows  # fmt: skip
    assert [r.value is None for r in rows] == [False, True]
    # c2 had no DRB attempts in P2: 0 / 0 is no value, not 0 %
    quarter = one(store, site, "PartialDRBAccessibility", C2, Granularity.QUARTER)
    assert quarter[0].value == pytest.approx(100 * (5 / 10) * (2 / 4)) and quarter[1].value is None


def test_slice_reads_snssai_subcounters(store: TelemetryStore, site: SiteDocument) -> None:
    (row,) = one(store, site, "N3ThpDownstream", URLLC, Granularity.ALL)
    assert row.inputs["sum(GTP.OutDataOctN3UPF.02000001)"] == 225e6
    with pytest.raises(KpiError, match="no per-slice") as caught:
        one(store, site, "HOSR", URLLC, Granularity.ALL)
    assert caught.value.parameter == "object"


def test_dn_scope_selects_what_the_dn_contains(store: TelemetryStore, site: SiteDocument) -> None:
    dn = "ManagedElement=me-gnb-ws1-01,GNBCUCPFunction=1,NRCellCU=2"
    (row,) = one(store, site, "RRCSetupSR", dn, Granularity.ALL)
    assert row.value == pytest.approx(30.0)


def test_bad_input_names_the_parameter(store: TelemetryStore, site: SiteDocument) -> None:
    with pytest.raises(KpiError, match="known: RSR") as caught:
        kpi_by_name("NoSuchKpi")
    assert caught.value.parameter == "name"
    with pytest.raises(KpiError) as caught:
        compute(store, kpi_by_name("RSR"), resolve(site, "site"), END, P1)
    assert caught.value.parameter == "from"
    with pytest.raises(KpiError, match="not defined for cell"):
        one(store, site, "RSR", C1, Granularity.ALL)
