"""Benchmark of the VES collector and its consumers under a sustained, durable load.

For each domain asked (fault events for the alarm consumer, terminal-report measurement events
for the terminal consumer) it starts `openipn serve` as its own process (temporary data
directory, SQLite), then loads it from separate client processes, each with one keep-alive
connection posting eventBatch requests (``--batch`` events each) to 127.0.0.1 for ``--seconds``.
Every event is distinct (its own eventId, sequence and event time), so the consumers do real
work: faults raise, update and clear alarms in cycles over 200 keys per client; terminal reports
update ~600 terminals per client and append their samples. Every 202 means the batch was
fsynced to the journal. Prints one JSON result per domain: acknowledged events/s, consumer
events/s while loaded and overall, the drain time after the senders stop, 503 answers
(back-pressure) and the server's peak RSS (VmHWM).

    .venv/bin/python bench/bench_ves.py                      # fault, then measurement: 3 x 60 s
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from openipn.codecs.ves import EventSource, epoch_micros, heartbeat_event

TOKEN = "bench-token"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
T0_US = epoch_micros(T0)
KEYS = 200  # alarm keys per client
TERMINALS = 600  # terminals per client
_HEADER = (
    '{{"commonEventHeader":{{"domain":"{domain}","eventId":"{prefix}-{client}-{n}",'
    '"eventName":"{name}","sourceName":"{source}","reportingEntityName":"{source}",'
    '"priority":"Normal","sequence":{n},"startEpochMicrosec":{start},'
    '"lastEpochMicrosec":{last},"version":"4.1","vesEventListenerVersion":"7.2.1"}},'
)
_FAULT = _HEADER + (
    '"faultFields":{{"faultFieldsVersion":"4.0","alarmCondition":"cond{key}",'
    '"specificProblem":"bench {key}","eventSeverity":"{severity}","eventSourceType":"gNB",'
    '"vfStatus":"Active","alarmAdditionalInformation":{{"eventType":"EQUIPMENT_ALARM",'
    '"probableCause":"x"}}}}}}'
)
_MEASUREMENT = _HEADER + (
    '"measurementFields":{{"measurementFieldsVersion":"4.0","measurementInterval":10,'
    '"additionalFields":{{"reportType":"TerminalReport"}},"additionalMeasurements":[{{'
    '"name":"ue-{client}-{ue}","hashMap":{{"cell":"WS1-GNB01-C1","latencyMs":"{latency}",'
    '"connected":"true","registered":"true","xM":"{x}","yM":"5.0"}}}}]}}}}'
)
# A key's reports cycle raise (MAJOR), update (CRITICAL), clear (NORMAL), X.733 style.
_CYCLE = ("MAJOR", "CRITICAL", "NORMAL")


def fault_json(client: int, n: int) -> str:
    """Fault event n of a client: key n % KEYS, severity by its round."""
    key, at = n % KEYS, T0_US + n * 1000
    return _FAULT.format(
        domain="fault", prefix="f", client=client, n=n, name="Fault_gNB_bench",
        source=f"gnb-{client}-{key % 50}", start=at, last=at, key=key,
        severity=_CYCLE[(n // KEYS) % 3],
    )  # fmt: skip


def measurement_json(client: int, n: int) -> str:
    """Terminal report n of a client: one terminal's values (the twin's bulk traffic)."""
    at = T0_US + n * 1000
    return _MEASUREMENT.format(
        domain="measurement", prefix="m", client=client, n=n,
        name="Measurement_gNB_TerminalReport", source=f"tm-{client}", start=at - 10_000_000,
        last=at, ue=n % TERMINALS, latency=f"{1 + n % 97 / 10:.1f}", x=f"{n % 500 / 10:.1f}",
    )  # fmt: skip


def heartbeat_json(client: int, n: int) -> str:
    """A heartbeat event."""
    source = EventSource(f"gnb-{client}-{n % 50}", "gNB")
    at = T0 + timedelta(milliseconds=n)
    return json.dumps(heartbeat_event(source, at=at, sequence=n, interval_s=60))


MAKERS: dict[str, Callable[[int, int], str]] = {
    "fault": fault_json,
    "measurement": measurement_json,
    "heartbeat": heartbeat_json,
}


def body(domain: str, client: int, first: int, batch: int) -> bytes:
    """An eventBatch body of ``batch`` distinct events starting at number ``first``."""
    make = MAKERS[domain]
    events = ",".join(make(client, first + i) for i in range(batch))
    return ('{"eventList":[' + events + "]}").encode()


def client_main(base: str, domain: str, batch: int, seconds: float, client: int, out: Any) -> None:
    """Post batches of fresh events until time is up; report (acked events, 503s, errors)."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    acked = busy = errors = 0
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        end = time.monotonic() + seconds
        k = 0
        content = body(domain, client, 0, batch)
        while time.monotonic() < end:
            response = http.post("/eventListener/v7/eventBatch", content=content)
            if response.status_code == 202:
                acked += batch
                k += 1
                content = body(domain, client, k * batch, batch)
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


def collector_stats(base: str) -> dict[str, Any]:
    """The collector's positions (GET /api/v1/collector/ves)."""
    return dict(httpx.get(f"{base}/api/v1/collector/ves", timeout=60).json())


def load(args: argparse.Namespace, domain: str, base: str) -> tuple[list[Any], float]:
    """Run the client processes; their results and the load's duration."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    clients = [
        context.Process(target=client_main, args=(base, domain, args.batch, args.seconds, n, out))
        for n in range(args.clients)
    ]
    started = time.monotonic()
    for proc in clients:
        proc.start()
    results = [out.get() for _ in clients]
    elapsed = time.monotonic() - started
    for proc in clients:
        proc.join()
    return results, elapsed


def run(args: argparse.Namespace, domain: str, work: Path) -> dict[str, Any]:
    """Load a fresh server with one domain's events and measure."""
    process, base = start_server(work)
    try:
        results, elapsed = load(args, domain, base)
        at_end = collector_stats(base)
        drain_started = time.monotonic()
        while (stats := collector_stats(base))["backlog_events"]:
            time.sleep(0.1)
        drain = time.monotonic() - drain_started
        acked = sum(r[0] for r in results)
        busy = sum(r[1] for r in results)
        return {
            "domain": domain, "clients": args.clients, "batch": args.batch,
            "seconds": round(elapsed, 2), "acked_events": acked,
            "acked_events_per_s": round(acked / elapsed),
            "consumer_events_per_s_under_load": round(at_end["consumed"] / elapsed),
            "backlog_at_load_end": at_end["backlog_events"],
            "drain_seconds_after_load": round(drain, 2),
            "consumer_events_per_s": round(stats["consumed"] / (elapsed + drain)),
            "busy_503": busy, "any_503": busy > 0, "errors": sum(r[2] for r in results),
            "server_peak_rss_mb": round(peak_rss_mb(process.pid), 1),
            "dead_lettered": stats["dead_lettered"],
        }  # fmt: skip
    finally:
        process.terminate()
        process.wait(60)


def main() -> None:
    """Parse options, run each domain on a fresh server, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--domain",
        action="append",
        choices=sorted(MAKERS),
        help="repeatable; default: fault, measurement",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories")
    args = parser.parse_args()
    results = []
    for domain in args.domain or ["fault", "measurement"]:
        work = Path(tempfile.mkdtemp(prefix=f"bench-ves-{domain}-"))
        result = run(args, domain, work)
        if args.keep:
            result["work_dir"] = str(work)
        else:
            subprocess.run(["rm", "-rf", str(work)], check=False)
        results.append(result)
        print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main()
