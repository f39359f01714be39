"""The content index of the telemetry store: each (object, measurement, period) stored once.

The catalog lists, per (period start, seconds, object DN), the set of measurement names
stored for it (objects and name sets interned as ids, so a period of a few thousand cells is
a few thousand small rows). A writer takes a snapshot (the largest `seq`), filters what it
offers against what was stored up to the snapshot and what it has taken itself, writes, and
commits; inside the commit transaction a row newer than the snapshot for one of its (period,
object) pairs means a concurrent writer got there first, and the write is retried.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from openipn.store.telemetry.api import Conflict, SampleBatch

Period = tuple[int, int]  # (start epoch seconds, seconds)
Key = tuple[str, str, int, int]  # (object DN, measurement, start, seconds)
Sets = dict[str, frozenset[str]]  # object DN -> measurement names
_IN_CHUNK = 20_000  # host parameters per IN (...) list, below SQLite's limit
CACHED_OBJECTS = 20_000  # object ids kept per process (a plant has fewer objects)


class CommitRaceError(Exception):
    """A concurrent writer stored one of this write's keys or (period, object) pairs."""


@dataclasses.dataclass
class ContentIds:
    """Process-local caches of interned object and name-set ids (updated after commits)."""

    objects: dict[str, int] = dataclasses.field(default_factory=dict)
    sets: dict[frozenset[str], int] = dataclasses.field(default_factory=dict)
    names: dict[int, frozenset[str]] = dataclasses.field(default_factory=dict)


def snapshot(db: sqlite3.Connection) -> int:
    """The newest content row's sequence number (0 when none)."""
    row = db.execute("SELECT max(seq) FROM content").fetchone()
    return int(row[0] or 0)


def stored_sets(db: sqlite3.Connection, period: Period, upto: int, ids: ContentIds) -> Sets:
    """Measurement names stored per object for one period, as of the snapshot `upto`."""
    found: Sets = {}
    rows = db.execute(
        "SELECT o.dn, c.set_id FROM content c JOIN content_objects o ON o.id = c.object_id"
        " WHERE c.start = ? AND c.seconds = ? AND c.seq <= ?",
        (*period, upto),
    ).fetchall()
    missing = {set_id for _, set_id in rows} - ids.names.keys()
    for set_id, names in db.execute(
        f"SELECT id, names FROM content_sets WHERE id IN ({','.join('?' * len(missing))})",
        tuple(missing),
    ):
        ids.names[set_id] = frozenset(names.split("\n"))
    for dn, set_id in rows:
        names = ids.names[set_id]
        found[dn] = found[dn] | names if dn in found else names
    return found


def _intern(db: sqlite3.Connection, table: str, column: str, values: list[str]) -> dict[str, int]:
    """Ids of values in an intern table, inserting the missing ones."""
    found: dict[str, int] = {}
    for first in range(0, len(values), _IN_CHUNK):
        chunk = values[first : first + _IN_CHUNK]
        db.executemany(
            f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)", [(v,) for v in chunk]
        )
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {column}, id FROM {table} WHERE {column} IN ({marks})"
        found.update(db.execute(sql, chunk).fetchall())
    return found


def commit_content(
    db: sqlite3.Connection, claims: dict[Period, Sets], upto: int, ids: ContentIds
) -> ContentIds:
    """Check for a concurrent writer and record the claims; the new ids worth caching."""
    for start, seconds, dn in db.execute(
        "SELECT c.start, c.seconds, o.dn FROM content c JOIN content_objects o"
        " ON o.id = c.object_id WHERE c.seq > ?",
        (upto,),
    ):
        if dn in claims.get((start, seconds), {}):
            raise CommitRaceError(f"{dn} at {start} was stored meanwhile")
    sets = {names for by_dn in claims.values() for names in by_dn.values()} - ids.sets.keys()
    texts = {"\n".join(sorted(names)): names for names in sets}
    new = ContentIds()
    for text, set_id in _intern(db, "content_sets", "names", list(texts)).items():
        new.sets[texts[text]] = set_id
        new.names[set_id] = texts[text]
    set_ids = ids.sets | new.sets
    for period, by_dn in claims.items():
        names = list(by_dn)
        for first in range(0, len(names), _IN_CHUNK):  # bounded memory for a large file
            chunk = names[first : first + _IN_CHUNK]
            missing = [dn for dn in chunk if dn not in ids.objects and dn not in new.objects]
            got = _intern(db, "content_objects", "dn", missing) if missing else {}
            if len(ids.objects) + len(new.objects) < CACHED_OBJECTS:
                new.objects.update(got)
            db.executemany(
                "INSERT INTO content (start, seconds, object_id, set_id) VALUES (?, ?, ?, ?)",
                (
                    (
                        *period,
                        ids.objects.get(dn) or new.objects.get(dn) or got[dn],
                        set_ids[by_dn[dn]],
                    )
                    for dn in chunk
                ),
            )
    return new


