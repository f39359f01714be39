"""Back-pressure: a consumer that falls behind turns acknowledgements into 503 + Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from ves_kit import BEARER, T0, heartbeat, make_services, running, wait_until

from openipn.codecs.ves import Domain, batch_body
from openipn.collect.events import StoredEvent
from openipn.collect.ves_collector import build_ves_collector
from openipn.runtime import Runtime, ves_config

BATCH = "/eventListener/v7/eventBatch"


class Gate:
    """A handler that blocks until opened: a consumer that has fallen behind."""

    name = "gate"
    domains = frozenset(Domain)

    def __init__(self) -> None:
        self.open = threading.Event()
        self.seen = 0

    def handle(self, events: Sequence[StoredEvent]) -> None:
        self.open.wait(30)
        self.seen += len(events)


def test_slow_consumer_gets_503_then_recovers(tmp_path: Path) -> None:
    services = make_services(tmp_path, ves_max_backlog_events=50)
    gate = Gate()
    collector = build_ves_collector(ves_config(services.settings), services.engine, [gate])
    runtime = Runtime(ves=collector, workers=[collector])
    try:
        with running(services, runtime) as client:
            statuses = []
            for n in range(10):
                body = batch_body([heartbeat(f"gnb-{n}-{i}", T0) for i in range(10)])
                response = client.post(BATCH, json=body, headers=BEARER)
                statuses.append(response.status_code)
                if response.status_code == 503:
                    assert int(response.headers["Retry-After"]) > 0
                    assert "wait for processing" in response.json()["detail"]
                    break
            assert statuses[:5] == [202] * 5 and statuses[-1] == 503
            stored = client.get("/api/v1/collector/ves").json()
            assert stored["journaled"] == 10 * (len(statuses) - 1)
            gate.open.set()
            wait_until(lambda: client.get("/api/v1/collector/ves").json()["backlog_events"] == 0)
            body = batch_body([heartbeat("gnb-late", T0)])
            assert client.post(BATCH, json=body, headers=BEARER).status_code == 202
            wait_until(lambda: gate.seen == stored["journaled"] + 1)
    finally:
        gate.open.set()
        services.close()
