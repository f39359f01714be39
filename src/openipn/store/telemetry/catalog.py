"""The SQLite catalog of the telemetry store: committed files, idempotency keys, names.

Only files listed here are ever read, so a Parquet file written but never committed (a crash
in between) is an orphan that queries ignore and maintenance deletes. A raw file with
`rolled = 0` is the dirty mark of its UTC day: its values are not yet in the roll-ups.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from openipn.store.telemetry.api import Tier
from openipn.store.telemetry.content import (
    CommitRaceError,
    ContentIds,
    Period,
    Sets,
    commit_content,
    snapshot,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    tier TEXT NOT NULL,
    day INTEGER NOT NULL,          -- UTC day number (epoch seconds // 86400)
    path TEXT NOT NULL UNIQUE,     -- relative to the store root
    rows INTEGER NOT NULL,
    min_start INTEGER NOT NULL,    -- epoch seconds
    max_end INTEGER NOT NULL,      -- epoch seconds, exclusive
    rolled INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_tier_day ON files (tier, day);
CREATE TABLE IF NOT EXISTS measurements (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS file_measurements (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    measurement_id INTEGER NOT NULL REFERENCES measurements (id),
    PRIMARY KEY (file_id, measurement_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS file_measurements_m ON file_measurements (measurement_id);
CREATE TABLE IF NOT EXISTS batch_keys (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    rows INTEGER NOT NULL,
    stored_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS retired (
    path TEXT PRIMARY KEY,
    retired_at REAL NOT NULL
);
-- content index: which measurement names each (period, object) holds (store/telemetry/content.py)
CREATE TABLE IF NOT EXISTS content_objects (
    id INTEGER PRIMARY KEY,
    dn TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS content_sets (
    id INTEGER PRIMARY KEY,
    names TEXT NOT NULL UNIQUE     -- sorted measurement names joined by newlines
);
CREATE TABLE IF NOT EXISTS content (
    seq INTEGER PRIMARY KEY,       -- grows with every commit: what came after a snapshot
    start INTEGER NOT NULL,
    seconds INTEGER NOT NULL,
    object_id INTEGER NOT NULL REFERENCES content_objects (id),
    set_id INTEGER NOT NULL REFERENCES content_sets (id)
);
CREATE INDEX IF NOT EXISTS content_period ON content (start, seconds, object_id);
"""


class DuplicateKeyError(Exception):
    """The batch's idempotency key is already in the catalog."""


@dataclass(frozen=True)
class FileEntry:
    """One committed file as the catalog lists it."""

    id: int
    tier: Tier
    day: int
    path: str
    rows: int
    min_start: int
    max_end: int
    rolled: bool


@dataclass(frozen=True)
class NewFile:
    """A file written and renamed into place, about to be committed."""

    tier: Tier
    day: int
    path: str
    rows: int
    min_start: int
    max_end: int
    measurements: tuple[str, ...]
    rolled: bool = False


_COLUMNS = "id, tier, day, path, rows, min_start, max_end, rolled"


def _entry(row: tuple[int, str, int, str, int, int, int, int]) -> FileEntry:
    return FileEntry(row[0], Tier(row[1]), row[2], row[3], row[4], row[5], row[6], bool(row[7]))