def expire_content(db: sqlite3.Connection, before: int) -> int:
    """Forget content of periods starting before `before` (raw values expired)."""
    return db.execute("DELETE FROM content WHERE start < ?", (before,)).rowcount


class ContentIndex:
    """What one write may still store: filters batches, remembers what it has taken."""

    def __init__(self, load: Callable[[Period], Sets]) -> None:
        self.load = load
        self.stored: dict[Period, Sets] = {}
        self.claims: dict[Period, Sets] = {}

    def filter(self, batch: SampleBatch) -> tuple[SampleBatch, list[tuple[Key, float]]]:
        """The batch without values already stored or taken; those left out, with values."""
        if not len(batch):
            return batch, []
        starts, seconds = np.asarray(batch.starts), np.asarray(batch.seconds)
        keep = np.ones(len(batch), dtype=bool)
        overlaps: list[tuple[Key, float]] = []
        if starts.min() == starts.max() and seconds.min() == seconds.max():
            periods = [(int(starts[0]), int(seconds[0]))]  # a file of one period: most
        else:
            periods = sorted(set(zip(starts.tolist(), seconds.tolist(), strict=True)))
        for start, length in periods:
            rows = (
                np.flatnonzero((starts == start) & (seconds == length))
                if len(periods) > 1
                else np.arange(len(batch))
            )
            overlaps += self._drop(batch, (start, length), rows, keep)
            self._claim(batch, (start, length), rows[keep[rows]])
        if keep.all():
            return batch, overlaps
        return subset(batch, keep), overlaps

    def _drop(
        self, batch: SampleBatch, period: Period, rows: np.ndarray, keep: np.ndarray
    ) -> list[tuple[Key, float]]:
        """Clear `keep` for rows whose key is stored or taken; return them."""
        if period not in self.stored:
            self.stored[period] = self.load(period)
        stored, taken = self.stored[period], self.claims.get(period, {})
        if not stored and not taken:
            return []
        hit = [c for c, dn in enumerate(batch.objects) if dn in stored or dn in taken]
        if not hit:
            return []
        codes = np.asarray(batch.object_index)[rows]
        found = []
        for row in rows[np.isin(codes, hit)].tolist():
            dn = batch.objects[int(batch.object_index[row])]
            name = batch.measurements[int(batch.measurement_index[row])]
            if name in stored.get(dn, ()) or name in taken.get(dn, ()):
                keep[row] = False
                found.append(((dn, name, *period), float(batch.values[row])))
        return found

    def _claim(self, batch: SampleBatch, period: Period, rows: np.ndarray) -> None:
        """Remember the measurement names each object gets for this period."""
        if not len(rows):
            return
        matrix = np.zeros((len(batch.objects), len(batch.measurements)), dtype=bool)
        matrix[np.asarray(batch.object_index)[rows], np.asarray(batch.measurement_index)[rows]] = 1
        present = np.flatnonzero(matrix.any(axis=1))
        taken = self.claims.setdefault(period, {})
        rows_of = matrix[present]
        if (rows_of == rows_of[0]).all():  # the usual file: every object the same counters
            names = frozenset(batch.measurements[j] for j in np.flatnonzero(rows_of[0]).tolist())
            for dn in map(batch.objects.__getitem__, present.tolist()):
                taken[dn] = taken[dn] | names if dn in taken else names
            return
        packed = np.packbits(rows_of, axis=1)
        width = packed.shape[1]
        flat = packed.tobytes()
        by_row: dict[bytes, frozenset[str]] = {}
        for i, code in enumerate(present.tolist()):
            row = flat[i * width : (i + 1) * width]
            got = by_row.get(row)
            if got is None:
                bits = np.flatnonzero(matrix[code]).tolist()
                got = by_row[row] = frozenset(batch.measurements[j] for j in bits)
            dn = batch.objects[code]
            taken[dn] = taken[dn] | got if dn in taken else got


