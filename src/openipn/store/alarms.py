"""The alarm list (table ``alarms``): the one writer of alarm reports and its read queries.

Applying a report is idempotent, so redelivered events change nothing: a raise whose event
already opened a row, or that is not newer than the last clear of its key, is ignored; an update
or clear older than the active row is ignored (see `alarm_writer`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.orm import Session

from openipn.model.alarms import AlarmOrigin, AlarmReport, PerceivedSeverity
from openipn.model.times import utc
from openipn.store.alarm_writer import AlarmWriter
from openipn.store.schema import AlarmRow


@dataclass(frozen=True)
class StoredAlarm:
    """One alarm as stored: identity (source, object, condition), state and event times (UTC)."""

    id: int
    source: str
    object: str
    condition: str
    specific_problem: str
    severity: str
    event_type: str | None
    probable_cause: str | None
    origin: str
    active: bool
    raised_at: dt.datetime
    updated_at: dt.datetime
    cleared_at: dt.datetime | None
    text: str
    event_id: str | None

    @classmethod
    def of(cls, row: AlarmRow) -> StoredAlarm:
        """The value of a table row."""
        return cls(
            id=row.id,
            source=row.source,
            object=row.object,
            condition=row.condition,
            specific_problem=row.specific_problem,
            severity=row.severity,
            event_type=row.event_type,
            probable_cause=row.probable_cause,
            origin=row.origin,
            active=row.cleared_at is None,
            raised_at=utc(row.raised_at),
            updated_at=utc(row.updated_at),
            cleared_at=utc(row.cleared_at) if row.cleared_at else None,
            text=row.text,
            event_id=row.event_id,
        )


@dataclass(frozen=True)
class AlarmPage:
    """One page of alarms (newest first) and how many match in all."""

    items: list[StoredAlarm]
    total: int


class AlarmBook:
    """The alarm list in the model store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = AlarmWriter(engine)  # the single writer: active alarms kept in memory

    def apply(self, reports: Sequence[AlarmReport]) -> None:
        """Apply reports in order, in one transaction (batched; see `alarm_writer`)."""
        self._writer.apply(reports)

    def active_since(self, condition: str, origin: AlarmOrigin) -> dict[str, dt.datetime]:
        """Source -> raise time of the active alarms with this condition and origin."""
        query = select(AlarmRow.source, AlarmRow.raised_at).where(
            AlarmRow.condition == condition,
            AlarmRow.origin == str(origin),
            AlarmRow.cleared_at.is_(None),
        )
        with self._engine.connect() as connection:
            return {row.source: utc(row.raised_at) for row in connection.execute(query)}

    def page(
        self,
        *,
        active: bool | None = None,
        source: str | None = None,
        severity: PerceivedSeverity | None = None,
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
            conditions.append(AlarmRow.severity == str(severity))
        query = select(AlarmRow).where(*conditions)
        ordered = query.order_by(AlarmRow.raised_at.desc(), AlarmRow.id.desc())
        with Session(self._engine) as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(ordered.limit(page_size).offset((page - 1) * page_size))
            return AlarmPage([StoredAlarm.of(row) for row in rows], total)
