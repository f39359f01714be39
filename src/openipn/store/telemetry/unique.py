"""`append_files`: several source files in one commit, each key once, each value once.

The files' values are filtered against the content index (store/telemetry/content.py),
gathered and written as few Parquet files as memory allows (one for a round of small files;
bounded pieces for a large one), then committed with every file's key and the new content
rows in one catalog transaction. Nothing is catalogued before that commit, so a crash or a bad
file leaves at most orphan Parquet files that queries never read and upkeep deletes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Sequence

from openipn.model.times import from_epoch
from openipn.store.telemetry.api import AppendResult, Conflict, FileBatch, SampleBatch, Source, Tier
from openipn.store.telemetry.catalog import NewFile
from openipn.store.telemetry.content import (
    CommitRaceError,
    ContentIndex,
    Key,
    Period,
    Sets,
    batch_values,
    concat,
    conflicts,
    file_values,
    stored_sets,
)
from openipn.store.telemetry.layout import (
    DAY_S,
    StoreFiles,
    batch_parts,
    remove_quietly,
    write_raw_part,
)

FLUSH_ROWS = 1 << 18  # values gathered in memory before they are written out
STREAM_FLUSH_ROWS = 1 << 16  # the same within a file that comes in many batches (large)
RETRIES = 8  # rounds lost to concurrent writers before giving up
MAX_CONFLICTS = 100  # conflicts listed per file (all are counted in `skipped`)


class _Writer:
    """Gathers filtered batches and writes them out in bounded pieces (not yet committed)."""

    def __init__(self, store: StoreFiles) -> None:
        self.store = store
        self.pending: list[SampleBatch] = []
        self.rows = 0
        self.written: list[NewFile] = []

    def add(self, batch: SampleBatch, *, streaming: bool = False) -> None:
        """Gather a batch; write out at FLUSH_ROWS (STREAM_FLUSH_ROWS within a large file)."""
        if len(batch):
            self.pending.append(batch)
            self.rows += len(batch)
        if self.rows >= (STREAM_FLUSH_ROWS if streaming else FLUSH_ROWS):
            self.flush()
            _trim()

    def flush(self) -> None:
        """Write what is gathered as one Parquet file per UTC day."""
        if not self.pending:
            return
        for part in batch_parts(concat(self.pending)):
            self.written.append(write_raw_part(self.store.root, part, durable=self.store.durable))
        self.pending, self.rows = [], 0

    def discard(self) -> None:
        for f in self.written:
            remove_quietly(self.store.root / f.path)
        self.written = []

    def values(self, wanted: set[Key]) -> dict[Key, float]:
        """Values this write already holds for the wanted keys (gathered or written)."""
        paths = [self.store.root / f.path for f in self.written]
        return file_values(paths, wanted) | batch_values(self.pending, wanted)


def _trim() -> None:
    """Hand freed heap pages back to the OS (glibc), so a long write keeps a flat RSS."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


_LIBC = _libc()


def _stored_values(store: StoreFiles, wanted: set[Key]) -> dict[Key, float]:
    """Committed raw values of the wanted keys."""
    days = sorted({key[2] // DAY_S for key in wanted})
    names = sorted({key[1] for key in wanted})
    with store.catalog.read() as db:
        files = [f for d in days for f in store.catalog.files(db, Tier.RAW, d, d, names)]
    return file_values([store.root / f.path for f in files], wanted)


def _conflicts(
    store: StoreFiles, writer: _Writer, overlaps: list[tuple[Key, float]]
) -> tuple[Conflict, ...]:
    """The overlaps whose value differs from the one stored or taken first."""
    if not overlaps:
        return ()
    wanted = {key for key, _ in overlaps}
    found = writer.values(wanted)
    rest = wanted - found.keys()
    found |= _stored_values(store, rest) if rest else {}
    return tuple(conflicts(overlaps, found)[:MAX_CONFLICTS])


def _span(batch: SampleBatch, span: tuple[int, int] | None) -> tuple[int, int] | None:
    if not len(batch):
        return span
    lo, hi = int(batch.starts.min()), int((batch.starts + batch.seconds).max())
    return (lo, hi) if span is None else (min(lo, span[0]), max(hi, span[1]))


class _Round:
    """One attempt: filter, write, commit; raises CommitRaceError if overtaken."""

    def __init__(self, store: StoreFiles) -> None:
        self.store = store
        with store.catalog.read() as db:
            self.snapshot = store.catalog.content_snapshot(db)
        self.index = ContentIndex(self._load)
        self.writer = _Writer(store)
        self.keys: list[tuple[str, str, int]] = []

    def _load(self, period: Period) -> Sets:
        catalog = self.store.catalog
        with catalog.read() as db:
            return stored_sets(db, period, self.snapshot, catalog.content_ids)

    def one(self, item: FileBatch, taken: set[str]) -> AppendResult:
        if item.key in taken or self.store.catalog.seen(item.key):
            return AppendResult(rows=0, duplicate=True)
        taken.add(item.key)
        offered = kept = 0
        overlaps: list[tuple[Key, float]] = []
        span: tuple[int, int] | None = None
        for count, batch in enumerate(item.batches()):
            filtered, over = self.index.filter(batch)
            offered, kept, overlaps = offered + len(batch), kept + len(filtered), overlaps + over
            span = _span(filtered, span)
            self.writer.add(filtered, streaming=count > 0)
        self.keys.append((item.key, item.name, kept))
        return AppendResult(
            rows=kept,
            duplicate=offered > 0 and kept == 0,
            period_start=None if span is None else from_epoch(span[0]),
            period_end=None if span is None else from_epoch(span[1]),
            skipped=offered - kept,
            conflicts=_conflicts(self.store, self.writer, overlaps),
        )

    def run(self, files: Sequence[FileBatch], source: Source) -> list[AppendResult]:
        taken: set[str] = set()
        try:
            results = [self.one(item, taken) for item in files]
            self.writer.flush()
            self.store.catalog.commit_files(
                self.writer.written, self.keys, self.index.claims, self.snapshot, str(source)
            )
        except BaseException:
            self.writer.discard()
            raise
        return results


def append_files(
    store: StoreFiles, files: Sequence[FileBatch], source: Source
) -> list[AppendResult]:
    """Store several files in one transaction (see `TelemetryStore.append_files`)."""
    for _ in range(RETRIES):
        try:
            return _Round(store).run(files, source)
        except CommitRaceError:
            continue
    raise RuntimeError(f"other writers kept storing the same content; {RETRIES} rounds lost")
