"""Terminal reports in batches: one append per batch, samples stored once however redelivered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_terminals import T0, terminal

from openipn.app import Services
from openipn.codecs import ves
from openipn.codecs.terminal_report import REPORT_TYPE_KEY, TERMINAL_REPORT
from openipn.codecs.ves import NamedHashMap
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import StoredEvent
from openipn.collect.terminals import TerminalStatusHandler, terminal_dn
from openipn.store.schema import TerminalStatusRow
from openipn.store.telemetry.api import AppendResult, SampleBatch, Source
from openipn.store.telemetry.parquet_store import ParquetTelemetryStore, open_telemetry_store

MONITOR = ves.EventSource(name="terminal-monitor", nf_type="TerminalMonitor")


def report(position: int, name: str, minute: int, x: float) -> StoredEvent:
    """A terminal report at journal ``position`` for one terminal, at T0 + ``minute``."""
    event = ves.measurement_event(
        MONITOR,
        at=T0 + dt.timedelta(minutes=minute),
        sequence=position,
        interval_s=60,
        measurements=[NamedHashMap(name, terminal("4.0", f"{x:.2f}"))],
        additional={REPORT_TYPE_KEY: TERMINAL_REPORT},
        name_suffix=TERMINAL_REPORT,
    )
    return StoredEvent(position, dt.datetime.now(dt.UTC), parse_event(event), event)


def journal(count: int) -> list[StoredEvent]:
    """Reports at positions 0..count-1 for 4 terminals, minute = position."""
    return [report(p, f"agv-{p % 4}", p, float(p)) for p in range(count)]


class FailingOnce:
    """The real store, whose next append fails once after writing nothing (a crash)."""

    def __init__(self, store: ParquetTelemetryStore) -> None:
        self.store = store
        self.fail = True

    def append(
        self, batch: SampleBatch, *, source: Source, key: str | None, name: str
    ) -> AppendResult:
        if self.fail:
            self.fail = False
            raise OSError("disk went away")
        return self.store.append(batch, source=source, key=key, name=name)

    def seen(self, key: str) -> bool:
        return self.store.seen(key)


@pytest.fixture
def telemetry(tmp_path: Path) -> Iterator[ParquetTelemetryStore]:
    store = open_telemetry_store(tmp_path / "telemetry")
    try:
        yield store
    finally:
        store.close()


def positions(store: ParquetTelemetryStore) -> list[float]:
    """Every stored VS.UePosXM value (x = the report's position), sorted."""
    samples = store.samples(
        measurements=["VS.UePosXM"],
        objects=[terminal_dn(f"agv-{i}") for i in range(4)],
        start=T0 - dt.timedelta(hours=1),
        end=T0 + dt.timedelta(days=1),
    )
    return sorted(s.value for s in samples)


def test_a_batch_is_one_append_and_one_status_row_per_terminal(
    services: Services, telemetry: ParquetTelemetryStore
) -> None:
    TerminalStatusHandler(services.engine, telemetry).handle(journal(400))
    assert len(telemetry.catalog.all_files()) == 1  # one Parquet file, not one per event
    assert positions(telemetry) == [float(p) for p in range(400)]
    with Session(services.engine) as session:
        rows = {r.terminal: r.x_m for r in session.scalars(select(TerminalStatusRow))}
    assert rows == {"agv-0": 396.0, "agv-1": 397.0, "agv-2": 398.0, "agv-3": 399.0}


def test_redelivery_cut_differently_after_a_restart_stores_each_sample_once(
    services: Services, telemetry: ParquetTelemetryStore
) -> None:
    events = journal(12)
    TerminalStatusHandler(services.engine, telemetry).handle(events[:5])
    TerminalStatusHandler(services.engine, telemetry).handle(events[2:8])  # restarted
    restarted = TerminalStatusHandler(services.engine, telemetry)
    restarted.handle(events[3:6])
    restarted.handle(events[6:12])
    assert positions(telemetry) == [float(p) for p in range(12)]


def test_a_crash_between_status_and_append_loses_nothing(
    services: Services, telemetry: ParquetTelemetryStore
) -> None:
    events = journal(10)
    TerminalStatusHandler(services.engine, telemetry).handle(events[:4])
    failing = TerminalStatusHandler(services.engine, FailingOnce(telemetry))  # type: ignore[arg-type]
    with pytest.raises(OSError, match="disk went away"):
        failing.handle(events[4:8])  # the intent is recorded, the append is not
    TerminalStatusHandler(services.engine, telemetry).handle(events[2:10])  # after the restart
    assert positions(telemetry) == [float(p) for p in range(10)]


def test_a_retried_batch_after_a_failed_append_is_stored(
    services: Services, telemetry: ParquetTelemetryStore
) -> None:
    events = journal(6)
    handler = TerminalStatusHandler(services.engine, FailingOnce(telemetry))  # type: ignore[arg-type]
    with pytest.raises(OSError, match="disk went away"):
        handler.handle(events)
    handler.handle(events)  # the dispatcher's retry
    assert positions(telemetry) == [float(p) for p in range(6)]


def test_an_event_posted_again_by_its_sender_is_stored_once(
    services: Services, telemetry: ParquetTelemetryStore
) -> None:
    first = report(0, "agv-0", 0, 1.0)
    again = StoredEvent(7, first.received_at, first.event, first.raw)  # same eventId, new position
    handler = TerminalStatusHandler(services.engine, telemetry)
    handler.handle([first])
    handler.handle([again, again])
    assert positions(telemetry) == [1.0]


def test_more_terminals_than_one_statement_holds_are_all_kept(
    services: Services, telemetry: ParquetTelemetryStore
) -> None:
    events = [report(p, f"agv-{p}", 1, float(p)) for p in range(1234)]
    TerminalStatusHandler(services.engine, telemetry).handle(events)
    TerminalStatusHandler(services.engine, telemetry).handle(events[:700])  # nothing newer
    with Session(services.engine) as session:
        rows = {r.terminal: r.x_m for r in session.scalars(select(TerminalStatusRow))}
    assert rows == {f"agv-{p}": float(p) for p in range(1234)}
