"""Benchmark SLA compliance over long windows: the example plant's terminals for a month.

Stores `--days` days of terminal reports (one per terminal per `--interval` seconds, the twin's
default 60 s; latency, reliability, DL/UL bit rate and the registered flag, as the terminal
handler stores them) for every terminal of examples/plant.yaml, one day per batch, then runs
the store upkeep (hourly/daily roll-ups) and times `sla_over` (median of `--repeat` after one
warm-up): one hour from the raw reports, one day and the whole range from hourly roll-ups.
Prints one JSON result.

Usage: .venv/bin/python bench/bench_sla.py [--days 30] [--interval 60] [--repeat 3]
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

from openipn.assure.sla_rollup import SERIES, sla_over
from openipn.collect.terminals import terminal_dn
from openipn.model.document import SiteDocument
from openipn.model.subscribers import Terminal
from openipn.sitefile import parse_site_text
from openipn.store.telemetry.api import Retention, SampleBatch, Source
from openipn.store.telemetry.parquet_store import open_telemetry_store

PLANT = Path(__file__).resolve().parents[1] / "examples" / "plant.yaml"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def day_batch(
    terminals: list[str], day: int, interval: int, rng: np.random.Generator
) -> SampleBatch:
    """One day of reports of every terminal: latency mostly within a few ms, rare misses."""
    reports = 86400 // interval
    n = len(terminals) * reports
    terminal = np.repeat(np.arange(len(terminals), dtype=np.int64), reports)
    starts = (
        int(START.timestamp())
        + day * 86400
        + np.tile(np.arange(reports) * interval, len(terminals))
    )
    values = {
        "VS.UeLatencyMs": rng.gamma(4.0, 1.0, n),
        "VS.UeReliability": np.where(rng.random(n) < 0.999, 1.0, 0.99),
        "VS.UeThpDlBps": rng.uniform(0.5e6, 30e6, n),
        "VS.UeThpUlBps": rng.uniform(0.5e6, 10e6, n),
        "VS.UeRegistered": np.ones(n),
    }
    names = list(SERIES)
    return SampleBatch(
        objects=[terminal_dn(t) for t in terminals],
        object_index=np.tile(terminal, len(names)),
        measurements=names,
        measurement_index=np.repeat(np.arange(len(names), dtype=np.int64), n),
        starts=np.tile(starts, len(names)),
        seconds=np.full(n * len(names), interval, np.int64),
        values=np.concatenate([values[name] for name in names]),
    )  # fmt: skip


def timed(call: Callable[[], Any], repeat: int) -> float:
    """Median milliseconds of `repeat` calls after one warm-up."""
    call()
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        call()
        times.append((time.perf_counter() - begin) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    """Load, maintain, time the SLA windows; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    document: SiteDocument = parse_site_text(PLANT.read_text(encoding="utf-8"))
    terminals = [t.name for t in document.objects("terminals") if isinstance(t, Terminal)]
    result: dict[str, Any] = {"terminals": len(terminals), "days": args.days}
    end = START + dt.timedelta(days=args.days)
    with tempfile.TemporaryDirectory(prefix="bench-sla-") as tmp:
        store = open_telemetry_store(Path(tmp) / "telemetry", durable=False)
        begin, rows = time.perf_counter(), 0
        for day in range(args.days):
            batch = day_batch(terminals, day, args.interval, np.random.default_rng(day))
            rows += len(batch)
            store.append(batch, source=Source.VES, key=f"day-{day}", name=f"day-{day}")
        result |= {"values": rows, "load_s": round(time.perf_counter() - begin, 1)}
        begin = time.perf_counter()
        store.maintain(end + dt.timedelta(days=1), Retention(3650, 3650, 3650))
        result["maintain_s"] = round(time.perf_counter() - begin, 1)
        windows = {
            "1 h (raw reports)": (end - dt.timedelta(hours=1), end),
            "1 d (hourly roll-ups)": (end - dt.timedelta(days=1), end),
            f"{args.days} d (hourly roll-ups)": (START, end),
        }
        report = sla_over(document, store, START, end)
        result["reports_in_range"] = report["reports"]
        result["ms"] = {
            label: timed(lambda w=w: sla_over(document, store, *w), args.repeat)  # type: ignore[misc]
            for label, w in windows.items()
        }
        store.close()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
