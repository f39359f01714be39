"""Upkeep of the telemetry store: roll up, compact, expire, sweep.

Order matters: raw files are rolled up before they may be compacted or expired, so the
roll-ups always hold every value ever committed (late values get their own roll-up file,
merged later). Each step commits its new files and retires the old ones in one catalog
transaction; retired files are deleted after a grace period so running queries finish.
Only one process maintains at a time (an exclusive, non-blocking lock on a file).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from openipn.store.telemetry.api import Retention, Tier
from openipn.store.telemetry.catalog import FileEntry, NewFile
from openipn.store.telemetry.content import expire_content
from openipn.store.telemetry.layout import (
    COMPRESSION,
    DAY_S,
    RESOLUTION_S,
    ROW_GROUP_ROWS,
    StoreFiles,
    new_relative_path,
    remove_quietly,
)
from openipn.store.telemetry.query import literal

LOCK_NAME = "maintain.lock"
MERGE_OPEN_DAY_AT = 16  # an open day's files are merged once this many have gathered
MEMORY_LIMIT = "256MB"  # DuckDB's limit while merging; it spills to a temp dir beyond
SPILL_DIR = "spill"
CLOSED_AFTER_S = 3_600  # a day is closed (merged whatever its file count) an hour after it ends

_ROLLUP_SELECT = (
    "SELECT object, measurement, to_timestamp(epoch_ms(start) // {ms} * {s}) AS start,"
    " sum(seconds)::BIGINT AS seconds, sum({total})::DOUBLE AS total,"
    " sum({count})::BIGINT AS count, min({minimum}) AS minimum, max({maximum}) AS maximum"
    " FROM read_parquet([{files}]) GROUP BY ALL ORDER BY measurement, object, start"
)
_FROM_RAW = {"total": "value", "count": "1", "minimum": "value", "maximum": "value"}
_FROM_ROLLUP = {"total": "total", "count": "count", "minimum": "minimum", "maximum": "maximum"}

COUNTS = (
    "rolled_up_files",
    "rollup_files_written",
    "compacted_files",
    "compacted_into",
    "expired_files",
    "deleted_files",
    "deleted_orphans",
    "skipped",
)


@contextmanager
def exclusive(root: Path) -> Iterator[bool]:
    """Hold the store's maintenance lock if no other process does; yield whether held."""
    with (root / LOCK_NAME).open("a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def maintain(store: StoreFiles, now: int, retention: Retention) -> dict[str, int]:
    """Roll up, compact, expire and sweep; counts of what was done."""
    for field in ("raw_days", "hourly_days", "daily_days"):
        if getattr(retention, field) < 1:
            raise ValueError(
                f"retention {field} must be at least 1, not {getattr(retention, field)}"
            )
    counts = dict.fromkeys(COUNTS, 0)
    with exclusive(store.root) as held:
        if not held:
            counts["skipped"] = 1
            return counts
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            con.execute(f"SET temp_directory = {literal(str(store.root / SPILL_DIR))}")
            _roll_up(store, con, counts)
            _compact(store, con, now, counts)
            _expire(store, now, retention, counts)
            _sweep(store, counts)
        finally:
            con.close()
    return counts


def _by_day(files: Sequence[FileEntry]) -> dict[int, list[FileEntry]]:
    days: dict[int, list[FileEntry]] = defaultdict(list)
    for f in files:
        days[f.day].append(f)
    return days


def _copy(
    store: StoreFiles, con: duckdb.DuckDBPyConnection, sql: str, tier: Tier, day: int
) -> tuple[str, int]:
    """Write a query's rows to a new file of the tier and day; its path and row count."""
    relative = new_relative_path(tier, day)
    target = store.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    row = con.execute(
        f"COPY ({sql}) TO {literal(str(temporary))} (FORMAT parquet,"
        f" COMPRESSION {COMPRESSION}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
    ).fetchone()
    if store.durable:
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
    temporary.replace(target)
    return relative, int(row[0]) if row else 0


def _files_sql(files: Sequence[FileEntry], root: Path) -> str:
    return ", ".join(literal(str(root / f.path)) for f in files)


def _rollup_file(
    store: StoreFiles,
    con: duckdb.DuckDBPyConnection,
    tier: Tier,
    day: int,
    sources: Sequence[FileEntry],
    *,
    from_raw: bool,
) -> NewFile:
    resolution = RESOLUTION_S[tier]
    sql = _ROLLUP_SELECT.format(
        ms=resolution * 1000,
        s=resolution,
        files=_files_sql(sources, store.root),
        **(_FROM_RAW if from_raw else _FROM_ROLLUP),
    )
    relative, rows = _copy(store, con, sql, tier, day)
    return NewFile(
        tier,
        day,
        relative,
        rows,
        min(f.min_start for f in sources) // resolution * resolution,
        max(f.max_end for f in sources),
        store.catalog.measurements_of([f.id for f in sources]),
        rolled=True,
    )


def _roll_up(store: StoreFiles, con: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> None:
    """Roll every not-yet-rolled raw file into new hourly and daily files of its day."""
    pending = [f for f in store.catalog.all_files(Tier.RAW) if not f.rolled]
    for day, sources in sorted(_by_day(pending).items()):
        new = [
            _rollup_file(store, con, t, day, sources, from_raw=True)
            for t in (Tier.HOURLY, Tier.DAILY)
        ]
        store.catalog.replace((), new, mark_rolled=[f.id for f in sources])
        counts["rolled_up_files"] += len(sources)
        counts["rollup_files_written"] += len(new)


def _compact(
    store: StoreFiles, con: duckdb.DuckDBPyConnection, now: int, counts: dict[str, int]
) -> None:
    """Merge each day's small files into one (raw sorted; roll-ups re-aggregated)."""
    for tier in Tier:
        files = [f for f in store.catalog.all_files(tier) if f.rolled]
        for day, group in sorted(_by_day(files).items()):
            closed = now >= (day + 1) * DAY_S + CLOSED_AFTER_S
            if len(group) < 2 or not (closed or len(group) >= MERGE_OPEN_DAY_AT):
                continue
            if tier is Tier.RAW:
                sql = (
                    f"SELECT * FROM read_parquet([{_files_sql(group, store.root)}])"
                    " ORDER BY measurement, object, start"
                )
                relative, rows = _copy(store, con, sql, tier, day)
                merged = NewFile(
                    tier,
                    day,
                    relative,
                    rows,
                    min(f.min_start for f in group),
                    max(f.max_end for f in group),
                    store.catalog.measurements_of([f.id for f in group]),
                    rolled=True,
                )
            else:
                merged = _rollup_file(store, con, tier, day, group, from_raw=False)
            store.catalog.replace(group, [merged])
            counts["compacted_files"] += len(group)
            counts["compacted_into"] += 1


def _expire(store: StoreFiles, now: int, retention: Retention, counts: dict[str, int]) -> None:
    """Retire files of days older than each tier's retention (raw only once rolled up)."""
    keep = {
        Tier.RAW: retention.raw_days,
        Tier.HOURLY: retention.hourly_days,
        Tier.DAILY: retention.daily_days,
    }
    for tier, days in keep.items():
        first_kept = now // DAY_S - days
        old = [f for f in store.catalog.all_files(tier) if f.day < first_kept and f.rolled]
        if old:
            store.catalog.replace(old, [])
            counts["expired_files"] += len(old)
    with store.catalog.write() as db:  # the content index follows the raw values
        expire_content(db, (now // DAY_S - retention.raw_days) * DAY_S)


def _sweep(store: StoreFiles, counts: dict[str, int]) -> None:
    """Delete retired files after their grace period, and orphans nobody committed."""
    wall = time.time()
    done = store.catalog.retired_before(wall - store.retire_grace_s)
    for relative in done:
        remove_quietly(store.root / relative)
    store.catalog.forget_retired(done)
    counts["deleted_files"] += len(done)
    known = store.catalog.known_paths()
    for tier in Tier:
        for path in (store.root / tier.value).glob("*/*"):
            relative = path.relative_to(store.root).as_posix()
            if relative in known or path.suffix not in (".parquet", ".tmp"):
                continue
            try:
                old_enough = path.stat().st_mtime <= wall - store.orphan_grace_s
            except FileNotFoundError:
                continue
            if old_enough:
                remove_quietly(path)
                counts["deleted_orphans"] += 1
