"""Benchmark of the VES journal consumer alone: how fast the handlers drain a journaled backlog.

Journals ``--events`` distinct events of a domain (the same bodies as bench_ves.py: faults that
raise, update and clear alarms over 200 keys per client; terminal reports of ~600 terminals
per client) into a temporary journal, then times the dispatcher delivering them to the handlers
`openipn serve` registers (alarms, heartbeat supervision, terminal status) on SQLite and a
Parquet telemetry store. ``--memo`` hands the consumer the events as the listener parsed them
(the live path while the backlog is below the memo bound); without it the consumer parses
from disk (the catch-up path after a restart). Prints one JSON result per domain.

    .venv/bin/python bench/bench_ves_consumer.py --events 200000 --memo
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_ves import body

from openipn.app import build_services, initialise
from openipn.codecs.ves_parse import parse_event
from openipn.collect.alarms import AlarmHandler
from openipn.collect.dispatch import Checkpoints, Dispatcher
from openipn.collect.heartbeats import HeartbeatPolicy, HeartbeatSupervisor
from openipn.collect.journal import JournalWriter
from openipn.runtime import event_handlers
from openipn.settings import Settings
from openipn.sitefile import load_site_file
from openipn.store.alarms import AlarmBook
from openipn.store.telemetry.parquet_store import open_telemetry_store

BATCH = 500
CLIENTS = 3
PLANT = Path(__file__).resolve().parents[1] / "examples" / "plant.yaml"


def journal(directory: Path, domain: str, events: int, memo: bool) -> JournalWriter:
    """A started journal writer holding ``events`` events (and their memos when asked)."""
    writer = JournalWriter(directory, max_queue_bytes=1 << 30, max_memo_events=events)
    writer.start()
    now = dt.datetime.now(dt.UTC)
    for k in range(events // BATCH):
        payload = body(domain, k % CLIENTS, (k // CLIENTS) * BATCH, BATCH)
        parsed = None
        if memo:
            items = json.loads(payload)["eventList"]
            parsed = ([parse_event(item) for item in items], items)
        writer.submit(payload, BATCH, now, parsed)
    while writer.durable_position < events // BATCH * BATCH:
        time.sleep(0.01)
    return writer


def run(domain: str, events: int, memo: bool, work: Path) -> dict[str, Any]:
    """Journal the events, then time the dispatcher until it has delivered them all.

    The handlers are those `openipn serve` runs, over the example plant's model.
    """
    settings = Settings(data_dir=work / "data", database_url=f"sqlite:///{work}/openipn.db")
    initialise(settings)
    services = build_services(settings)
    services.inventory.apply(load_site_file(PLANT), author="bench", reason="bench")
    engine = services.engine
    writer = journal(work / "journal", domain, events, memo)
    telemetry = open_telemetry_store(work / "telemetry")
    book = AlarmBook(engine)
    handlers = [
        AlarmHandler(book, services.identity.canonical_alarms),
        HeartbeatSupervisor(book, HeartbeatPolicy()),
        *event_handlers(services, telemetry),
    ]
    dispatcher = Dispatcher(
        work / "journal", Checkpoints(engine), handlers,
        durable=lambda: writer.durable_position, release=writer.release,
        memos=writer.take_memo, dead_letter=work / "dead-letter.jsonl", linger_s=0.0,
    )  # fmt: skip
    started = time.perf_counter()
    while dispatcher.run_once():
        pass
    elapsed = time.perf_counter() - started
    writer.stop()
    telemetry.close()
    services.close()
    return {
        "domain": domain, "events": dispatcher.position, "memo": memo,
        "seconds": round(elapsed, 2), "consumer_events_per_s": round(dispatcher.position / elapsed),
        "dead_lettered": dispatcher.dead_lettered,
    }  # fmt: skip


def main() -> None:
    """Parse options, run each domain in a fresh directory, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--memo", action="store_true", help="events as the listener parsed them")
    parser.add_argument("--domain", action="append", choices=["fault", "measurement"])
    args = parser.parse_args()
    for domain in args.domain or ["fault", "measurement"]:
        work = Path(tempfile.mkdtemp(prefix=f"bench-consumer-{domain}-"))
        try:
            print(json.dumps(run(domain, args.events, args.memo, work), indent=2), flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
