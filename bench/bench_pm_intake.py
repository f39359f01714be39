"""Benchmark PM file intake end to end (parse + map + store) against a bare lxml parse.

Generates, with the codec writer, `--periods` granularity periods of a network of `--cells`
cells × `--counters` counters (default 3,000 × 50 = 150,000 values per period), split into
`--files` TS 32.435 files per period (default 12 files of 250 cells, i.e. a B-size gNB
cluster per file; `--files 1500` gives 2-cell gNB files). Then, side by side in one run:

- bare lxml `etree.parse` of the same files, in one process and in `--workers` processes;
- our intake, mapping every DN to the model's (a generated site of the same network; off with
  `--no-identity`), into a fresh telemetry store (durable, as in production), in one process and
  with `--workers` processes that parse and append (the store is safe across processes); the
  pool is started before the clock starts, as it is in `openipn serve`;
- values/s of each, the intake / bare ratios at equal process counts, our parse alone (no
  store) in one process, peak RSS of the main process and of a parser worker.

Files are stored in groups (one Parquet file and one catalog transaction per group, two groups
per worker process), each value checked against the store's content index. Peak memory on one
large file and on a gzip bomb: bench/bench_pm_memory.py.

Prints one JSON object. Usage:
  .venv/bin/python bench/bench_pm_intake.py [--cells 3000] [--counters 50] [--files 12]
      [--periods 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from lxml import etree

from openipn.codecs.ts32435_pm import (
    FileHeader,
    ManagedElement,
    MeasInfo,
    MeasValue,
    PmFile,
    encode_meas_collec,
)
from openipn.collect.identity import ObjectIdentity
from openipn.collect.pm_intake import Outcome, PmIntake
from openipn.collect.pm_parse import parse_path, stream_batches
from openipn.collect.pm_source import IntakeLimits
from openipn.model.document import SiteDocument, parse_document
from openipn.store.db import make_engine, migrate
from openipn.store.telemetry.parquet_store import open_telemetry_store

REAL_NAMES = (
    "RRU.PrbUsedDl", "RRU.PrbUsedUl", "RRU.PrbAvailDl", "RRU.PrbAvailUl", "DRB.UEThpDl",
    "DRB.UEThpUl", "DRB.MeanActiveUeDl", "RRC.ConnEstabAtt", "RRC.ConnEstabSucc", "RRC.ConnMean",
)  # fmt: skip
T0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def counter_names(count: int) -> tuple[str, ...]:
    extra = (f"VS.Bench.Counter{i}" for i in range(count - len(REAL_NAMES)))
    return (REAL_NAMES + tuple(extra))[:count]


def make_file(gnb: int, cells: range, names: tuple[str, ...], end: dt.datetime) -> bytes:
    rnd = random.Random(gnb * 7919 + int(end.timestamp()))
    values = tuple(
        MeasValue(
            f"GNBDUFunction=1,NRCellDU={cell}",
            tuple(
                rnd.randrange(100_000) if i % 2 else round(rnd.random() * 1000, 3)
                for i in range(len(names))
            ),
        )
        for cell in cells
    )
    return encode_meas_collec(
        PmFile(
            FileHeader(begin_time=end - dt.timedelta(minutes=15), vendor_name="bench"),
            ManagedElement(f"ManagedElement=gnb-{gnb}"),
            (MeasInfo(900, end, names, values, meas_info_id="bench"),),
            end,
        )
    )


def generate(folder: Path, cells: int, counters: int, files: int, periods: int) -> list[Path]:
    names, per_file, paths = counter_names(counters), -(-cells // files), []
    for period in range(periods):
        end = T0 + dt.timedelta(minutes=15 * (period + 1))
        for gnb in range(files):
            chosen = range(gnb * per_file, min(cells, (gnb + 1) * per_file))
            name = f"A{end:%Y%m%d.%H%M}+0000_gnb-{gnb}.xml"
            path = folder / name
            path.write_bytes(make_file(gnb, chosen, names, end))
            paths.append(path)
    return paths


def bare_parse(path: str) -> int:
    return len(etree.parse(path).getroot())


def bare(paths: list[Path], workers: int) -> float:
    texts = [str(p) for p in paths]
    if workers <= 1:
        start = time.perf_counter()
        for text in texts:
            bare_parse(text)
        return time.perf_counter() - start
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(bare_parse, texts[:workers]))  # warm the pool
        start = time.perf_counter()
        list(pool.map(bare_parse, texts))
        return time.perf_counter() - start


def bench_site(cells: int, files: int) -> SiteDocument:
    """The network the files describe: one element and gNB per file, its cells by local id."""
    per_file = -(-cells // files)
    raw: dict[str, Any] = {
        "managed_elements": [
            {"name": f"gnb-{g}", "role": "gnb", "vendor": "bench"} for g in range(files)
        ],
        "gnbs": [
            {"name": f"g{g}", "managed_element": f"gnb-{g}", "gnb_id": g + 1} for g in range(files)
        ],
        "cells": [
            {"name": f"c{c}", "gnb": f"g{c // per_file}", "cell_local_id": c, "pci": c % 1008,
             "tac": 1, "arfcn_dl": 801667}
            for c in range(cells)
        ],
    }  # fmt: skip
    document, issues = parse_document(raw)
    assert not issues, issues[:3]
    return document


def identity_for(document: SiteDocument, scratch: Path) -> ObjectIdentity:
    """The resolver over the bench network, as `serve` builds it (model store in scratch)."""
    engine = make_engine(f"sqlite:///{scratch}/model.db")
    migrate(engine)
    return ObjectIdentity(engine, load_document=lambda _: document)


def intake_run(
    paths: list[Path], workers: int, scratch: Path, identity: ObjectIdentity | None
) -> tuple[float, int, int]:
    root = scratch / f"store-{workers}"
    store = open_telemetry_store(root)
    opener = partial(open_telemetry_store, root)
    intake = PmIntake(
        store, scratch / "quarantine", workers=workers, opener=opener, identity=identity
    )
    pool = intake._executor()  # start the pool outside the timing, as a server does
    if pool is not None:
        list(pool.map(abs, range(workers)))
    start = time.perf_counter()
    results = list(intake.ingest_files(paths))
    elapsed = time.perf_counter() - start
    worker_kb = max((_peak_kb(pid) for pid in getattr(pool, "_processes", {}) or {}), default=0)
    intake.close()
    store.close()
    if any(r.outcome is not Outcome.STORED for r in results):
        raise SystemExit(f"unexpected outcomes: {[r for r in results if r.reason][:3]}")
    return elapsed, sum(r.rows for r in results), worker_kb


def _peak_kb(pid: int) -> int:
    """VmHWM (peak resident set) of a live process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def parse_only(paths: list[Path]) -> float:
    """Our decode + mapping + batch building without the store (one process)."""
    start = time.perf_counter()
    for path in paths:
        parsed = parse_path(str(path))
        if parsed.stream is not None:  # a large file: decoded in blocks
            sum(map(len, stream_batches(parsed.stream, IntakeLimits(), [])))
        elif parsed.batch is None:
            raise SystemExit(f"{path} did not parse: {parsed.reason}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=3000)
    parser.add_argument("--counters", type=int, default=50)
    parser.add_argument("--files", type=int, default=12, help="files per period")
    parser.add_argument("--periods", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-identity", action="store_true", help="store the DNs as written, no model mapping"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pm-") as tmp:
        scratch = Path(tmp)
        (scratch / "files").mkdir()
        paths = generate(scratch / "files", args.cells, args.counters, args.files, args.periods)
        values = args.cells * args.counters * args.periods
        out: dict[str, Any] = {
            "files": len(paths),
            "values": values,
            "mbytes": round(sum(p.stat().st_size for p in paths) / 1e6, 1),
            "workers": args.workers,
        }
        identity = None
        if not args.no_identity:
            identity = identity_for(bench_site(args.cells, args.files), scratch)
        out["model_mapping"] = identity is not None
        for label, workers in (("1proc", 1), (f"{args.workers}proc", args.workers)):
            bare_s = bare(paths, workers)
            intake_s, rows, worker_kb = intake_run(paths, workers, scratch, identity)
            assert rows == values, (rows, values)
            out[f"bare_lxml_{label}_values_per_s"] = round(values / bare_s)
            out[f"intake_{label}_values_per_s"] = round(values / intake_s)
            out[f"ratio_{label}"] = round(bare_s / intake_s, 3)
            if worker_kb:
                out["peak_rss_mb_parser_worker"] = round(worker_kb / 1024, 1)
        out["parse_only_1proc_values_per_s"] = round(values / parse_only(paths))
        out["ratio_intake_2proc_vs_bare_1proc"] = round(
            out[f"intake_{args.workers}proc_values_per_s"] / out["bare_lxml_1proc_values_per_s"], 3
        )
        self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["peak_rss_mb_main"] = round(self_kb / 1024, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
