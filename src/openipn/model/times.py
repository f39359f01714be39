"""Time values: every time OpenIPN stores or compares is an aware datetime in UTC."""

from __future__ import annotations

import datetime as dt

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def utc(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC; a naive value (SQLite returns them, a query may omit it) is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def from_epoch(seconds: int) -> dt.datetime:
    """The UTC datetime of a count of seconds since 1970-01-01T00:00Z."""
    return EPOCH + dt.timedelta(seconds=seconds)
