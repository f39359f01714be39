"""Alarms from VES fault events and from the platform: raise, update, clear (table ``alarms``).

An alarm is identified while active by (source, object, condition): source = sourceName, object
= ``alarmAdditionalInformation.objectInstance`` when sent (O-RAN O1 style) else the sourceName,
condition = alarmCondition. A fault with severity NORMAL clears it (≙ X.733 CLEARED,
standards.md §5). Times are the events' times. Applying a report is idempotent, so redelivered
events change nothing: a raise whose event already opened a row, or that is not newer than the
last clear of its key, is ignored; an update or clear older than the active row is ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.orm import Session

from openipn.codecs.ves import Domain, Severity, VesEvent
from openipn.collect.alarm_3gpp import alarm_events
from openipn.collect.alarm_apply import AlarmWriter
from openipn.collect.events import StoredEvent
from openipn.store.schema import AlarmRow

OBJECT_KEY = "objectInstance"  # alarmAdditionalInformation key naming the alarmed object
TEXT_KEY = "additionalText"


class AlarmOrigin(StrEnum):
    """Who raised an alarm."""

    VES = "ves"  # the equipment, by a VES fault event
    PLATFORM = "platform"  # OpenIPN itself (e.g. heartbeat supervision)


@dataclass(frozen=True)
class AlarmReport:
    """One raise (any severity but NORMAL), update or clear (NORMAL) of an alarm."""

    source: str
    object: str
    condition: str
    specific_problem: str
    severity: Severity
    at: dt.datetime  # event time, UTC
    origin: AlarmOrigin = AlarmOrigin.VES
    event_type: str | None = None
    probable_cause: str | None = None
    text: str = ""
    event_id: str | None = None

    @property
    def is_clear(self) -> bool:
        """True when this report clears the alarm."""
        return self.severity is Severity.NORMAL


def report_from_event(event: VesEvent) -> AlarmReport:
    """The alarm report a fault event makes."""
    alarm, severity = event.alarm, event.severity
    if alarm is None or severity is None:
        raise ValueError(f"event {event.event_id} is not a fault event")
    extra = dict(alarm.additional)
    return AlarmReport(
        source=event.source_name,
        object=extra.get(OBJECT_KEY) or event.source_name,
        condition=alarm.condition,
        specific_problem=alarm.specific_problem,
        severity=severity,
        at=event.last,
        event_type=str(alarm.event_type) if alarm.event_type else None,
        probable_cause=alarm.probable_cause,
        text=extra.get(TEXT_KEY, ""),
        event_id=event.event_id,
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; the store writes UTC only."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class AlarmPage:
    """One page of alarms (newest first) and how many match in all."""

    items: list[dict[str, Any]]
    total: int


class AlarmBook:
    """The alarm list in the model store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = AlarmWriter(engine)  # the single writer: active alarms kept in memory

    def apply(self, reports: Sequence[AlarmReport]) -> None:
        """Apply reports in order, in one transaction (batched; see `alarm_apply`)."""
        self._writer.apply(reports)

    def active_since(self, condition: str, origin: AlarmOrigin) -> dict[str, dt.datetime]:
        """Source -> raise time of the active alarms with this condition and origin."""
        query = select(AlarmRow.source, AlarmRow.raised_at).where(
            AlarmRow.condition == condition,
            AlarmRow.origin == str(origin),
            AlarmRow.cleared_at.is_(None),
        )
        with self._engine.connect() as connection:
            return {row.source: _aware(row.raised_at) for row in connection.execute(query)}

    def page(
        self,
        *,
        active: bool | None = None,
        source: str | None = None,
        severity: str | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> AlarmPage:
        """Alarms matching the filters, newest raise first."""
        conditions: list[ColumnElement[bool]] = []
        if active is not None:
            column = AlarmRow.cleared_at
            conditions.append(column.is_(None) if active else column.is_not(None))
        if source is not None:
            conditions.append(AlarmRow.source == source)
        if severity is not None:
            conditions.append(AlarmRow.severity == severity)
        query = select(AlarmRow).where(*conditions)
        ordered = query.order_by(AlarmRow.raised_at.desc(), AlarmRow.id.desc())
        with Session(self._engine) as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(ordered.limit(page_size).offset((page - 1) * page_size))
            return AlarmPage([_present(row) for row in rows], total)


def _present(row: AlarmRow) -> dict[str, Any]:
    times = {
        "raised_at": _aware(row.raised_at),
        "updated_at": _aware(row.updated_at),
        "cleared_at": _aware(row.cleared_at) if row.cleared_at else None,
    }
    return {
        "id": row.id,
        "source": row.source,
        "object": row.object,
        "condition": row.condition,
        "specific_problem": row.specific_problem,
        "severity": row.severity,
        "event_type": row.event_type,
        "probable_cause": row.probable_cause,
        "origin": row.origin,
        "active": row.cleared_at is None,
        **times,
        "text": row.text,
        "event_id": row.event_id,
    }


# Alarm reports -> the same with each object under its model DN (unmodelled ones as sent).
Canonical = Callable[[list[AlarmReport]], list[AlarmReport]]


class AlarmHandler:
    """The EventHandler that turns VES faults and 3GPP fault-supervision events into alarms."""

    name = "alarms"
    domains = frozenset({Domain.FAULT, Domain.STND_DEFINED})

    def __init__(self, book: AlarmBook, canonical: Canonical | None = None) -> None:
        self._book = book
        self._canonical = canonical

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Apply the batch's alarm events in journal order (idempotent on redelivery)."""
        reports = [report_from_event(e.event) for e in alarm_events(events)]
        if self._canonical is not None:  # one alarm whichever DN form raises or clears it
            reports = self._canonical(reports)
        self._book.apply(reports)
