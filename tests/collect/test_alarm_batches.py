"""Alarms in batches: as one report at a time, a few statements, nothing half-written."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from ves_kit import T0, minutes

from openipn.app import Services
from openipn.model.alarms import AlarmReport, PerceivedSeverity
from openipn.store.alarms import AlarmBook
from openipn.store.schema import AlarmRow

SEVERITIES = [
    PerceivedSeverity.MAJOR,
    PerceivedSeverity.CRITICAL,
    PerceivedSeverity.MINOR,
    PerceivedSeverity.CLEARED,
    PerceivedSeverity.CLEARED,
]


def report(
    source: str, condition: str, severity: PerceivedSeverity, at: dt.datetime, n: int
) -> AlarmReport:
    return AlarmReport(
        source=source,
        object=source,
        condition=condition,
        specific_problem=f"problem {n}",
        severity=severity,
        at=at,
        text=f"report {n}",
        event_id=f"e{n}",
    )


def random_reports(seed: int, count: int, *, late: bool = True) -> list[AlarmReport]:
    """Reports over 6 keys, times rising (with some stale ones when ``late``)."""
    rng = random.Random(seed)
    found = []
    for n in range(count):
        at = T0 + minutes(n - (rng.choice([0, 0, 0, 3]) if late else 0))
        key = rng.randrange(6)
        found.append(report(f"gnb-{key % 2}", f"c{key // 2}", rng.choice(SEVERITIES), at, n))
    return found


def reference(reports: list[AlarmReport]) -> list[tuple[Any, ...]]:
    """The documented semantics, one report at a time over a list of rows."""
    rows: list[dict[str, Any]] = []
    for r in reports:
        key = (r.source, r.object, r.condition)
        mine = [row for row in rows if row["key"] == key]
        active = next((row for row in mine if row["cleared"] is None), None)
        if r.is_clear:
            if active is not None and r.at >= active["raised"]:
                active.update(cleared=r.at, updated=r.at)
        elif active is not None:
            if r.at >= active["updated"]:
                active.update(updated=r.at, severity=str(r.severity), text=r.text)
        elif not any(row["cleared"] >= r.at for row in mine):
            rows.append({"key": key, "raised": r.at, "updated": r.at, "cleared": None,
                         "severity": str(r.severity), "text": r.text,
                         "event": r.event_id})  # fmt: skip
    return sorted(
        (*row["key"], row["raised"], row["updated"], row["cleared"], row["severity"],
         row["text"], row["event"])
        for row in rows
    )  # fmt: skip


def table(engine: Engine) -> list[tuple[Any, ...]]:
    def utc(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment

    a = AlarmRow
    query = select(a.source, a.object, a.condition, a.raised_at, a.updated_at, a.cleared_at,
                   a.severity, a.text, a.event_id)  # fmt: skip
    with engine.connect() as connection:
        return sorted(
            (r[0], r[1], r[2], utc(r[3]), utc(r[4]), utc(r[5]), r[6], r[7], r[8])
            for r in connection.execute(query)
        )


def in_batches(reports: list[AlarmReport], rng: random.Random) -> Iterator[list[AlarmReport]]:
    start = 0
    while start < len(reports):
        size = rng.choice([1, 2, 7, 40, 200])
        yield reports[start : start + size]
        start += size


@pytest.mark.parametrize(("seed", "late"), [(1, True), (2, True), (3, False), (4, False)])
def test_batches_of_any_split_match_one_report_at_a_time(
    services: Services, seed: int, late: bool
) -> None:
    reports = random_reports(seed, 300, late=late)
    book = AlarmBook(services.engine)
    for batch in in_batches(reports, random.Random(seed)):
        book.apply(batch)
    expected = reference(reports)
    assert table(services.engine) == expected
    assert any(row[5] is None for row in expected) and any(row[5] for row in expected)
    if late:
        return  # a late clear redelivered after a later raise is not idempotent (as before)
    # At-least-once: a restarted collector (a new book) redelivers a tail, changing nothing.
    again = AlarmBook(services.engine)
    again.apply(reports[150:])
    again.apply(reports[-30:])
    assert table(services.engine) == expected


def test_raise_update_clear_in_one_batch_writes_one_row(services: Services) -> None:
    book = AlarmBook(services.engine)
    book.apply([report("gnb-1", "c", PerceivedSeverity.MAJOR, T0 + minutes(9), 0)])  # active before
    book.apply(
        [
            report("gnb-1", "c", PerceivedSeverity.CRITICAL, T0 + minutes(10), 1),  # update
            report("gnb-1", "c", PerceivedSeverity.CLEARED, T0 + minutes(11), 2),  # clear
            report("gnb-1", "c", PerceivedSeverity.MINOR, T0 + minutes(12), 3),  # new instance
            report("gnb-1", "c", PerceivedSeverity.WARNING, T0 + minutes(13), 4),  # its update
            report("gnb-1", "c", PerceivedSeverity.CLEARED, T0 + minutes(14), 5),  # its clear
            report("gnb-1", "c", PerceivedSeverity.MAJOR, T0 + minutes(15), 6),  # a third, active
        ]
    )
    found = [(r[6], r[3], r[5]) for r in table(services.engine)]
    assert found == [
        ("CRITICAL", T0 + minutes(9), T0 + minutes(11)),
        ("WARNING", T0 + minutes(12), T0 + minutes(14)),
        ("MAJOR", T0 + minutes(15), None),
    ]


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_large_batch_costs_a_few_statements_not_one_per_report(services: Services) -> None:
    book = AlarmBook(services.engine)
    book.apply(random_reports(7, 50))  # loads the active alarms once
    reports = [
        report(f"gnb-{n % 40}", "c", SEVERITIES[n // 40 % 5], T0 + minutes(60 + n), n)
        for n in range(2000)
    ]
    with statements(services.engine) as seen:
        book.apply(reports)
    writes = [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "SELECT"))]
    assert len(writes) <= 6, writes  # one SELECT per report before
    assert table(services.engine) == reference([*random_reports(7, 50), *reports])


def test_a_failed_batch_writes_nothing_and_the_next_one_sees_the_table(
    services: Services,
) -> None:
    book = AlarmBook(services.engine)
    book.apply([report("gnb-1", "c", PerceivedSeverity.MAJOR, T0, 0)])
    broken = report("gnb-2", "c", PerceivedSeverity.MAJOR, T0, 2)
    object.__setattr__(broken, "specific_problem", None)  # NOT NULL: the INSERT fails
    with pytest.raises(Exception, match=r"(?i)null"):
        book.apply([report("gnb-1", "c", PerceivedSeverity.CLEARED, T0 + minutes(1), 1), broken])
    assert [(r[0], r[5]) for r in table(services.engine)] == [("gnb-1", None)]  # not cleared
    book.apply([report("gnb-1", "c", PerceivedSeverity.CLEARED, T0 + minutes(1), 1)])
    assert [(r[0], r[5]) for r in table(services.engine)] == [("gnb-1", T0 + minutes(1))]


def test_more_new_alarms_than_one_statement_holds_are_all_written(services: Services) -> None:
    reports = [report(f"gnb-{n}", "c", PerceivedSeverity.MAJOR, T0, n) for n in range(1234)]
    AlarmBook(services.engine).apply(reports)
    assert table(services.engine) == reference(reports)
    assert len(table(services.engine)) == 1234
