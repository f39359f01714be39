"""Applying alarm reports in batches: an in-memory index of active alarms, few SQL statements.

The alarm book is the only writer of ``alarms`` (one collector per database), so the state that
decides what a report does — the active row of each key (its raise and last update times) and
the last clear time of each key — is loaded once and then kept in memory. A batch of reports is
judged in order against that state (order per key is the journal's), and what it does to each
row is coalesced: a row opened, updated and cleared within the batch is inserted once with its
final values; a row active before the batch gets one UPDATE. Then one transaction writes the
UPDATEs (executemany, per set of changed columns) before the INSERTs (multi-row statements).
When the transaction fails the in-memory state is dropped and reloaded from the table on the
next batch.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, func, select, update

from openipn.model.alarms import AlarmReport
from openipn.model.times import utc
from openipn.store.bulk_sql import insert_rows
from openipn.store.schema import AlarmRow

AlarmKey = tuple[str, str, str]  # source, object, condition
_TABLE = cast(Table, AlarmRow.__table__)
_KEY_COLUMNS = ("source", "object", "condition")


def changeable(report: AlarmReport) -> dict[str, Any]:
    """The columns a raise sets and an update may change."""
    return {
        "specific_problem": report.specific_problem,
        "severity": str(report.severity),
        "event_type": report.event_type,
        "probable_cause": report.probable_cause,
        "text": report.text,
    }


@dataclass
class _Active:
    """An active alarm: when it was raised and last updated (event times)."""

    raised_at: dt.datetime
    updated_at: dt.datetime


@dataclass
class _Write:
    """What a batch does to one row: opened by ``first`` (a new row) or active before the batch,
    last raised or updated by ``last`` (None: untouched), cleared at ``cleared_at``."""

    key: AlarmKey
    first: AlarmReport | None
    last: AlarmReport | None
    updated_at: dt.datetime
    cleared_at: dt.datetime | None = None

    def columns(self) -> dict[str, Any]:
        """The columns to write: the whole row when new, else what changed."""
        values: dict[str, Any] = {"updated_at": self.updated_at, "cleared_at": self.cleared_at}
        if self.last is not None:
            values.update(changeable(self.last))
        if self.first is None:
            return values
        return {
            **dict(zip(_KEY_COLUMNS, self.key, strict=True)),
            "origin": str(self.first.origin),
            "raised_at": self.first.at,
            "event_id": self.first.event_id,
            **values,
        }


@dataclass
class AlarmState:
    """Active alarms and last clear times by key, as the table holds them."""

    active: dict[AlarmKey, _Active]
    last_clear: dict[AlarmKey, dt.datetime]

    @classmethod
    def load(cls, connection: Connection) -> AlarmState:
        """Read the state from ``alarms`` (served by index ix_alarms_active)."""
        t = AlarmRow
        rows = connection.execute(
            select(t.source, t.object, t.condition, t.raised_at, t.updated_at).where(
                t.cleared_at.is_(None)
            )
        )
        active = {(r[0], r[1], r[2]): _Active(utc(r[3]), utc(r[4])) for r in rows}
        cleared = connection.execute(
            select(t.source, t.object, t.condition, func.max(t.cleared_at))
            .where(t.cleared_at.is_not(None))
            .group_by(t.source, t.object, t.condition)
        )
        last_clear = {(r[0], r[1], r[2]): utc(r[3]) for r in cleared}
        return cls(active, last_clear)


class BatchPlan:
    """The writes of one batch, judged report by report against (and updating) the state."""

    def __init__(self, state: AlarmState) -> None:
        self._state = state
        self._open: dict[AlarmKey, _Write] = {}  # the active row of a key touched by the batch
        self._closed: list[_Write] = []  # rows cleared within the batch

    def add(self, report: AlarmReport) -> None:
        """Raise, update or clear one alarm; stale or repeated reports change nothing."""
        key = (report.source, report.object, report.condition)
        active = self._state.active.get(key)
        if report.is_clear:
            if active is not None and report.at >= active.raised_at:
                self._clear(key, report.at)
            return
        if active is not None:
            if report.at >= active.updated_at:  # an older update is stale
                active.updated_at = report.at
                write = self._row(key)
                write.last, write.updated_at = report, report.at
            return
        last_clear = self._state.last_clear.get(key)
        if last_clear is not None and last_clear >= report.at:
            return  # a redelivered raise of an alarm since cleared, or one older than a clear
        self._state.active[key] = _Active(report.at, report.at)
        self._open[key] = _Write(key, report, report, report.at)

    def _row(self, key: AlarmKey) -> _Write:
        """The write of the key's active row (an UPDATE when the row predates the batch)."""
        write = self._open.get(key)
        if write is None:
            write = self._open[key] = _Write(key, None, None, self._state.active[key].updated_at)
        return write

    def _clear(self, key: AlarmKey, at: dt.datetime) -> None:
        write = self._row(key)
        write.cleared_at = write.updated_at = at
        del self._open[key], self._state.active[key]
        self._closed.append(write)
        held = self._state.last_clear.get(key)
        self._state.last_clear[key] = at if held is None else max(held, at)

    def write(self, connection: Connection) -> None:
        """UPDATEs of rows active before the batch, then INSERTs of the batch's new rows."""
        writes = [*self._closed, *self._open.values()]
        changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for w in writes:
            if w.first is None:
                keyed = {f"k_{c}": v for c, v in zip(_KEY_COLUMNS, w.key, strict=True)}
                values = w.columns()
                bound = keyed | {f"v_{c}": v for c, v in values.items()}
                changes.setdefault(tuple(sorted(values)), []).append(bound)
        for columns, params in changes.items():
            connection.execute(_update_statement(columns), params)
        rows = [w.columns() for w in writes if w.first is not None]
        insert_rows(connection, _TABLE, rows)  # multi-row statements: see bulk_sql


def _update_statement(columns: Sequence[str]) -> Any:
    """UPDATE of the active row of a key (at most one per key), setting ``columns``."""
    c = _TABLE.c
    return (
        update(_TABLE)
        .where(
            c.source == bindparam("k_source"),
            c.object == bindparam("k_object"),
            c.condition == bindparam("k_condition"),
            c.cleared_at.is_(None),
        )
        .values({name: bindparam(f"v_{name}") for name in columns})
    )


class AlarmWriter:
    """Applies batches of reports through the in-memory state (the single writer of alarms)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._state: AlarmState | None = None
        self._lock = threading.Lock()  # one batch at a time, whichever thread applies it

    def apply(self, reports: Sequence[AlarmReport]) -> None:
        """Apply reports in order, in one transaction; nothing is written when it fails."""
        if not reports:
            return
        with self._lock:
            self._apply(reports)

    def _apply(self, reports: Sequence[AlarmReport]) -> None:
        try:
            with self._engine.begin() as connection:
                if self._state is None:
                    self._state = AlarmState.load(connection)
                plan = BatchPlan(self._state)
                for report in reports:
                    plan.add(report)
                plan.write(connection)
        except BaseException:
            self._state = None  # the plan changed it: reload what the table holds
            raise
