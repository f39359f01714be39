"""The terminal report handler: status rows by event time, idempotent history in the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from openipn.app import Services
from openipn.codecs import ves
from openipn.codecs.terminal_report import REPORT_TYPE_KEY, TERMINAL_REPORT
from openipn.codecs.ves import NamedHashMap
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import StoredEvent
from openipn.collect.terminals import TerminalStatusHandler, terminal_dn
from openipn.store.schema import TerminalStatusRow
from openipn.store.telemetry.api import TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
MONITOR = ves.EventSource(name="terminal-monitor", nf_type="TerminalMonitor")
_position = iter(range(1, 1_000_000))


def terminal(latency: str | None, x: str, cell: str = "c1", **more: str) -> dict[str, str]:
    values = {"registered": "true", "connected": "true", "cell": cell, "xM": x, "yM": "5.00"}
    values |= {"snssai": "01000001", "supi": "imsi-001010000000001", "dlBps": "1000"}
    if latency is not None:
        values["latencyMs"] = latency
    return values | more


def stored(at: dt.datetime, terminals: Mapping[str, Mapping[str, str]], **kw: str) -> StoredEvent:
    event = ves.measurement_event(
        MONITOR,
        at=at,
        sequence=next(_position),
        interval_s=60,
        measurements=[NamedHashMap(n, dict(v)) for n, v in terminals.items()],
        additional={REPORT_TYPE_KEY: kw.get("report_type", TERMINAL_REPORT)},
        name_suffix=TERMINAL_REPORT,
    )
    return StoredEvent(next(_position), dt.datetime.now(dt.UTC), parse_event(event), event)


@pytest.fixture
def telemetry(tmp_path: Path) -> Iterator[TelemetryStore]:
    store = open_telemetry_store(tmp_path / "telemetry")
    try:
        yield store
    finally:
        store.close()


def status(services: Services) -> dict[str, TerminalStatusRow]:
    with Session(services.engine) as session:
        return {row.terminal: row for row in session.scalars(select(TerminalStatusRow))}


def history(store: TelemetryStore, name: str, measurement: str) -> list[tuple[dt.datetime, float]]:
    samples = store.samples(
        measurements=[measurement],
        objects=[terminal_dn(name)],
        start=T0 - dt.timedelta(hours=1),
        end=T0 + dt.timedelta(hours=1),
    )
    return [(s.start, s.value) for s in samples if s.object == terminal_dn(name)]


def test_newest_report_wins_whatever_the_delivery_order(
    services: Services, telemetry: TelemetryStore
) -> None:
    handler = TerminalStatusHandler(services.engine, telemetry)
    early = stored(T0, {"agv-1": terminal("4.000", "1.00"), "agv-2": terminal(None, "2.00")})
    late = stored(T0 + dt.timedelta(minutes=1), {"agv-1": terminal("9.500", "3.00", "c2")})
    handler.handle([late])
    handler.handle([early])  # the early one arrives late
    handler.handle([early, late])  # both again, in one batch
    rows = status(services)
    assert rows["agv-1"].latency_ms == 9.5 and rows["agv-1"].cell == "c2"
    assert rows["agv-1"].x_m == 3.0
    assert rows["agv-1"].reported_at.replace(tzinfo=dt.UTC) == late.event.last
    assert rows["agv-2"].latency_ms is None and rows["agv-2"].registered
    assert rows["agv-1"].slice == "01000001" and rows["agv-1"].supi == "imsi-001010000000001"
    assert rows["agv-1"].detail["dlBps"] == 1000.0


def test_history_is_stored_once_per_event_in_event_time(
    services: Services, telemetry: TelemetryStore
) -> None:
    handler = TerminalStatusHandler(services.engine, telemetry)
    first = stored(T0, {"agv-1": terminal("4.000", "1.00"), "agv-10": terminal(None, "2.00")})
    second = stored(T0 + dt.timedelta(minutes=1), {"agv-1": terminal("6.000", "1.50")})
    handler.handle([first, second])
    handler.handle([first])  # redelivered after a crash
    assert history(telemetry, "agv-1", "VS.UeLatencyMs") == [
        (T0 - dt.timedelta(minutes=1), 4.0),
        (T0, 6.0),
    ]
    assert history(telemetry, "agv-1", "VS.UePosXM") == [
        (T0 - dt.timedelta(minutes=1), 1.0),
        (T0, 1.5),
    ]
    assert history(telemetry, "agv-10", "VS.UeLatencyMs") == []  # unknown is not stored as 0
    assert history(telemetry, "agv-10", "VS.UeRegistered") == [(T0 - dt.timedelta(minutes=1), 1.0)]


def test_other_measurements_and_unreadable_values_are_left_out(
    services: Services, telemetry: TelemetryStore
) -> None:
    handler = TerminalStatusHandler(services.engine, telemetry)
    other = stored(T0, {"vm-1": terminal("1.0", "1.0")}, report_type="cpu")
    bad = stored(T0, {"agv-3": terminal("fast", "1.00", registered="maybe")})
    handler.handle([other, bad])
    rows = status(services)
    assert "vm-1" not in rows
    assert rows["agv-3"].latency_ms is None and rows["agv-3"].x_m == 1.0
    assert not rows["agv-3"].registered
    assert history(telemetry, "agv-3", "VS.UeLatencyMs") == []
    assert history(telemetry, "agv-3", "VS.UePosXM") == [(T0 - dt.timedelta(minutes=1), 1.0)]
