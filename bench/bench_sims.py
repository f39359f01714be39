"""Benchmark the bulk SIM import and subscription paging; prints one JSON result.

Usage: .venv/bin/python bench/bench_sims.py [--rows N] [--database-url URL | --start-postgres]
See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from openipn.app import Services, build_services, initialise
from openipn.model.identifiers import luhn_digit
from openipn.settings import Settings
from openipn.sitefile import parse_site_text
from openipn.store.sim_csv import import_sims

SITE = """\
site: {name: bench, anchor: {latitude: 31.3, longitude: 120.6}}
snpn: {plmn: {mcc: "999", mnc: "99"}, nid: "10000000001"}
areas:
  - {name: WS1, polygon: [[0,0],[100,0],[100,50],[0,50]]}
permits:
  - {name: P1, number: "X-1", holder: Bench, valid_from: 2026-01-01, valid_until: 2030-12-31,
     ranges: [{start_mhz: 5925, end_mhz: 6125}], max_eirp_dbm: 40,
     area: [[0,0],[100,0],[100,50],[0,50]]}
managed_elements:
  - {name: ME-GNB1, role: gnb, vendor: Acme}
gnbs:
  - {name: GNB1, managed_element: ME-GNB1, gnb_id: 1}
cells:
  - {name: C1, gnb: GNB1, cell_local_id: 1, pci: 10, tac: 1, arfcn_dl: 801667, slices: [s1]}
upfs:
  - {name: UPF1, dnns: [factory, video], slices: [s1]}
slices:
  - {name: s1, sst: 1}
sim_profiles:
  - {name: sensors, slices: [s1], dnns: [factory]}
  - {name: cameras, slices: [s1], dnns: [factory, video], five_qi: 7}
  - {name: agv, slices: [s1], dnns: [factory], five_qi: 82}
"""
PROFILES = ("sensors", "cameras", "agv")
HEADER = ("imsi", "iccid", "k", "op", "opc", "profile", "imei", "description")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="SIM rows (default 100000)")
    parser.add_argument("--op-every", type=int, default=10, help="every Nth row gives OP")
    parser.add_argument("--imei-every", type=int, default=2, help="every Nth row binds an IMEI")
    parser.add_argument("--requests", type=int, default=30, help="requests per page measured")
    parser.add_argument("--page-size", type=int, default=100)
    db = parser.add_mutually_exclusive_group()
    db.add_argument("--database-url", help="an EMPTY database (default: SQLite in a temp dir)")
    db.add_argument("--start-postgres", action="store_true", help="start a throw-away server")
    parser.add_argument(
        "--reimport", action="store_true", help="also time re-importing with update (no-op)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir, print its path")
    return parser.parse_args(argv)


def generate(path: Path, rows: int, op_every: int, imei_every: int) -> None:
    """Write `rows` valid SIM rows: Luhn ICCIDs and IMEIs, random K and OPc, some with OP."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for index in range(rows):
            iccid = f"8986{index:015d}"
            imei = f"35693803{index:06d}" if index % imei_every == 0 else ""
            secret = os.urandom(16).hex()
            use_op = index % op_every == 0
            writer.writerow(
                (
                    f"99999{index:010d}",
                    iccid + luhn_digit(iccid),
                    os.urandom(16).hex(),
                    secret if use_op else "",
                    "" if use_op else secret,
                    PROFILES[index % len(PROFILES)],
                    imei + luhn_digit(imei) if imei else "",
                    f"bench SIM {index}" if index % 5 == 0 else "",
                )
            )


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str | None]:
    """The database URL to use: given, a throw-away PostgreSQL, or None (SQLite)."""
    if not args.start_postgres:
        yield args.database_url
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pgserver import PostgresServer  # type: ignore[import-not-found]

    with PostgresServer() as server:
        yield server.url


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed_import(services: Services, path: Path, *, update: bool = False) -> dict[str, Any]:
    """Import the file once; seconds overall and for the checking phase (before the write)."""
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        if 2 * done == total:
            marks.setdefault("checked", time.perf_counter())

    start = time.perf_counter()
    report = import_sims(
        services, path, update=update, author="bench", reason="bench", progress=progress
    )
    seconds = time.perf_counter() - start
    if report.errors:
        raise SystemExit("import failed:\n" + "\n".join(map(str, report.errors[:20])))
    return {
        "seconds": round(seconds, 2),
        "check_seconds": round(marks.get("checked", start) - start, 2),
        "rows_per_s": round(report.rows / seconds),
        "created": report.created,
        "unchanged": report.unchanged,
        "version": report.version,
    }


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """`openipn serve` as its own process on 127.0.0.1; yields its base URL."""
    port = free_port()
    env = {**os.environ, "OPENIPN_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["OPENIPN_DATABASE_URL"] = settings.database_url
    exe = str(Path(sys.executable).with_name("openipn"))
    server = subprocess.Popen(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("openipn serve did not answer within 30 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def page_fetcher(client: httpx.Client, page_size: int) -> Callable[[int], int]:
    """A function fetching one page of subscriptions over HTTP (keep-alive connection)."""

    def fetch(page: int) -> int:
        response = client.get(f"/api/v1/subscriptions?page={page}&page_size={page_size}")
        response.raise_for_status()
        return len(response.json()["items"])

    return fetch


def page_latency(fetch: Callable[[int], int], page: int, requests: int) -> dict[str, float]:
    """Median and p95 latency (ms) of fetching one page, after one warm-up request."""
    items = fetch(page)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        fetch(page)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {
        "page": page,
        "items": items,
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
    }


def run(args: argparse.Namespace, work: Path, database_url: str | None) -> dict[str, Any]:
    """Generate, initialise, apply the site, import, then measure paging."""
    csv_path = work / "sims.csv"
    start = time.perf_counter()
    generate(csv_path, args.rows, args.op_every, args.imei_every)
    generated = time.perf_counter() - start
    settings = Settings(data_dir=work / "data", database_url=database_url)
    initialise(settings)
    services = build_services(settings)
    try:
        services.inventory.apply(parse_site_text(SITE), author="bench", reason="bench site")
        result: dict[str, Any] = {
            "rows": args.rows,
            "backend": services.engine.dialect.name,
            "generate_seconds": round(generated, 2),
            "csv_mib": round(csv_path.stat().st_size / 2**20, 1),
            "import": timed_import(services, csv_path),
            "peak_rss_mib": peak_rss_mib(),
        }
        if args.reimport:
            result["reimport_update_unchanged"] = timed_import(services, csv_path, update=True)
            result["peak_rss_mib_after_reimport"] = peak_rss_mib()
        last = max(1, -(-args.rows // args.page_size))
        pages = sorted({1, (last + 1) // 2, last})
        with served(settings) as base, httpx.Client(base_url=base, timeout=30) as client:
            fetch = page_fetcher(client, args.page_size)
            result["paging"] = {
                "via": "GET /api/v1/subscriptions over HTTP to `openipn serve` on 127.0.0.1",
                "page_size": args.page_size,
                "requests": args.requests,
                "pages": [page_latency(fetch, page, args.requests) for page in pages],
            }
        return result
    finally:
        services.close()


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its JSON result."""
    args = parse_args(argv)
    with ExitStack() as stack:
        if args.keep:
            work = Path(tempfile.mkdtemp(prefix="openipn-bench-"))
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="openipn-bench-")))
        database_url = stack.enter_context(database(args))
        result = run(args, work, database_url)
        if args.keep:
            result["work_dir"] = str(work)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
