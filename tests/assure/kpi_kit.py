"""Test helpers for the KPI engine: the hand-written PM fixture as a real telemetry store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from openipn.assure.scopes import cell_dns
from openipn.codecs.ts32435_pm import PmFile
from openipn.codecs.ts32435_read import decode
from openipn.model.document import SiteDocument
from openipn.sitefile import check_site_text
from openipn.store.telemetry.api import SampleBatch, Source, TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures" / "kpi"
SMALL_SITE = TESTS.parent / "examples" / "small.yaml"
P1 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # first period of the fixture
P2 = dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC)
END = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


def pm_batch(pm: PmFile) -> SampleBatch:
    """Numeric results of a decoded PM file as a batch (NIL left out; relative LDNs completed)."""
    element = pm.managed_element.local_dn or ""
    objects: dict[str, int] = {}
    names: dict[str, int] = {}
    rows: list[tuple[int, int, int, int, float]] = []
    for info in pm.meas_infos:
        start = int(info.end_time.timestamp()) - info.gran_period_s
        for value in info.meas_values:
            ldn = value.meas_obj_ldn
            if not ldn.startswith("ManagedElement=") and element:
                ldn = f"{element},{ldn}"
            obj = objects.setdefault(ldn, len(objects))
            for name, result in zip(info.meas_types, value.results, strict=False):
                if isinstance(result, int | float) and not isinstance(result, bool):
                    meas = names.setdefault(name, len(names))
                    rows.append((obj, meas, start, info.gran_period_s, float(result)))
    columns = list(zip(*rows, strict=True))
    return SampleBatch(
        objects=list(objects),
        object_index=np.array(columns[0], np.int64),
        measurements=list(names),
        measurement_index=np.array(columns[1], np.int64),
        starts=np.array(columns[2], np.int64),
        seconds=np.array(columns[3], np.int64),
        values=np.array(columns[4], np.float64),
    )


def load_fixture(root: Path) -> TelemetryStore:
    """A store under `root` holding the three hand-written PM files."""
    store = open_telemetry_store(root)
    for path in sorted(FIXTURES.glob("*.xml")):
        store.append(pm_batch(decode(path)), source=Source.PM_FILE, key=path.name, name=path.name)
    return store


def small_site() -> SiteDocument:
    """examples/small.yaml, the site the fixture's objects belong to."""
    document, _ = check_site_text(SMALL_SITE.read_text(encoding="utf-8"))
    return document


CELL_DNS = cell_dns(small_site())  # NRCellDU DNs of every cell of the small site


def healthy_hour(end: dt.datetime) -> SampleBatch:
    """Every cell of the small site offering all 273 PRBs for the four periods before `end`."""
    first = int(end.timestamp()) - 3600
    starts = np.repeat(np.arange(first, first + 3600, 900, dtype=np.int64), len(CELL_DNS))
    n = len(starts)
    return SampleBatch(
        objects=list(CELL_DNS),
        object_index=np.tile(np.arange(len(CELL_DNS), dtype=np.int64), 4),
        measurements=["RRU.PrbAvailDl"],
        measurement_index=np.zeros(n, np.int64),
        starts=starts,
        seconds=np.full(n, 900, np.int64),
        values=np.full(n, 273.0),
    )


def future_sample() -> SampleBatch:
    """One stray value stamped in 2099 (a clock gone wrong)."""
    start = int(dt.datetime(2099, 1, 1, tzinfo=dt.UTC).timestamp())
    return SampleBatch(
        [CELL_DNS[0]], np.zeros(1, np.int64), ["RRU.PrbAvailDl"], np.zeros(1, np.int64),
        np.array([start]), np.array([900]), np.array([273.0]),
    )  # fmt: skip
