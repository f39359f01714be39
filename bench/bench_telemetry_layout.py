"""Benchmark: Parquet files + SQLite catalog (with roll-ups) versus a DuckDB-native table.

Generates `--days` of 15-minute counters for `--cells` cells (the counters of two TS 28.554
KPIs plus fillers), appends them one batch per period like PM intake, runs maintain()
(compaction + roll-ups), then times three KPI-shaped queries (median of 5 after a warm-up)
on the store, on the compacted raw Parquet files alone, and on a DuckDB-native table holding
the same rows. Prints append rate, query times, disk use and peak RSS.

    .venv/bin/python bench/bench_telemetry_layout.py --cells 3000 --days 30 --counters 6
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np

from openipn.store.telemetry.api import AggregateQuery, Retention, SampleBatch, Source, Tier
from openipn.store.telemetry.parquet_store import ParquetTelemetryStore, open_telemetry_store

KPI_COUNTERS = ["RRC.ConnEstabSucc", "RRC.ConnEstabAtt", "RRU.PrbUsedDl", "RRU.PrbAvailDl"]
FILLERS = [
    "DRB.UEThpDl",
    "DRB.UEThpUl",
    "RRU.PrbUsedUl",
    "RRU.PrbAvailUl",
    "RRC.ConnMean",
    "RRC.ConnMax",
    "DRB.PdcpSduVolumeDL",
    "DRB.PdcpSduVolumeUL",
]
PERIOD_S = 900
START = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cell_names(cells: int) -> list[str]:
    """Three cells per gNB, named like the twin's PM objects."""
    return [
        f"ManagedElement=gnb-{i // 3 + 1},GNBDUFunction=1,NRCellDU={i % 3 + 1}"
        for i in range(cells)
    ]


