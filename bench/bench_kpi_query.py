"""Benchmark KPI queries through the engine over a month of 15-minute cell counters.

Generates `--days` days of 15-minute counters for `--cells` cells (12 per gNB): the counters
of RRCSetupSR and PRBUtilDl plus a few others, appended one day per batch into a fresh
telemetry store. Then times KPI queries (median of `--repeat` after one warm-up), once on the
raw tier and once after `maintain()` has built the hourly/daily roll-ups. Prints one JSON
result with milliseconds per query, load time, store size and peak RSS.

Usage: .venv/bin/python bench/bench_kpi_query.py [--cells 3000] [--days 30] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from openipn.assure.kpis import Granularity, compute, kpi_by_name
from openipn.assure.scopes import resolve
from openipn.model.document import SiteDocument
from openipn.model.radio import Cell, ElementRole, Gnb, ManagedElement
from openipn.store.telemetry.api import Retention, SampleBatch, Source
from openipn.store.telemetry.parquet_store import ParquetTelemetryStore, open_telemetry_store

CELLS_PER_GNB = 12
PERIOD_S = 900
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CU = ("RRC.ConnEstabAtt", "RRC.ConnEstabSucc", "DRB.EstabAtt", "DRB.EstabSucc", "MM.HoExeIntraReq")
DU = ("RRU.PrbUsedDl", "RRU.PrbAvailDl", "DRB.UEThpDl")


def site(cells: int) -> SiteDocument:
    """A site of gNBs with 12 cells each (only what scopes need)."""
    gnbs = (cells + CELLS_PER_GNB - 1) // CELLS_PER_GNB
    document = SiteDocument()
    document.sections["managed_elements"] = [
        ManagedElement(name=f"me-{g}", role=ElementRole.GNB, vendor="bench") for g in range(gnbs)
    ]
    document.sections["gnbs"] = [
        Gnb(name=f"gnb-{g}", managed_element=f"me-{g}", gnb_id=g + 1) for g in range(gnbs)
    ]
    document.sections["cells"] = [
        Cell(name=f"c-{c}", gnb=f"gnb-{c // CELLS_PER_GNB}", cell_local_id=c % CELLS_PER_GNB + 1,
             pci=c % 1008, tac=1, arfcn_dl=630000)
        for c in range(cells)
    ]  # fmt: skip
    return document


def cell_objects(document: SiteDocument, cells: int) -> list[str]:
    """NRCellCU and NRCellDU DNs of every cell, in cell order, as the KPI scopes name them."""
    names = []
    for g in range((cells + CELLS_PER_GNB - 1) // CELLS_PER_GNB):
        scope = resolve(document, f"gnb:gnb-{g}")
        (cu,), (du,) = scope.objects("NRCellCU") or ("",), scope.objects("NRCellDU") or ("",)
        for c in range(g * CELLS_PER_GNB, min(cells, (g + 1) * CELLS_PER_GNB)):
            local = c % CELLS_PER_GNB + 1
            names += [f"{cu},NRCellCU={local}", f"{du},NRCellDU={local}"]
    return names


def day_batch(names: list[str], day: int, rng: np.random.Generator) -> SampleBatch:
    """One day of 15-minute counters for every cell (`names`: its CU and DU DNs)."""
    cells = len(names) // 2
    periods = 86400 // PERIOD_S
    measurements = list(CU + DU)
    obj_of = np.array([0] * len(CU) + [1] * len(DU), np.int64)
    n = cells * periods * len(measurements)
    cell = np.repeat(np.arange(cells, dtype=np.int64), periods * len(measurements))
    period = np.tile(np.repeat(np.arange(periods, dtype=np.int64), len(measurements)), cells)
    meas = np.tile(np.arange(len(measurements), dtype=np.int64), cells * periods)
    values = rng.integers(0, 1000, n).astype(np.float64)
    values[meas == 1] = np.floor(values[meas == 0] * rng.uniform(0.9, 1.0, n // len(measurements)))
    values[meas == 6] = 273.0
    starts = int(START.timestamp()) + day * 86400 + period * PERIOD_S
    return SampleBatch(
        objects=names,
        object_index=cell * 2 + obj_of[meas],
        measurements=measurements,
        measurement_index=meas,
        starts=starts,
        seconds=np.full(n, PERIOD_S, np.int64),
        values=values,
    )


def timed(call: Callable[[], Any], repeat: int) -> float:
    """Median milliseconds of `repeat` calls after one warm-up."""
    call()
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        call()
        times.append((time.perf_counter() - begin) * 1000)
    return round(statistics.median(times), 1)


def queries(store: ParquetTelemetryStore, document: SiteDocument, days: int) -> dict[str, Any]:
    """The KPI queries of the benchmark, by label."""
    end = START + dt.timedelta(days=days)
    last_day = end - dt.timedelta(days=1)

    def run(name: str, obj: str, start: dt.datetime, g: Granularity) -> Callable[[], Any]:
        kpi, scope = kpi_by_name(name), resolve(document, obj)
        return lambda: compute(store, kpi, scope, start, end, g)

    return {
        f"site RRCSetupSR daily over {days} d": run("RRCSetupSR", "site", START, Granularity.DAY),
        f"gNB RRCSetupSR daily over {days} d": run(
            "RRCSetupSR", "gnb:gnb-7", START, Granularity.DAY
        ),
        "cell RRCSetupSR 15 min over 1 d": run(
            "RRCSetupSR", "cell:c-42", last_day, Granularity.QUARTER
        ),
        f"site PRBUtilDl hourly over {days} d": run("PRBUtilDl", "site", START, Granularity.HOUR),
        "gNB PRBUtilDl hourly over 1 d": run("PRBUtilDl", "gnb:gnb-7", last_day, Granularity.HOUR),
        f"site CellAvailability daily over {days} d": run(
            "CellAvailability", "site", START, Granularity.DAY
        ),
    }


def main() -> None:
    """Load, query raw, maintain, query again; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=3000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    document = site(args.cells)
    names = cell_objects(document, args.cells)
    rng = np.random.default_rng(7)
    result: dict[str, Any] = {"cells": args.cells, "days": args.days, "repeat": args.repeat}
    with tempfile.TemporaryDirectory(prefix="bench-kpi-") as tmp:
        store = open_telemetry_store(Path(tmp) / "telemetry", durable=False)
        begin, rows = time.perf_counter(), 0
        for day in range(args.days):
            batch = day_batch(names, day, rng)
            rows += len(batch)
            store.append(batch, source=Source.PM_FILE, key=f"day-{day}", name=f"day-{day}")
        result |= {"rows": rows, "load_s": round(time.perf_counter() - begin, 1)}
        check = queries(store, document, args.days)
        values = [r.value for q in check.values() for r in q().rows]
        assert values and None not in values, "a KPI came back without a value"
        avail = [r.value for r in check[f"site CellAvailability daily over {args.days} d"]().rows]
        assert all(abs(v - 100.0) < 1e-6 for v in avail if v is not None), avail
        result["raw_ms"] = {
            k: timed(q, args.repeat) for k, q in queries(store, document, args.days).items()
        }
        begin = time.perf_counter()
        now = START + dt.timedelta(days=args.days + 1)
        store.maintain(now, Retention(raw_days=3650, hourly_days=3650, daily_days=3650))
        result["maintain_s"] = round(time.perf_counter() - begin, 1)
        result["rolled_up_ms"] = {
            k: timed(q, args.repeat) for k, q in queries(store, document, args.days).items()
        }
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
        result["store_mb"] = round(size / 1e6, 1)
        store.close()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
