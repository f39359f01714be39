"""Peak memory of PM intake on one large file and on a gzip bomb, each in a fresh process.

Writes a TS 32.435 file of about `--mbytes` MB (`--counters` counters per cell, cells split
into measInfo blocks of 10,000) and a gzip bomb (`--bomb-gbytes` GB of content in a few KB of
multi-member gzip) to a temp dir, then ingests each with `PmIntake.ingest_files` in a child
process and reports the child's peak RSS (`os.wait4` rusage ru_maxrss), its time, what became
of the file, and the peak as a multiple of the file size. The limit for the bomb is the
default `OPENIPN_PM_MAX_BYTES` (1 GiB).

Usage: .venv/bin/python bench/bench_pm_memory.py [--mbytes 200] [--counters 50] [--bomb-gbytes 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NS = "http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<measCollecFile xmlns="{NS}"><fileHeader fileFormatVersion="32.435 V10.0"'
    ' vendorName="bench" dnPrefix="SubNetwork=G3"><fileSender localDn="seliitdus00487"/>'
    '<measCollec beginTime="2025-03-01T10:00:00Z"/></fileHeader>'
    '<measData><managedElement localDn="seliitdus00487"/>\n'
)
TAIL = (
    '</measData><fileFooter><measCollec endTime="2025-03-01T10:15:00Z"/></fileFooter>'
    "</measCollecFile>\n"
)
ROWS_PER_INFO = 10_000


def _info(first: int, rows: int, counters: int) -> str:
    types = "".join(f'<measType p="{p}">VS.Bench.C{p}</measType>' for p in range(1, counters + 1))
    out = [
        f'<measInfo measInfoId="b{first}"><granPeriod duration="PT900S"'
        f' endTime="2025-03-01T10:15:00Z"/>{types}\n'
    ]
    for cell in range(first, first + rows):
        results = "".join(
            f'<r p="{p}">{(cell * 31 + p * 7) % 100_000}</r>' for p in range(1, counters + 1)
        )
        out.append(
            f'<measValue measObjLdn="GNBDUFunction=1,NRCellDU={cell}">{results}</measValue>\n'
        )
    out.append("</measInfo>\n")
    return "".join(out)


def write_big(path: Path, mbytes: int, counters: int) -> int:
    """Write the large file piece by piece; return its number of values."""
    target, cells = mbytes * 1_000_000, 0
    with path.open("w") as out:
        out.write(HEAD)
        while out.tell() < target:
            out.write(_info(cells, ROWS_PER_INFO, counters))
            cells += ROWS_PER_INFO
        out.write(TAIL)
    return cells * counters


def write_bomb(path: Path, gbytes: float) -> None:
    """Multi-member gzip of white space after a PM file head: `gbytes` GB inflated."""
    member = gzip.compress(b" " * (64 << 20), compresslevel=9)
    with path.open("wb") as out:
        out.write(gzip.compress(HEAD.encode()))
        for _ in range(int(gbytes * 1e9 / (64 << 20)) + 1):
            out.write(member)


CHILD = """
import json, sys, time
from pathlib import Path
from openipn.collect.pm_intake import PmIntake
from openipn.store.telemetry.parquet_store import open_telemetry_store
path, scratch = Path(sys.argv[1]), Path(sys.argv[2])
store = open_telemetry_store(scratch / "store")
start = time.perf_counter()
[result] = PmIntake(store, scratch / "quarantine").ingest_files([path], move_bad=False)
print(json.dumps({"outcome": str(result.outcome), "rows": result.rows,
                  "reason": result.reason, "seconds": round(time.perf_counter() - start, 1)}))
store.close()
"""


def ingest_in_child(path: Path, scratch: Path) -> dict[str, Any]:
    """Ingest one file in a fresh interpreter; its answer and peak RSS."""
    size = path.stat().st_size
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(scratch)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    answer = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"child failed ({child.returncode}) on {path}")
    peak_mb = usage.ru_maxrss / 1024  # Linux: kB
    return json.loads(answer) | {
        "file_mb": round(size / 1e6, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "peak_over_file": round(peak_mb / (size / 2**20), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mbytes", type=int, default=200)
    parser.add_argument("--counters", type=int, default=50)
    parser.add_argument("--bomb-gbytes", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pm-memory-") as tmp:
        scratch = Path(tmp)
        big, bomb = scratch / "A_big.xml", scratch / "A_bomb.xml.gz"
        started = time.perf_counter()
        values = write_big(big, args.mbytes, args.counters)
        write_bomb(bomb, args.bomb_gbytes)
        out: dict[str, Any] = {"generate_s": round(time.perf_counter() - started, 1)}
        out["large_file"] = ingest_in_child(big, scratch / "run-big") | {"values": values}
        out["gzip_bomb"] = ingest_in_child(bomb, scratch / "run-bomb")
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