def load(
    store: ParquetTelemetryStore, cells: int, days: int, counters: list[str]
) -> tuple[int, float]:
    """Append one batch per period; values appended and seconds spent inside append()."""
    objects = cell_names(cells)
    n = cells * len(counters)
    object_index = np.repeat(np.arange(cells), len(counters))
    measurement_index = np.tile(np.arange(len(counters)), cells)
    seconds = np.full(n, PERIOD_S)
    rng = np.random.default_rng(1)
    t0 = int(START.timestamp())
    spent, total = 0.0, 0
    for period in range(days * 86_400 // PERIOD_S):
        batch = SampleBatch(
            objects,
            object_index,
            counters,
            measurement_index,
            np.full(n, t0 + period * PERIOD_S),
            seconds,
            rng.integers(0, 5000, n).astype(np.float64),
        )
        began = time.perf_counter()
        store.append(batch, source=Source.PM_FILE, key=f"period-{period}", name="bench")
        spent += time.perf_counter() - began
        total += n
    return total, spent


def timed(run: Callable[[], object], repeats: int = 5) -> float:
    """Median wall time in ms of `repeats` runs after one warm-up."""
    run()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def queries(days: int) -> dict[str, AggregateQuery]:
    """The three KPI-shaped queries."""
    end = START + dt.timedelta(days=days)
    return {
        "site daily buckets, all days": AggregateQuery(KPI_COUNTERS, START, end, bucket_s=86_400),
        "per-cell totals, all days": AggregateQuery(KPI_COUNTERS, START, end, by_object=True),
        "one gNB, 15-min buckets, 1 day": AggregateQuery(
            KPI_COUNTERS,
            START,
            START + dt.timedelta(days=1),
            objects=["ManagedElement=gnb-7"],
            bucket_s=PERIOD_S,
        ),
    }


def native_sql(q: AggregateQuery, table: str) -> str:
    """The same query against a table or Parquet scan of raw rows."""
    measurements = ", ".join(f"'{m}'" for m in q.measurements)
    where = (
        f"measurement IN ({measurements}) AND start >= TIMESTAMPTZ '{q.start.isoformat()}'"
        f" AND start < TIMESTAMPTZ '{q.end.isoformat()}'"
    )
    if q.objects:
        where += " AND " + " OR ".join(
            f"(object = '{o}' OR starts_with(object, '{o},'))" for o in q.objects
        )
    bucket = "0" if q.bucket_s is None else f"epoch_ms(start) // {q.bucket_s * 1000}"
    keys = "bucket, object, measurement" if q.by_object else "bucket, measurement"
    return (
        f"SELECT {bucket} AS bucket, {'object' if q.by_object else 'NULL'} AS object, measurement,"
        " sum(value), count(*), min(value), max(value), sum(seconds)"
        f" FROM {table} WHERE {where} GROUP BY {keys} ORDER BY {keys}"
    )


def disk_mb(path: Path) -> float:
    """Bytes under a path, in MB."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def compare(store: ParquetTelemetryStore, root: Path, days: int) -> None:
    """Time the queries on the store, on the raw Parquet files and on a DuckDB table."""
    raw_files = [str(root / "store" / f.path) for f in store.catalog.all_files(Tier.RAW)]
    native_path = root / "native.duckdb"
    native = duckdb.connect(str(native_path))
    native.execute("SET TimeZone = 'UTC'")
    native.execute("SET memory_limit = '2GB'")  # a shared machine
    began = time.perf_counter()
    native.execute(
        "CREATE TABLE samples AS SELECT object::VARCHAR AS object,"
        " measurement::VARCHAR AS measurement, start, seconds, value"
        f" FROM read_parquet({raw_files}) ORDER BY measurement, object, start"
    )
    native.execute("CHECKPOINT")
    print(
        f"native table built in {time.perf_counter() - began:.1f} s, "
        f"{native_path.stat().st_size / 1e6:.0f} MB on disk"
    )
    scan = duckdb.connect()
    scan.execute("SET TimeZone = 'UTC'")
    scan.execute("SET parquet_metadata_cache = true")
    parquet_scan = f"read_parquet({raw_files})"

    header = f"{'query (median of 5, ms)':34} {'store':>8} {'raw parquet':>12}"
    print(f"{header} {'duckdb table':>13}  tiers")
    for name, q in queries(days).items():
        store_ms = timed(lambda q=q: store.aggregate(q))
        scan_ms = timed(lambda q=q: scan.execute(native_sql(q, parquet_scan)).fetchall())
        native_ms = timed(lambda q=q: native.execute(native_sql(q, "samples")).fetchall())
        tiers = ",".join(sorted({t.value for t, _, _ in store.plan(q)}))
        print(f"{name:34} {store_ms:8.1f} {scan_ms:12.1f} {native_ms:13.1f}  {tiers}")
    native.close()
    scan.close()


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=3000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--counters", type=int, default=6, help="4 KPI counters + fillers")
    parser.add_argument("--root", type=Path, default=None, help="keep the store here")
    args = parser.parse_args()
    counters = KPI_COUNTERS + FILLERS[: max(0, args.counters - len(KPI_COUNTERS))]
    root = args.root or Path(tempfile.mkdtemp(prefix="bench-telemetry-"))
    store = open_telemetry_store(root / "store", retire_grace_s=0)
    began = time.perf_counter()
    values, in_append = load(store, args.cells, args.days, counters)
    wall = time.perf_counter() - began
    print(f"values {values:,} ({args.cells} cells x {len(counters)} counters x {args.days} days)")
    print(
        f"append: {values / in_append / 1e6:.1f} M values/s inside append(), "
        f"{values / wall / 1e6:.1f} M/s with batch generation; peak RSS {peak_rss_mb():.0f} MB"
    )
    began = time.perf_counter()
    counts = store.maintain(START + dt.timedelta(days=args.days + 1), Retention())
    print(f"maintain: {time.perf_counter() - began:.1f} s {counts}")
    print(f"store on disk {disk_mb(root / 'store'):.0f} MB; peak RSS {peak_rss_mb():.0f} MB")

    compare(store, root, args.days)
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    store.close()
    if args.root is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