def subset(batch: SampleBatch, rows: np.ndarray) -> SampleBatch:
    """The batch's rows selected by a mask or index array (names kept)."""
    return dataclasses.replace(
        batch,
        object_index=np.asarray(batch.object_index)[rows],
        measurement_index=np.asarray(batch.measurement_index)[rows],
        starts=np.asarray(batch.starts)[rows],
        seconds=np.asarray(batch.seconds)[rows],
        values=np.asarray(batch.values)[rows],
    )


def concat(batches: Sequence[SampleBatch]) -> SampleBatch:
    """One batch of several, names merged."""
    if len(batches) == 1:
        return batches[0]
    objects: dict[str, int] = {}
    measurements: dict[str, int] = {}
    columns: list[list[np.ndarray]] = [[], [], [], [], []]
    for batch in batches:
        o = np.array([objects.setdefault(n, len(objects)) for n in batch.objects], np.int64)
        m = np.array(
            [measurements.setdefault(n, len(measurements)) for n in batch.measurements], np.int64
        )
        columns[0].append(o[np.asarray(batch.object_index)] if len(o) else np.empty(0, np.int64))
        columns[1].append(
            m[np.asarray(batch.measurement_index)] if len(m) else np.empty(0, np.int64)
        )
        columns[2].append(np.asarray(batch.starts, np.int64))
        columns[3].append(np.asarray(batch.seconds, np.int64))
        columns[4].append(np.asarray(batch.values, np.float64))
    joined = [np.concatenate(column) for column in columns]
    return SampleBatch(list(objects), joined[0], list(measurements), joined[1], *joined[2:])


def batch_values(batches: Iterable[SampleBatch], wanted: set[Key]) -> dict[Key, float]:
    """Values of the wanted keys found in batches (first occurrence wins)."""
    found: dict[Key, float] = {}
    starts = np.array(sorted({key[2] for key in wanted}), np.int64)
    for batch in batches:
        for row in np.flatnonzero(np.isin(np.asarray(batch.starts), starts)).tolist():
            key = (
                batch.objects[int(batch.object_index[row])],
                batch.measurements[int(batch.measurement_index[row])],
                int(batch.starts[row]),
                int(batch.seconds[row]),
            )
            if key in wanted and key not in found:
                found[key] = float(batch.values[row])
    return found


def file_values(paths: Iterable[Path], wanted: set[Key]) -> dict[Key, float]:
    """Values of the wanted keys found in raw Parquet files (first occurrence wins)."""
    found: dict[Key, float] = {}
    moments = sorted({dt.datetime.fromtimestamp(key[2], dt.UTC) for key in wanted})
    for path in paths:
        try:
            table = pq.read_table(path, filters=[("start", "in", moments)])
        except FileNotFoundError:  # retired and swept meanwhile: its values are elsewhere
            continue
        rows = zip(*(table.column(n).to_pylist() for n in table.column_names), strict=True)
        for dn, name, start, seconds, value in rows:
            key = (dn, name, int(start.timestamp()), int(seconds))
            if key in wanted and key not in found:
                found[key] = float(value)
    return found


def conflicts(overlaps: list[tuple[Key, float]], stored: dict[Key, float]) -> list[Conflict]:
    """The overlaps whose offered value differs from the stored one."""
    return [
        Conflict(key[0], key[1], dt.datetime.fromtimestamp(key[2], dt.UTC), key[3], kept, value)
        for key, value in overlaps
        if (kept := stored.get(key)) is not None and kept != value
    ]
