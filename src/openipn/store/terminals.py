"""The terminal status table (``terminal_status``): reads of each terminal's newest report.

The table is written by the terminal report intake (collect/terminals.py); this is its query
side, so that the API reads terminal status without SQL of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.orm import Session

from openipn.model.times import utc
from openipn.store.schema import TerminalStatusRow


@dataclass(frozen=True)
class StoredStatus:
    """The newest report of one terminal as stored (event time in UTC)."""

    terminal: str
    reported_at: dt.datetime
    supi: str | None
    registered: bool
    connected: bool
    cell: str | None
    slice: str | None
    latency_ms: float | None
    x_m: float | None
    y_m: float | None
    detail: dict[str, Any]  # further reported fields

    @classmethod
    def of(cls, row: TerminalStatusRow) -> StoredStatus:
        """The value of a table row."""
        return cls(
            terminal=row.terminal,
            reported_at=utc(row.reported_at),
            supi=row.supi,
            registered=row.registered,
            connected=row.connected,
            cell=row.cell,
            slice=row.slice,
            latency_ms=row.latency_ms,
            x_m=row.x_m,
            y_m=row.y_m,
            detail=row.detail,
        )


@dataclass(frozen=True)
class StatusFilter:
    """Equality filters of the status list; None: any value."""

    cell: str | None = None
    slice: str | None = None  # S-NSSAI hex
    registered: bool | None = None
    connected: bool | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE terms of the filters that are set."""
        wanted = {
            TerminalStatusRow.cell: self.cell,
            TerminalStatusRow.slice: self.slice,
            TerminalStatusRow.registered: self.registered,
            TerminalStatusRow.connected: self.connected,
        }
        return [column == value for column, value in wanted.items() if value is not None]


@dataclass(frozen=True)
class StatusPage:
    """One page of terminal status (by terminal name) and how many match in all."""

    items: list[StoredStatus]
    total: int


class TerminalStatusBook:
    """Reads of the terminal status table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def newest_report(self, terminal: str | None = None) -> dt.datetime | None:
        """The event time of the newest terminal report (of one terminal, or of any)."""
        query = select(func.max(TerminalStatusRow.reported_at))
        if terminal is not None:
            query = query.where(TerminalStatusRow.terminal == terminal)
        with Session(self._engine) as session:
            newest = session.scalar(query)
        return None if newest is None else utc(newest)

    def status(self, terminal: str) -> StoredStatus | None:
        """The newest report of a terminal; None when it never reported."""
        with Session(self._engine) as session:
            row = session.get(TerminalStatusRow, terminal)
            return None if row is None else StoredStatus.of(row)

    def page(self, filters: StatusFilter, page: int = 1, page_size: int = 100) -> StatusPage:
        """Status matching the filters, ordered by terminal name."""
        conditions = filters.conditions()
        query = select(TerminalStatusRow).where(*conditions).order_by(TerminalStatusRow.terminal)
        count = select(func.count()).select_from(TerminalStatusRow).where(*conditions)
        with Session(self._engine) as session:
            total = int(session.scalar(count) or 0)
            rows = session.scalars(query.limit(page_size).offset((page - 1) * page_size))
            return StatusPage([StoredStatus.of(row) for row in rows], total)
