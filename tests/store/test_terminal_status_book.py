"""The terminal status table's query side, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from openipn.app import Services
from openipn.store.schema import TerminalStatusRow
from openipn.store.terminals import StatusFilter, TerminalStatusBook

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _row(name: str, minute: int, *, cell: str, connected: bool) -> TerminalStatusRow:
    return TerminalStatusRow(
        terminal=name,
        supi=None,
        registered=True,
        connected=connected,
        cell=cell,
        slice="01000001",
        latency_ms=9.5,
        x_m=1.0,
        y_m=None,
        detail={"note": name},
        reported_at=T0 + dt.timedelta(minutes=minute),
    )


def _fill(services: Services) -> TerminalStatusBook:
    rows = [
        _row("t-c", 3, cell="c1", connected=True),
        _row("t-a", 1, cell="c1", connected=False),
        _row("t-b", 7, cell="c2", connected=True),
    ]
    with Session(services.engine) as session, session.begin():
        session.add_all(rows)
    return TerminalStatusBook(services.engine)


def test_newest_report_and_one_terminal(services: Services) -> None:
    """Times come back aware in UTC, whatever the database returns."""
    book = TerminalStatusBook(services.engine)
    assert book.newest_report() is None and book.status("t-a") is None
    _fill(services)
    assert book.newest_report() == T0 + dt.timedelta(minutes=7)
    assert book.newest_report("t-c") == T0 + dt.timedelta(minutes=3)
    status = book.status("t-a")
    assert status is not None
    assert status.reported_at.tzinfo is dt.UTC and status.detail == {"note": "t-a"}
    assert (status.cell, status.connected, status.y_m) == ("c1", False, None)


def test_page_filters_by_equality_and_orders_by_name(services: Services) -> None:
    """Only the filters that are set apply; total counts every match."""
    book = _fill(services)
    every = book.page(StatusFilter())
    assert [s.terminal for s in every.items] == ["t-a", "t-b", "t-c"] and every.total == 3
    in_c1 = book.page(StatusFilter(cell="c1", connected=True))
    assert [s.terminal for s in in_c1.items] == ["t-c"] and in_c1.total == 1
    second = book.page(StatusFilter(slice="01000001"), page=2, page_size=2)
    assert [s.terminal for s in second.items] == ["t-c"] and second.total == 3
