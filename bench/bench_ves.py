"""Benchmark of the VES collector: acknowledged events/s with durable acknowledgement.

Starts `openipn serve` as its own process (temporary data directory, SQLite), then loads it
from separate client processes, each with one keep-alive connection posting eventBatch
requests (``--batch`` events each, pre-encoded) to 127.0.0.1 for ``--seconds``. Every 202
means the batch was fsynced to the journal. Prints one JSON result: acknowledged events/s,
503 answers (back-pressure), the time the consumer needed to drain the backlog, and the
server's peak RSS (VmHWM).

    .venv/bin/python bench/bench_ves.py                      # 4 clients x 20 s, 500/batch
    .venv/bin/python bench/bench_ves.py --clients 2 --seconds 5 --domain heartbeat
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from openipn.codecs.ves import (
    Alarm,
    AlarmEventType,
    EventSource,
    Severity,
    batch_body,
    epoch_micros,
    fault_event,
    heartbeat_event,
)

TOKEN = "bench-token"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def measurement(source: str, at: datetime, n: int) -> dict[str, Any]:
    """A measurement event with one terminal's values (the twin's bulk traffic)."""
    micros = epoch_micros(at)
    return {
        "commonEventHeader": {
            "domain": "measurement", "eventId": f"m-{source}-{n}",
            "eventName": "Measurement_gNB_TerminalReport", "sourceName": source,
            "reportingEntityName": source, "priority": "Normal", "sequence": n,
            "startEpochMicrosec": micros - 10_000_000, "lastEpochMicrosec": micros,
            "version": "4.1", "vesEventListenerVersion": "7.2.1",
        },
        "measurementFields": {
            "measurementFieldsVersion": "4.0", "measurementInterval": 10,
            "additionalFields": {"reportType": "TerminalReport"},
            "additionalMeasurements": [{"name": f"ue-{n % 600}", "hashMap": {
                "cell": "WS1-GNB01-C1", "latencyMs": "4.2", "connected": "true"}}],
        },
    }  # fmt: skip


def make_event(domain: str, client: int, n: int) -> dict[str, Any]:
    """One event of the chosen domain, distinct per client and n."""
    at = T0 + timedelta(milliseconds=n)
    source = f"gnb-{client}-{n % 50}"
    if domain == "heartbeat":
        return heartbeat_event(EventSource(source, "gNB"), at=at, sequence=n, interval_s=60)
    if domain == "fault":
        alarm = Alarm(f"cond{n % 200}", "bench", AlarmEventType.EQUIPMENT_ALARM, "x")
        severity = Severity.MAJOR if n % 2 else Severity.NORMAL
        return fault_event(EventSource(source, "gNB"), alarm, severity, at=at, sequence=n)
    return measurement(source, at, n)


def client_main(base: str, domain: str, batch: int, seconds: float, client: int, out: Any) -> None:
    """Post pre-encoded batches until time is up; report (acked events, 503s, other errors)."""
    bodies = [
        json.dumps(
            batch_body([make_event(domain, client, k * batch + i) for i in range(batch)])
        ).encode()
        for k in range(20)
    ]
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    acked = busy = errors = 0
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        end = time.monotonic() + seconds
        k = 0
        while time.monotonic() < end:
            response = http.post("/eventListener/v7/eventBatch", content=bodies[k % len(bodies)])
            k += 1
            if response.status_code == 202:
                acked += batch
            elif response.status_code == 503:
                busy += 1
                time.sleep(float(response.headers.get("Retry-After", "1")) / 10)
            else:
                errors += 1
    out.put((acked, busy, errors))


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`openipn init` and `openipn serve` in ``work``; returns the process and its base URL."""
    env = {
        **os.environ,
        "OPENIPN_DATA_DIR": str(work / "data"),
        "OPENIPN_DATABASE_URL": f"sqlite:///{work}/openipn.db",
        "OPENIPN_VES_TOKEN": TOKEN,
    }
    exe = str(Path(sys.executable).with_name("openipn"))
    subprocess.run([exe, "init"], env=env, check=True, capture_output=True)
    port = free_port()
    log = (work / "serve.log").open("wb")
    process = subprocess.Popen(
        [exe, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("openipn serve did not start")


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Load the server and measure."""
    process, base = start_server(work)
    try:
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        clients = [
            context.Process(
                target=client_main, args=(base, args.domain, args.batch, args.seconds, n, out)
            )
            for n in range(args.clients)
        ]
        started = time.monotonic()
        for proc in clients:
            proc.start()
        results = [out.get() for _ in clients]
        elapsed = time.monotonic() - started
        for proc in clients:
            proc.join()
        drain_started = time.monotonic()
        while httpx.get(f"{base}/api/v1/collector/ves", timeout=30).json()["backlog_events"]:
            time.sleep(0.1)
        drain = time.monotonic() - drain_started
        stats = httpx.get(f"{base}/api/v1/collector/ves", timeout=30).json()
        acked = sum(r[0] for r in results)
        return {
            "domain": args.domain, "clients": args.clients, "batch": args.batch,
            "seconds": round(elapsed, 2), "acked_events": acked,
            "acked_events_per_s": round(acked / args.seconds),
            "busy_503": sum(r[1] for r in results), "errors": sum(r[2] for r in results),
            "drain_seconds_after_load": round(drain, 2),
            "consumed_events_per_s": round(stats["consumed"] / (elapsed + drain)),
            "server_peak_rss_mb": round(peak_rss_mb(process.pid), 1),
            "dead_lettered": stats["dead_lettered"],
        }  # fmt: skip
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    """Parse options, run once, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--domain", choices=["measurement", "heartbeat", "fault"], default="measurement"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ves-"))
    result = run(args, work)
    if args.keep:
        result["work_dir"] = str(work)
    else:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
