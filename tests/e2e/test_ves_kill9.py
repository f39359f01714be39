"""Every event acknowledged with 202 survives `kill -9` of `openipn serve` and gets consumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from net_kit import free_port
from openipn.codecs.ves import Alarm, EventSource, batch_body, fault_event
from openipn.model.alarms import EventType, PerceivedSeverity

TOKEN = "kill9-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CLIENTS = 4
BATCH = 40


class Server:
    """`openipn serve` as a subprocess on a free loopback port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.exe = str(Path(sys.executable).with_name("openipn"))
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [self.exe, "serve", "--port", str(port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("openipn serve did not come up")

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = {
        **os.environ,
        "OPENIPN_DATA_DIR": str(tmp_path / "data"),
        "OPENIPN_DATABASE_URL": f"sqlite:///{tmp_path}/openipn.db",
        "OPENIPN_VES_TOKEN": TOKEN,
    }
    instance = Server(env)
    subprocess.run([instance.exe, "init"], env=env, check=True, capture_output=True)
    try:
        yield instance
    finally:
        instance.stop()


def load(base: str, client_no: int, acked: list[str], stop: threading.Event) -> None:
    """Post fault batches (one new alarm per event) until the server dies or stop is set."""
    source = EventSource(f"gnb-{client_no}", "gNB")
    with httpx.Client(base_url=base, headers=AUTH, timeout=10) as client:
        for n in range(1_000_000):
            if stop.is_set():
                return
            events = [
                fault_event(
                    source,
                    Alarm(f"cond-{n}-{i}", "test", EventType.EQUIPMENT_ALARM, "x"),
                    PerceivedSeverity.MAJOR,
                    at=T0 + timedelta(seconds=n),
                    sequence=n * BATCH + i,
                )
                for i in range(BATCH)
            ]
            try:
                response = client.post("/eventListener/v7/eventBatch", json=batch_body(events))
            except httpx.TransportError:
                return
            if response.status_code == 202:
                acked.extend(e["commonEventHeader"]["eventId"] for e in events)


def alarm_event_ids(base: str) -> list[str]:
    ids: list[str] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for page in range(1, 1000):
            body = client.get("/api/v1/alarms", params={"page": page, "page_size": 1000}).json()
            ids += [a["event_id"] for a in body["items"]]
            if page * 1000 >= body["total"]:
                return ids
    return ids


@pytest.mark.slow
def test_acknowledged_events_survive_kill_9(server: Server) -> None:
    server.start()
    acked: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=load, args=(server.base, n, acked, stop)) for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acked) < 2000 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill9()  # mid-load: requests are in flight
    stop.set()
    for thread in threads:
        thread.join(15)
    assert len(acked) >= 2000
    server.start()
    with httpx.Client(base_url=server.base, timeout=10) as client:
        deadline = time.monotonic() + 60
        while client.get("/api/v1/collector/ves").json()["backlog_events"]:
            assert time.monotonic() < deadline, "the consumer did not catch up"
            time.sleep(0.1)
    stored = alarm_event_ids(server.base)
    assert len(stored) == len(set(stored))  # no alarm applied twice
    missing = set(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged events lost"
