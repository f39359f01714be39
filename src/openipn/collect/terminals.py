"""Terminal reports from the VES journal: the live status table and each terminal's history.

A terminal report is a VES measurement event whose `additionalFields.reportType` is
`TerminalReport` (see `openipn.codecs.terminal_report.TerminalKey`): one named hashMap per
terminal. For each terminal the handler keeps the newest report in `terminal_status` (by
event time, so a redelivered or late event never moves a terminal back in time) and appends
the numeric values to the telemetry store as `VS.Ue…` series of the object `Terminal=<name>`
(the terminal's name: every terminal has one, not every terminal has a SUPI, and the name is
what operators and the model use). A delivered batch costs one status upsert (multi-row INSERT …
ON CONFLICT … WHERE newer) and one telemetry append; `sample_ledger` makes sure a redelivered
report's samples are stored once.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection, Engine, Table

from openipn.codecs.terminal_report import (
    REPORT_TYPE_KEY,
    TERMINAL_REPORT,
    TERMINAL_SERIES,
    TerminalKey,
    decode_neighbours,
)
from openipn.codecs.ves import Domain, VesEvent
from openipn.collect.events import StoredEvent
from openipn.collect.sample_ledger import SampleLedger
from openipn.model.dn import terminal_dn
from openipn.store.bulk_sql import insert_rows
from openipn.store.schema import TerminalStatusRow
from openipn.store.telemetry.api import SampleBatch, Source, TelemetryStore

log = logging.getLogger(__name__)

MEASUREMENTS: tuple[str, ...] = tuple(TERMINAL_SERIES.values())
_MEASUREMENT_INDEX = {key: i for i, key in enumerate(TERMINAL_SERIES)}
_FLAGS = {"true": True, "false": False}
_K = TerminalKey
# Reported values kept in terminal_status.detail (the columns hold the others).
_DETAIL = (
    _K.SESSION,
    _K.ACTIVE,
    _K.LATENCY_UL_MS,
    _K.LATENCY_DL_MS,
    _K.RELIABILITY,
    _K.DL_BPS,
    _K.UL_BPS,
    _K.RSRP_DBM,
    _K.RSRQ_DB,
    _K.SINR_DB,
)
NEIGHBOURS = "neighbours"  # detail key: [{"pci": .., "rsrpDbm": ..}], strongest first


_STATUS_TABLE = cast(Table, TerminalStatusRow.__table__)
_STATUS_COLUMNS = ("supi", "registered", "connected", "cell", "slice", "latency_ms", "x_m", "y_m",
                   "detail", "reported_at")  # fmt: skip


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


def _flag(text: str) -> float | None:
    flag = _FLAGS.get(text.strip().lower())
    return None if flag is None else float(flag)


def _finite(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


_FLAG_KEYS = frozenset({_K.REGISTERED, _K.CONNECTED, _K.SESSION, _K.ACTIVE})
# Reported name -> (key, reader) of every value kept as a number (flags as 1.0 / 0.0).
_READERS: dict[str, tuple[TerminalKey, Callable[[str], float | None]]] = {
    str(key): (key, _flag if key in _FLAG_KEYS else _finite)
    for key in (*TERMINAL_SERIES, _K.SESSION)
}


def is_terminal_report(event: VesEvent) -> bool:
    """Whether an event is a terminal report."""
    info = event.measurement
    return info is not None and info.additional.get(REPORT_TYPE_KEY) == TERMINAL_REPORT


def terminal_reports(event: VesEvent) -> list[TerminalReport]:
    """The per-terminal reports of an event ([] for any other event); bad values are dropped."""
    if not is_terminal_report(event) or event.measurement is None:
        return []
    reports = []
    for item in event.measurement.named:
        numbers: dict[TerminalKey, float] = {}
        for name, raw in item.values.items():
            reader = _READERS.get(name)
            if reader is None:
                continue
            value = reader[1](raw)
            if value is None:
                log.warning(
                    "event %s: %s %s=%r is not readable", event.event_id, item.name, name, raw
                )
            else:
                numbers[reader[0]] = value
        reports.append(
            TerminalReport(
                item.name,
                event.last,
                event.start,
                event.event_id,
                item.values,
                _without_idle_service(numbers),
            )
        )
    return reports


# What an idle terminal's report says of its service is not SLA data (docs/sla.md): an idle
# report keeps its flags, position and radio values, never a latency, reliability or bit rate.
_SERVICE_KEYS = (_K.LATENCY_MS, _K.LATENCY_UL_MS, _K.LATENCY_DL_MS, _K.RELIABILITY, _K.DL_BPS,
                 _K.UL_BPS)  # fmt: skip


def _without_idle_service(numbers: dict[TerminalKey, float]) -> dict[TerminalKey, float]:
    """The numbers of a report, less the service values when it says it was idle."""
    if numbers.get(_K.ACTIVE) != 0.0:
        return numbers
    return {k: v for k, v in numbers.items() if k not in _SERVICE_KEYS}


def sample_batch(reports: Sequence[TerminalReport]) -> SampleBatch:
    """The numeric values of reports as a batch: one object per terminal, unknowns left out."""
    names: dict[str, int] = {}
    terminals: list[int] = []
    starts: list[int] = []
    seconds: list[int] = []
    counts: list[int] = []
    meas: list[int] = []
    values: list[float] = []
    for report in reports:
        terminals.append(names.setdefault(report.terminal, len(names)))
        starts.append(int(report.period_start.timestamp()))
        seconds.append(round((report.reported_at - report.period_start).total_seconds()))
        before = len(values)
        for key, value in report.numbers.items():
            index = _MEASUREMENT_INDEX.get(key)
            if index is not None:
                meas.append(index)
                values.append(value)
        counts.append(len(values) - before)
    repeats = np.array(counts, np.int64)
    return SampleBatch(
        objects=[terminal_dn(name) for name in names],
        object_index=np.repeat(np.array(terminals, np.int64), repeats),
        measurements=list(MEASUREMENTS),
        measurement_index=np.array(meas, np.int64),
        starts=np.repeat(np.array(starts, np.int64), repeats),
        seconds=np.repeat(np.maximum(np.array(seconds, np.int64), 1), repeats),
        values=np.array(values, np.float64),
    )


def _columns(report: TerminalReport) -> dict[str, Any]:
    numbers, text = report.numbers, report.text
    detail: dict[str, Any] = {str(k): numbers[k] for k in _DETAIL if k in numbers}
    heard = decode_neighbours(text)
    if heard:
        detail[NEIGHBOURS] = [{"pci": n.pci, str(_K.RSRP_DBM): n.rsrp_dbm} for n in heard]
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


def _on_conflict(connection: Connection) -> str:
    """ON CONFLICT (terminal) DO UPDATE only when the report is newer (SQLite and PostgreSQL)."""
    quote = connection.dialect.identifier_preparer.quote
    table = quote(_STATUS_TABLE.name)
    changes = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in _STATUS_COLUMNS)
    newer = f"excluded.{quote('reported_at')} > {table}.{quote('reported_at')}"
    return f" ON CONFLICT ({quote('terminal')}) DO UPDATE SET {changes} WHERE {newer}"


def upsert_status(connection: Connection, reports: Iterable[TerminalReport]) -> int:
    """Keep the newest report per terminal (multi-row upserts); return the terminals offered."""
    latest = newest(reports)
    rows = [{"terminal": name, **_columns(r)} for name, r in sorted(latest.items())]
    insert_rows(connection, _STATUS_TABLE, rows, suffix=_on_conflict)
    return len(latest)


class TerminalStatusHandler:
    """An `EventHandler` for terminal reports: status rows and `VS.Ue…` history."""

    name = "terminals"
    domains = frozenset({Domain.MEASUREMENT})

    def __init__(self, engine: Engine, telemetry: TelemetryStore) -> None:
        self.engine = engine
        self.telemetry = telemetry
        self.ledger = SampleLedger(engine, telemetry)

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Update the status table, then append the batch's new history once (one append)."""
        everything: list[TerminalReport] = []
        fresh: list[TerminalReport] = []
        ids: list[str] = []
        done, taken = self.ledger.done, set()
        for stored in events:
            reports = terminal_reports(stored.event)
            everything.extend(reports)
            event_id = stored.event.event_id
            new = reports and stored.position >= done and event_id not in taken
            if new and not self.ledger.seen_recently(event_id):  # a sender's repeat is skipped
                taken.add(event_id)
                fresh.extend(reports)
                ids.append(event_id)
        batch = sample_batch(fresh)
        intent = events[-1].position + 1 if events else done
        with self.engine.begin() as connection:
            upsert_status(connection, everything)
            key = self.ledger.intend(connection, intent) if len(batch) else None
        if key is not None:
            name = f"VES terminal reports, journal positions {done}..{intent - 1}"
            self.telemetry.append(batch, source=Source.VES, key=key, name=name)
            self.ledger.appended(intent, ids)