class Catalog:
    """Thread-safe access to `<root>/catalog.db` (WAL, busy timeout, short transactions)."""

    def __init__(self, path: Path, busy_timeout_ms: int = 30_000) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        self.content_ids = ContentIds()
        with self.write() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE), committed on success, rolled back on error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every SELECT inside sees the same snapshot."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    def commit_batch(
        self, files: Sequence[NewFile], *, key: str | None, source: str, name: str
    ) -> None:
        """Record the key and the files in one transaction; DuplicateKeyError if the key exists."""
        with self.write() as db:
            if key is not None:
                rows = sum(f.rows for f in files)
                try:
                    db.execute(
                        "INSERT INTO batch_keys (key, source, name, rows, stored_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (key, source, name, rows, time.time()),
                    )
                except sqlite3.IntegrityError as error:
                    raise DuplicateKeyError(key) from error
            insert_files(db, files)

    def content_snapshot(self, db: sqlite3.Connection) -> int:
        """The content index's newest sequence number (see store/telemetry/content.py)."""
        return snapshot(db)

    def commit_files(
        self,
        files: Sequence[NewFile],
        keys: Sequence[tuple[str, str, int]],
        claims: dict[Period, Sets],
        upto: int,
        source: str,
    ) -> None:
        """Record files, keys (key, name, rows) and content in one transaction.

        Raises CommitRaceError when a key or a claimed (period, object) was stored by another
        writer after the snapshot `upto`; nothing is recorded then.
        """
        with self.write() as db:
            now = time.time()
            for key, name, rows in keys:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO batch_keys (key, source, name, rows, stored_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (key, source, name, rows, now),
                )
                if cursor.rowcount != 1:
                    raise CommitRaceError(f"key {key} was stored meanwhile")
            new = commit_content(db, claims, upto, self.content_ids)
            insert_files(db, files)
        self.content_ids.objects.update(new.objects)
        self.content_ids.sets.update(new.sets)
        self.content_ids.names.update(new.names)

    def seen(self, key: str) -> bool:
        """Whether a batch with this key was committed."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM batch_keys WHERE key = ?", (key,)).fetchone()
        return row is not None

    def files(
        self,
        db: sqlite3.Connection,
        tier: Tier,
        first_day: int,
        last_day: int,
        measurements: Sequence[str] | None = None,
    ) -> list[FileEntry]:
        """Files of a tier whose day lies in [first_day, last_day], optionally by measurement."""
        sql = f"SELECT {_COLUMNS} FROM files WHERE tier = ? AND day BETWEEN ? AND ?"
        args: list[object] = [tier.value, first_day, last_day]
        if measurements is not None:
            marks = ",".join("?" * len(measurements))
            sql += (
                " AND id IN (SELECT fm.file_id FROM file_measurements fm JOIN measurements m"
                f" ON m.id = fm.measurement_id WHERE m.name IN ({marks}))"
            )
            args.extend(measurements)
        return [_entry(row) for row in db.execute(sql + " ORDER BY day, id", args)]

    def unrolled_days(self, db: sqlite3.Connection, first_day: int, last_day: int) -> set[int]:
        """Days in the range holding raw values not yet in the roll-ups."""
        rows = db.execute(
            "SELECT DISTINCT day FROM files WHERE tier = 'raw' AND rolled = 0"
            " AND day BETWEEN ? AND ?",
            (first_day, last_day),
        )
        return {row[0] for row in rows}

    def all_files(self, tier: Tier | None = None) -> list[FileEntry]:
        """Every committed file (of a tier)."""
        with self.read() as db:
            if tier is None:
                rows = db.execute(f"SELECT {_COLUMNS} FROM files ORDER BY day, id")
            else:
                rows = db.execute(
                    f"SELECT {_COLUMNS} FROM files WHERE tier = ? ORDER BY day, id",
                    (tier.value,),
                )
            return [_entry(row) for row in rows]

    def replace(
        self, old: Sequence[FileEntry], new: Sequence[NewFile], mark_rolled: Sequence[int] = ()
    ) -> None:
        """Commit new files, retire old ones and mark raw files rolled, in one transaction."""
        with self.write() as db:
            insert_files(db, new)
            retire(db, old)
            db.executemany("UPDATE files SET rolled = 1 WHERE id = ?", [(i,) for i in mark_rolled])

    def measurements_of(self, ids: Sequence[int]) -> tuple[str, ...]:
        """Distinct measurement names held by these files, sorted."""
        marks = ",".join("?" * len(ids))
        with self.read() as db:
            rows = db.execute(
                "SELECT DISTINCT m.name FROM measurements m JOIN file_measurements fm"
                f" ON fm.measurement_id = m.id WHERE fm.file_id IN ({marks}) ORDER BY m.name",
                tuple(ids),
            )
            return tuple(row[0] for row in rows)

    def retired_before(self, cutoff: float) -> list[str]:
        """Paths of files retired before `cutoff` (epoch seconds)."""
        with self.read() as db:
            rows = db.execute("SELECT path FROM retired WHERE retired_at <= ?", (cutoff,))
            return [row[0] for row in rows]

    def forget_retired(self, paths: Sequence[str]) -> None:
        """Drop retired paths once their files are deleted."""
        with self.write() as db:
            db.executemany("DELETE FROM retired WHERE path = ?", [(p,) for p in paths])

    def known_paths(self) -> set[str]:
        """Paths the catalog knows: committed or retired (not yet deleted)."""
        with self.read() as db:
            live = {row[0] for row in db.execute("SELECT path FROM files")}
            return live | {row[0] for row in db.execute("SELECT path FROM retired")}

    def measurement_names(self, prefix: str) -> list[str]:
        """Distinct measurement names present in at least one committed file."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self.read() as db:
            rows = db.execute(
                "SELECT name FROM measurements m WHERE name LIKE ? ESCAPE '\\'"
                " AND EXISTS (SELECT 1 FROM file_measurements fm WHERE fm.measurement_id = m.id)"
                " ORDER BY name",
                (escaped + "%",),
            )
            return [row[0] for row in rows if row[0].startswith(prefix)]

    def latest_end(self, bound: int | None = None) -> int | None:
        """The latest period end (epoch seconds) of any raw value stored, at most `bound`."""
        with self.read() as db:
            row = db.execute("SELECT max(max_end) FROM files WHERE tier = 'raw'").fetchone()
        if row is None or row[0] is None:
            return None
        return int(row[0]) if bound is None else min(int(row[0]), bound)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()


def insert_files(db: sqlite3.Connection, files: Sequence[NewFile]) -> None:
    """Insert file rows and their measurement names (inside the caller's transaction)."""
    now = time.time()
    for f in files:
        cursor = db.execute(
            "INSERT INTO files (tier, day, path, rows, min_start, max_end, rolled, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (f.tier.value, f.day, f.path, f.rows, f.min_start, f.max_end, int(f.rolled), now),
        )
        db.executemany(
            "INSERT OR IGNORE INTO measurements (name) VALUES (?)", [(m,) for m in f.measurements]
        )
        marks = ",".join("?" * len(f.measurements))
        db.execute(
            "INSERT INTO file_measurements (file_id, measurement_id)"
            f" SELECT ?, id FROM measurements WHERE name IN ({marks})",
            (cursor.lastrowid, *f.measurements),
        )


def retire(db: sqlite3.Connection, old: Sequence[FileEntry]) -> None:
    """Remove files from the catalog; their paths wait in `retired` until deleted."""
    now = time.time()
    db.executemany("DELETE FROM files WHERE id = ?", [(f.id,) for f in old])
    db.executemany(
        "INSERT OR REPLACE INTO retired (path, retired_at) VALUES (?, ?)",
        [(f.path, now) for f in old],
    )
