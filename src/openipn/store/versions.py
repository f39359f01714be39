"""Versions of the model: listing them (by date and author) and the difference between two."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from openipn.model.kinds import BY_KIND
from openipn.model.times import utc
from openipn.store.changes import Change, ChangeOp, Plan, State, Stored, diff_states, undo
from openipn.store.schema import ChangeRow, VersionRow


@dataclass(frozen=True)
class VersionInfo:
    """A numbered version of the network model: who, when (UTC), why and how much changed."""

    number: int
    created_at: dt.datetime
    author: str
    reason: str
    source: str
    creates: int
    updates: int
    deletes: int
    restored_from: int | None


EVER = dt.datetime.min.replace(tzinfo=dt.UTC)  # the earliest moment a filter can name
FOREVER = dt.datetime.max.replace(tzinfo=dt.UTC)


class MomentError(ValueError):
    """A time filter that is not an ISO 8601 date or date-time; `option` names the filter."""

    def __init__(self, option: str, text: str) -> None:
        self.option = option
        super().__init__(
            f"{option} {text!r} is not an ISO 8601 date or date-time "
            "(e.g. 2026-12-07 or 2026-12-07T08:30:00Z)"
        )


@dataclass(frozen=True)
class VersionQuery:
    """Which versions to list: created at or after `since`, before `until`, by `author`."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    author: str | None = None

    @classmethod
    def parse(
        cls, since: str | None = None, until: str | None = None, author: str | None = None
    ) -> VersionQuery:
        """From ISO 8601 text; a date `until` includes that whole day (raises MomentError)."""
        return cls(
            parse_moment(since, "since") if since else None,
            parse_moment(until, "until", end_of_day=True) if until else None,
            author or None,
        )

    def select(self) -> Select[tuple[VersionRow]]:
        """The query of the matching versions, oldest first."""
        query = select(VersionRow).order_by(VersionRow.number)
        if self.since is not None:
            query = query.where(VersionRow.created_at >= _stored_time(self.since))
        if self.until is not None:
            query = query.where(VersionRow.created_at < _stored_time(self.until))
        if self.author is not None:
            query = query.where(VersionRow.author == self.author)
        return query


def parse_moment(text: str, option: str, *, end_of_day: bool = False) -> dt.datetime:
    """An ISO 8601 date or date-time as UTC (no offset means UTC); MomentError names `option`.

    With `end_of_day` (the end of a range, compared with `<`) the day or moment is included.
    """
    try:
        if len(text) == 10:  # a date: YYYY-MM-DD (ISO 8601 §5.2.1.1)
            day = dt.date.fromisoformat(text) + dt.timedelta(days=1 if end_of_day else 0)
            return dt.datetime.combine(day, dt.time(), dt.UTC)
        exact = utc(dt.datetime.fromisoformat(text))  # no offset means UTC
        return exact + dt.timedelta(microseconds=1) if end_of_day else exact  # `until` includes it
    except OverflowError:  # beyond year 9999 or before year 1 in UTC: no bound at all
        return FOREVER if end_of_day else EVER
    except ValueError:
        raise MomentError(option, text) from None


def _stored_time(moment: dt.datetime) -> dt.datetime:
    """The bound value: aware UTC (PostgreSQL compares timestamptz; SQLite stores UTC text)."""
    return utc(moment)


def list_versions(session: Session, query: VersionQuery | None = None) -> list[VersionInfo]:
    """The versions that match, oldest first."""
    rows = session.scalars((query or VersionQuery()).select()).all()
    return [version_info(row) for row in rows]


def version_info(row: VersionRow) -> VersionInfo:
    """A stored version row as a VersionInfo (its time in UTC)."""
    return VersionInfo(
        row.number,
        utc(row.created_at),  # SQLite returns naive datetimes; they were written in UTC
        row.author,
        row.reason,
        row.source,
        row.creates,
        row.updates,
        row.deletes,
        row.restored_from,
    )


def changes_after(session: Session, number: int, upto: int | None = None) -> list[Change]:
    """Change records of the versions after `number` (up to `upto`), newest first."""
    query = select(ChangeRow).where(ChangeRow.version > number)
    if upto is not None:
        query = query.where(ChangeRow.version <= upto)
    query = query.order_by(ChangeRow.version.desc(), ChangeRow.id.desc())
    return [
        Change(
            ChangeOp(row.op),
            row.kind,
            row.name,
            None if row.before is None else Stored(row.before, row.before_secrets),
            None if row.after is None else Stored(row.after, row.after_secrets),
        )
        for row in session.scalars(query)
    ]


def version_diff(session: Session, current: State, old: int, new: int) -> Plan:
    """What changed from version `old` to version `new`, object by object and attribute."""
    later, earlier = max(old, new), min(old, new)
    at_later = dict(current)
    undo(at_later, changes_after(session, later))
    at_earlier = dict(at_later)
    undo(at_earlier, changes_after(session, earlier, upto=later))
    before, after = (at_earlier, at_later) if old <= new else (at_later, at_earlier)
    return diff_states(before, after, BY_KIND, every_field=True)
