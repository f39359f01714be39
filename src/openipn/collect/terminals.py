"""Terminal reports from the VES journal: the live status table and each terminal's history.

A terminal report is a VES measurement event whose `additionalFields.reportType` is
`TerminalReport` (see `openipn.codecs.terminal_report.TerminalKey`): one named hashMap per
terminal. For each terminal the handler keeps the newest report in `terminal_status` (by
event time, so a redelivered or late event never moves a terminal back in time) and appends
the numeric values to the telemetry store as `VS.Ue…` series of the object `Terminal=<name>`
(the terminal's name: every terminal has one, not every terminal has a SUPI, and the name is
what operators and the model use), keyed by the event id so a redelivery stores nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openipn.codecs.terminal_report import (
    REPORT_TYPE_KEY,
    TERMINAL_REPORT,
    TERMINAL_SERIES,
    TerminalKey,
)
from openipn.codecs.ves import Domain, VesEvent
from openipn.collect.events import StoredEvent
from openipn.store.schema import TerminalStatusRow
from openipn.store.telemetry.api import SampleBatch, Source, TelemetryStore

log = logging.getLogger(__name__)

OBJECT_PREFIX = "Terminal="
MEASUREMENTS: tuple[str, ...] = tuple(TERMINAL_SERIES.values())
_MEASUREMENT_INDEX = {key: i for i, key in enumerate(TERMINAL_SERIES)}
_FLAGS = {"true": True, "false": False}
_K = TerminalKey
# Reported values kept in terminal_status.detail (the columns hold the others).
_DETAIL = (
    _K.SESSION,
    _K.LATENCY_UL_MS,
    _K.LATENCY_DL_MS,
    _K.RELIABILITY,
    _K.DL_BPS,
    _K.UL_BPS,
)


def terminal_dn(name: str) -> str:
    """The telemetry object name of a terminal."""
    return f"{OBJECT_PREFIX}{name}"


@dataclass(frozen=True)
class TerminalReport:
    """One terminal's values from one report; a value that was absent or unreadable is None."""

    terminal: str
    reported_at: dt.datetime  # event time (lastEpochMicrosec), UTC
    period_start: dt.datetime  # startEpochMicrosec: the report covers [start, reported_at]
    event_id: str
    text: Mapping[str, str] = field(default_factory=dict)
    numbers: Mapping[TerminalKey, float] = field(default_factory=dict)

    def flag(self, key: TerminalKey) -> bool | None:
        """A true/false value, or None when it is unknown."""
        value = self.numbers.get(key)
        return None if value is None else value >= 0.5


def _number(key: TerminalKey, text: str) -> float | None:
    if key in (_K.REGISTERED, _K.CONNECTED, _K.SESSION):
        flag = _FLAGS.get(text.strip().lower())
        return None if flag is None else float(flag)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def is_terminal_report(event: VesEvent) -> bool:
    """Whether an event is a terminal report."""
    info = event.measurement
    return info is not None and info.additional.get(REPORT_TYPE_KEY) == TERMINAL_REPORT


def terminal_reports(event: VesEvent) -> list[TerminalReport]:
    """The per-terminal reports of an event ([] for any other event); bad values are dropped."""
    if not is_terminal_report(event) or event.measurement is None:
        return []
    reports = []
    numeric = (*TERMINAL_SERIES, _K.SESSION)
    for item in event.measurement.named:
        numbers: dict[TerminalKey, float] = {}
        for key in numeric:
            raw = item.values.get(key)
            value = None if raw is None else _number(key, raw)
            if raw is not None and value is None:
                log.warning(
                    "event %s: %s %s=%r is not readable", event.event_id, item.name, key, raw
                )
            if value is not None:
                numbers[key] = value
        reports.append(
            TerminalReport(item.name, event.last, event.start, event.event_id, item.values, numbers)
        )
    return reports


def sample_batch(reports: Sequence[TerminalReport]) -> SampleBatch:
    """The numeric values of reports as a batch: one object per terminal, unknowns left out."""
    objects = [terminal_dn(r.terminal) for r in reports]
    obj, meas, starts, seconds, values = [], [], [], [], []
    for i, report in enumerate(reports):
        start = int(report.period_start.timestamp())
        length = max(1, round((report.reported_at - report.period_start).total_seconds()))
        for key, value in report.numbers.items():
            index = _MEASUREMENT_INDEX.get(key)
            if index is not None:
                obj.append(i)
                meas.append(index)
                starts.append(start)
                seconds.append(length)
                values.append(value)
    return SampleBatch(
        objects=objects,
        object_index=np.array(obj, np.int64),
        measurements=list(MEASUREMENTS),
        measurement_index=np.array(meas, np.int64),
        starts=np.array(starts, np.int64),
        seconds=np.array(seconds, np.int64),
        values=np.array(values, np.float64),
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes: they are UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _columns(report: TerminalReport) -> dict[str, Any]:
    numbers, text = report.numbers, report.text
    detail: dict[str, Any] = {str(k): numbers[k] for k in _DETAIL if k in numbers}
    detail["event_id"] = report.event_id
    return {
        "supi": text.get(_K.SUPI),
        "registered": bool(report.flag(_K.REGISTERED)),
        "connected": bool(report.flag(_K.CONNECTED)),
        "cell": text.get(_K.CELL),
        "slice": text.get(_K.SNSSAI),
        "latency_ms": numbers.get(_K.LATENCY_MS),
        "x_m": numbers.get(_K.X_M),
        "y_m": numbers.get(_K.Y_M),
        "detail": detail,
        "reported_at": report.reported_at,
    }


def newest(reports: Iterable[TerminalReport]) -> dict[str, TerminalReport]:
    """The newest report of each terminal (by event time)."""
    result: dict[str, TerminalReport] = {}
    for report in reports:
        held = result.get(report.terminal)
        if held is None or report.reported_at > held.reported_at:
            result[report.terminal] = report
    return result


def upsert_status(engine: Engine, reports: Iterable[TerminalReport]) -> int:
    """Keep the newest report per terminal in one transaction; return the rows written."""
    latest = newest(reports)
    if not latest:
        return 0
    written = 0
    with Session(engine) as session, session.begin():
        query = select(TerminalStatusRow).where(TerminalStatusRow.terminal.in_(sorted(latest)))
        rows = {row.terminal: row for row in session.scalars(query)}
        for name, report in latest.items():
            row = rows.get(name)
            if row is None:
                session.add(TerminalStatusRow(terminal=name, **_columns(report)))
            elif report.reported_at > _utc(row.reported_at):
                for column, value in _columns(report).items():
                    setattr(row, column, value)
            else:
                continue  # older or the same: a redelivery or a late event
            written += 1
    return written


class TerminalStatusHandler:
    """An `EventHandler` for terminal reports: status rows and `VS.Ue…` history."""

    domains = frozenset({Domain.MEASUREMENT})

    def __init__(self, engine: Engine, telemetry: TelemetryStore) -> None:
        self.engine = engine
        self.telemetry = telemetry

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Append each event's history (once per event id), then update the status table."""
        everything: list[TerminalReport] = []
        for stored in events:
            reports = terminal_reports(stored.event)
            if not reports:
                continue
            everything.extend(reports)
            batch = sample_batch(reports)
            if len(batch):
                self.telemetry.append(
                    batch,
                    source=Source.VES,
                    key=stored.event.event_id,
                    name=f"{stored.event.event_name} {stored.event.event_id}",
                )
        upsert_status(self.engine, everything)
