"""The journal consumer: order, checkpoint restarts, retries, dead letters, segment cleanup."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from ves_kit import T0, fault, heartbeat, make_services, minutes, wait_until

from openipn.app import Services
from openipn.codecs.terminal_report import REPORT_TYPE_KEY, TERMINAL_REPORT
from openipn.codecs.ves import (
    Domain,
    Event,
    EventSource,
    NamedHashMap,
    batch_body,
    measurement_event,
)
from openipn.collect.alarms import AlarmHandler
from openipn.collect.dispatch import CONSUMER, Checkpoints, Dispatcher, RetryPolicy
from openipn.collect.events import StoredEvent
from openipn.collect.journal import JournalWriter, list_segments
from openipn.collect.terminals import TerminalStatusHandler, terminal_dn
from openipn.collect.ves_collector import VesCollector, VesCredentials, VesLimits
from openipn.model.alarms import PerceivedSeverity
from openipn.store.alarms import AlarmBook
from openipn.store.telemetry.parquet_store import open_telemetry_store

FAST_RETRY = RetryPolicy(attempts=3, initial_s=0.01, maximum_s=0.02)


class Recorder:
    """Remembers the positions and event ids it was given; fails the first ``fail`` calls."""

    name = "recorder"

    def __init__(self, domains: frozenset[Domain] = frozenset(Domain), fail: int = 0) -> None:
        self.domains = domains
        self.fail = fail
        self.positions: list[int] = []
        self.ids: list[str] = []
        self.calls = 0

    def handle(self, events: Sequence[StoredEvent]) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("handler not ready")
        self.calls += 1
        self.positions += [e.position for e in events]
        self.ids += [e.event.event_id for e in events]


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    yield built
    built.close()


def collector(services: Services, *handlers: object, **limits: int) -> VesCollector:
    built = VesCollector(
        services.settings.data_dir,
        Checkpoints(services.engine),
        list(handlers),  # type: ignore[arg-type]
        credentials=VesCredentials(required=False),
        limits=VesLimits(**limits),
        retry=FAST_RETRY,
    )
    built.start()
    return built


def send(target: VesCollector, events: list[Event]) -> int:
    body = json.dumps(batch_body(events)).encode()
    return target.submit(body, len(events)).result(5)


def consumed(target: VesCollector) -> None:
    wait_until(lambda: target.dispatcher.position == target.journal.durable_position)


def alarm_rows(services: Services) -> list[tuple[str, str, bool]]:
    page = AlarmBook(services.engine).page(page_size=1000)
    return sorted((a.condition, a.severity, a.active) for a in page.items)


def test_events_reach_handlers_in_order_by_domain(services: Services) -> None:
    everything, faults_only = Recorder(), Recorder(frozenset({Domain.FAULT}))
    target = collector(services, everything, faults_only)
    send(target, [heartbeat("gnb-01", T0), heartbeat("gnb-02", T0)])
    send(target, [fault(sequence=1)])
    send(target, [heartbeat("gnb-01", T0 + minutes(1))])
    consumed(target)
    target.stop()
    assert everything.positions == [0, 1, 2, 3]
    assert faults_only.positions == [2]
    assert Checkpoints(services.engine).load(CONSUMER) == 4


def test_restart_resumes_without_losing_or_double_applying(services: Services) -> None:
    book = AlarmBook(services.engine)
    first = Recorder()
    target = collector(services, AlarmHandler(book), first)
    send(target, [fault("gnb-01", "cellOutage", PerceivedSeverity.MAJOR, at=T0)])
    send(target, [fault("gnb-01", "cellOutage", PerceivedSeverity.CLEARED, at=T0 + minutes(1))])
    send(target, [fault("gnb-01", "cellOutage", PerceivedSeverity.CRITICAL, at=T0 + minutes(2))])
    consumed(target)
    target.stop()
    before = alarm_rows(services)
    assert before == [("cellOutage", "CRITICAL", True), ("cellOutage", "MAJOR", False)]
    # A crash after delivery but before the checkpoint: everything is delivered again.
    Checkpoints(services.engine).save(CONSUMER, 0)
    again = Recorder()
    target = collector(services, AlarmHandler(book), again)
    send(target, [fault("gnb-02", "linkDown", PerceivedSeverity.MINOR, at=T0 + minutes(3))])
    consumed(target)
    target.stop()
    assert again.positions == [0, 1, 2, 3]  # redelivered from the checkpoint, nothing lost
    assert alarm_rows(services) == [*before, ("linkDown", "MINOR", True)]
    # A clean restart delivers nothing twice.
    third = Recorder()
    target = collector(services, AlarmHandler(book), third)
    send(target, [heartbeat("gnb-01", T0)])
    consumed(target)
    target.stop()
    assert third.positions == [4]


def test_failing_handler_is_retried(services: Services) -> None:
    flaky = Recorder(fail=2)
    target = collector(services, flaky)
    send(target, [heartbeat("gnb-01", T0)])
    consumed(target)
    target.stop()
    assert flaky.positions == [0]
    assert not (services.settings.data_dir / "ves" / "dead-letter.jsonl").exists()


def test_hopeless_handler_is_dead_lettered_and_skipped(services: Services) -> None:
    broken, healthy = Recorder(fail=10_000), Recorder()
    target = collector(services, broken, healthy)
    event = fault(sequence=5)
    send(target, [event])
    send(target, [heartbeat("gnb-01", T0)])
    consumed(target)
    target.stop()
    assert healthy.positions == [0, 1]
    lines = (services.settings.data_dir / "ves" / "dead-letter.jsonl").read_text().splitlines()
    letters = [json.loads(line) for line in lines]
    assert [(d["handler"], d["first"], d["end"]) for d in letters] == [
        ("recorder", 0, 1), ("recorder", 1, 2)
    ]  # fmt: skip
    assert letters[0]["events"] == [event]
    assert "handler not ready" in letters[0]["error"]
    assert target.stats()["dead_lettered"] == 2


def test_consumed_segments_are_deleted(services: Services) -> None:
    target = collector(services, Recorder(), segment_bytes=2000)
    for n in range(20):
        send(target, [heartbeat(f"gnb-{n}", T0)])
    journal_dir = services.settings.data_dir / "ves" / "journal"
    assert len(list_segments(journal_dir)) > 3
    consumed(target)
    target.stop()  # saves the checkpoint and releases
    assert len(list_segments(journal_dir)) == 1


def terminal_event(n: int) -> Event:
    """A terminal report (one terminal of 3) at T0 + n minutes whose xM is n."""
    values = {"registered": "true", "connected": "true", "cell": "c1", "xM": f"{n}.0"}
    return measurement_event(
        EventSource("terminal-monitor", "TerminalMonitor"),
        at=T0 + minutes(n),
        sequence=n,
        interval_s=60,
        measurements=[NamedHashMap(f"agv-{n % 3}", values)],
        additional={REPORT_TYPE_KEY: TERMINAL_REPORT},
        name_suffix=TERMINAL_REPORT,
    )


def test_redelivered_terminal_reports_store_their_samples_once(
    services: Services, tmp_path: Path
) -> None:
    telemetry = open_telemetry_store(tmp_path / "telemetry")
    try:
        target = collector(services, TerminalStatusHandler(services.engine, telemetry))
        for k in range(4):
            send(target, [terminal_event(n) for n in range(k * 50, k * 50 + 50)])
        consumed(target)
        target.stop()
        assert len(telemetry.catalog.all_files()) <= 4  # one append per delivered batch
        # A crash after delivery but before the checkpoint: everything is delivered again.
        Checkpoints(services.engine).save(CONSUMER, 60)
        target = collector(services, TerminalStatusHandler(services.engine, telemetry))
        send(target, [terminal_event(n) for n in range(200, 210)])
        consumed(target)
        target.stop()
        samples = telemetry.samples(
            measurements=["VS.UePosXM"],
            objects=[terminal_dn(f"agv-{i}") for i in range(3)],
            start=T0 - minutes(5),
            end=T0 + minutes(300),
        )
        assert sorted(s.value for s in samples) == [float(n) for n in range(210)]
    finally:
        telemetry.close()


def test_a_small_backlog_waits_briefly_for_a_fuller_batch(
    services: Services, tmp_path: Path
) -> None:
    writer = JournalWriter(tmp_path / "journal", max_queue_bytes=1 << 20)
    writer.start()
    try:
        for n in range(10):
            body = json.dumps(batch_body([heartbeat(f"gnb-{n}", T0)])).encode()
            writer.submit(body, 1, T0).result(5)
        recorder = Recorder()
        dispatcher = Dispatcher(
            tmp_path / "journal", Checkpoints(services.engine), [recorder],
            durable=lambda: writer.durable_position, release=writer.release,
            dead_letter=tmp_path / "dead-letter.jsonl", min_batch_events=10, linger_s=0.3,
        )  # fmt: skip
        assert dispatcher.run_once()  # a full batch goes at once, in one call
        assert recorder.positions == list(range(10)) and recorder.calls == 1
        body = json.dumps(batch_body([heartbeat("gnb-x", T0)])).encode()
        writer.submit(body, 1, T0).result(5)
        assert not dispatcher.run_once()  # one event waits for company …
        assert recorder.positions == list(range(10))
        wait_until(dispatcher.run_once, timeout=5)  # … but not for long
        assert recorder.positions == list(range(11)) and recorder.calls == 2
    finally:
        writer.stop()
