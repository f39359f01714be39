"""PM file intake: TS 32.435 / TS 28.532 files into the time-series store, exactly once.

A file is keyed by the SHA-256 of its decompressed bytes, so the same bytes count once
whatever their name; and each (object, measurement, period start, seconds) is stored once
whatever file brings it (the store's content index), so a re-sent file with other bytes
stores nothing new and a value that differs from the stored one is reported as a conflict.
Files are stored in groups: one Parquet file and one catalog transaction per group, each
file still STORED or DUPLICATE on its own. A file up to `stream_bytes` is decoded whole (the
fast path when it applies); a larger one is decoded in bounded blocks as it is stored, in
one transaction. A bad file is moved to the quarantine folder with `<name>.reason.json` (what
is wrong, and the line when known) and nothing of it is stored. What becomes of values
(unknowns, arrays, periods, repeats) is in `pm_batch`.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import multiprocessing
import multiprocessing.util
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from openipn.codecs.ts32435_pm import PmFileError
from openipn.collect.identity import ObjectIdentity
from openipn.collect.pm_parse import FILE_FAULTS, Parsed, bad_file, parse_source, stream_batches
from openipn.collect.pm_quarantine import free_name, quarantine
from openipn.collect.pm_source import MAX_BYTES, IntakeLimits, Source
from openipn.store.discovered import Sighting
from openipn.store.telemetry.api import (
    AppendResult,
    Conflict,
    FileBatch,
    SampleBatch,
    TelemetryStore,
)
from openipn.store.telemetry.api import (
    Source as DataSource,
)

log = logging.getLogger(__name__)
SOURCE_NAME = "pm-file"  # how discovered objects name this intake
# A batch with model DNs, and the objects the model lacks (`identity.DnMapper`).
BatchMapper = Callable[[SampleBatch], tuple[SampleBatch, list[Sighting]]]

MAX_FILE_BYTES = MAX_BYTES  # default limit of an upload (settings: pm_max_bytes)
GROUP_FILES = 64  # at most this many files per Parquet file and catalog transaction
GROUP_VALUES = 1 << 20  # and at most about this many values (memory)


def group_size(files: int, workers: int) -> int:
    """Files per group: few commits, yet two groups per worker process to keep all busy."""
    if workers <= 1:
        return max(1, min(GROUP_FILES, files))
    return max(1, min(GROUP_FILES, -(-files // (2 * workers))))


class Outcome(StrEnum):
    """What became of one file."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


class FileTally:
    """How many PM files ended in each outcome, shared by the intakes of one platform."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(Outcome, 0)

    def add(self, outcome: Outcome) -> None:
        """Count one file."""
        with self._lock:
            self._counts[outcome] += 1

    def counts(self) -> dict[Outcome, int]:
        """Files per outcome so far."""
        with self._lock:
            return dict(self._counts)


@dataclass(frozen=True)
class IngestResult:
    """The result of ingesting one file (`skipped`: values already stored, not stored again)."""

    name: str
    outcome: Outcome
    rows: int = 0
    key: str | None = None
    reason: str | None = None
    line: int | None = None
    quarantined_as: Path | None = None
    skipped: int = 0
    conflicts: tuple[Conflict, ...] = ()
    conflict_count: int = 0
    discovered: int = 0  # objects the model does not name (listed by /api/v1/discovered)
    objects: tuple[str, ...] = ()  # the objects (model DNs) and counters the file brought in
    measurements: tuple[str, ...] = ()
    unmodelled: tuple[str, ...] = ()  # DNs of the objects the model does not name


def _stored(parsed: Parsed, done: AppendResult) -> Parsed:
    merged = dataclasses.replace(done, conflicts=parsed.conflicts + done.conflicts)
    count = parsed.conflict_count + len(done.conflicts)
    return dataclasses.replace(
        parsed, batch=None, stream=None, appended=merged, conflict_count=count
    )


def _refused(parsed: Parsed, exc: Exception) -> Parsed:
    bad = bad_file(parsed.name, parsed.key, exc)
    return dataclasses.replace(
        bad, reason=f"not storable: {exc}" if not isinstance(exc, PmFileError) else bad.reason
    )


def _mapped(
    batches: Iterable[SampleBatch], mapper: BatchMapper | None, found: list[Sighting]
) -> Iterator[SampleBatch]:
    """Batches with model DNs (`mapper`), the unmodelled objects collected in `found`."""
    for batch in batches:
        if mapper is None:
            yield batch
            continue
        mapped, sightings = mapper(batch)
        found.extend(sightings)
        yield mapped


def _map_parsed(parsed: Parsed, mapper: BatchMapper | None) -> Parsed:
    if parsed.batch is None:
        return parsed
    batch, found = mapper(parsed.batch) if mapper is not None else (parsed.batch, [])
    return dataclasses.replace(
        parsed, batch=batch, discovered=tuple(found), objects=tuple(batch.objects),
        measurements=tuple(batch.measurements),
    )  # fmt: skip


def _streamed(
    source: Source, limits: IntakeLimits, sink: list[Conflict], mapper: BatchMapper | None,
    found: list[Sighting],
) -> Iterator[SampleBatch]:  # fmt: skip
    return _mapped(stream_batches(source, limits, sink), mapper, found)


def _append_stream(
    store: TelemetryStore, parsed: Parsed, limits: IntakeLimits, mapper: BatchMapper | None
) -> Parsed:
    assert parsed.stream is not None and parsed.key is not None
    sink: list[Conflict] = []
    found: list[Sighting] = []
    blocks = partial(_streamed, parsed.stream, limits, sink, mapper, found)
    item = FileBatch(parsed.key, parsed.name, blocks)
    try:
        [done] = store.append_files([item], source=DataSource.PM_FILE)
    except FILE_FAULTS as exc:  # decoded while stored: nothing was committed
        return _refused(parsed, exc)
    kept = dataclasses.replace(
        parsed, conflicts=tuple(sink), conflict_count=len(sink), discovered=tuple(found)
    )
    return _stored(kept, done)


def append_parsed(
    store: TelemetryStore,
    group: Sequence[Parsed],
    limits: IntakeLimits,
    mapper: BatchMapper | None = None,
) -> list[Parsed]:
    """Store parsed files: the one place where PM values go to the store.

    `mapper` first gives every object its model DN (unmodelled ones are kept as seen and
    listed in `Parsed.discovered`). The small files of the group go in one `append_files`
    call (one Parquet file, one transaction); a large one streams in its own; if the store
    refuses a batch, each file is tried alone so only the bad one is refused.
    """
    group = [_map_parsed(parsed, mapper) for parsed in group]
    out = list(group)
    ready = [i for i, p in enumerate(group) if p.batch is not None and p.appended is None]
    items = [
        FileBatch(group[i].key or "", group[i].name, partial(_once, group[i].batch)) for i in ready
    ]
    try:
        done = store.append_files(items, source=DataSource.PM_FILE) if items else []
        for i, result in zip(ready, done, strict=True):
            out[i] = _stored(group[i], result)
    except ValueError:
        for i, item in zip(ready, items, strict=True):
            try:
                out[i] = _stored(group[i], store.append_files([item], source=DataSource.PM_FILE)[0])
            except ValueError as exc:
                out[i] = _refused(group[i], exc)
    for i, parsed in enumerate(group):
        if parsed.stream is not None and parsed.appended is None:
            out[i] = _append_stream(store, parsed, limits, mapper)
    return out


def _once(batch: SampleBatch | None) -> tuple[SampleBatch, ...]:
    return () if batch is None else (batch,)


StoreOpener = Callable[[], TelemetryStore]
# A pool worker's own store handle, opened by the pool initializer (never at import).
_WORKER_STORE: dict[str, TelemetryStore] = {}


def _init_worker(opener: StoreOpener | None) -> None:
    if opener is not None:
        store = _WORKER_STORE["store"] = opener()
        multiprocessing.util.Finalize(store, store.close, exitpriority=10)


def parse_and_store(
    store: TelemetryStore | None,
    paths: Sequence[str],
    limits: IntakeLimits,
    mapper: BatchMapper | None = None,
) -> list[Parsed]:
    """Parse files in order and store them in runs of at most GROUP_VALUES values."""
    seen = None if store is None else store.seen
    done: list[Parsed] = []
    run: list[Parsed] = []
    values = 0
    for path in paths:
        run.append(parse_source(Path(path), Path(path).name, limits, seen))
        values += len(run[-1].batch or ())
        if store is not None and values >= GROUP_VALUES:  # memory stays bounded
            done += append_parsed(store, run, limits, mapper)
            run, values = [], 0
    return done + (run if store is None else append_parsed(store, run, limits, mapper))


def parse_group(
    paths: Sequence[str], limits: IntakeLimits, mapper: BatchMapper | None = None
) -> list[Parsed]:
    """Read and parse files (the process-pool task); a worker with a store also stores them."""
    return parse_and_store(_WORKER_STORE.get("store"), paths, limits, mapper)


def _in_order(
    pool: ProcessPoolExecutor,
    task: Callable[[list[str]], list[Parsed]],
    groups: Sequence[list[str]],
    window: int,
) -> Iterator[list[Parsed]]:
    """Each group's outcome in order; a group starts only when every group `window` or more
    before it is done, so a worker never stores a file before one that many groups earlier
    (the first of two conflicting files wins, as in one process)."""
    waiting = iter(groups)
    running = deque(pool.submit(task, g) for g in itertools.islice(waiting, window))
    while running:
        yield running.popleft().result()  # stored by the worker if it has a store
        if (group := next(waiting, None)) is not None:
            running.append(pool.submit(task, group))


def _log_conflicts(result: IngestResult) -> None:
    for c in result.conflicts:
        log.warning(
            "PM file %s: %s %s period %s/%ss: value %r differs from %r, which is kept",
            result.name, c.object, c.measurement, c.start.isoformat(), c.seconds, c.refused, c.kept,
        )  # fmt: skip


class PmIntake:
    """Parses PM files (optionally in a process pool) and stores each once.

    With `workers` > 1 files are parsed in that many processes; given `opener` (a picklable
    function that opens the same store, e.g. `partial(open_telemetry_store, root)`), each
    worker also stores what it parsed, so the parent only moves files.
    """

    def __init__(
        self,
        store: TelemetryStore,
        quarantine_dir: Path,
        *,
        workers: int = 0,
        opener: StoreOpener | None = None,
        limits: IntakeLimits | None = None,
        identity: ObjectIdentity | None = None,
        tally: FileTally | None = None,
    ) -> None:
        self.store = store
        self.identity = identity  # model DNs for what the files name; the rest discovered
        self.tally = tally or FileTally()
        self.quarantine_dir = quarantine_dir
        self.workers = workers
        self.opener = opener
        self.limits = limits or IntakeLimits()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor | None:
        if self.workers <= 1:
            return None
        if self._pool is None:  # forkserver: safe next to threads (uvicorn, DuckDB)
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(
                self.workers, context, initializer=_init_worker, initargs=(self.opener,)
            )
        return self._pool

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def store_parsed(
        self,
        parsed: Parsed,
        *,
        source_file: Path | None = None,
        data: bytes | None = None,
        move_bad: bool = True,
    ) -> IngestResult:
        """Store a parsed file (via `append_parsed`), or quarantine it (file moved or copied)."""
        [stored] = append_parsed(self.store, [parsed], self.limits, self._mapper())
        return self._result(stored, source_file=source_file, data=data, move_bad=move_bad)

    def _result(
        self, parsed: Parsed, *, source_file: Path | None, data: bytes | None, move_bad: bool
    ) -> IngestResult:
        result = self._outcome(parsed, source_file=source_file, data=data, move_bad=move_bad)
        self.tally.add(result.outcome)
        return result

    def _outcome(
        self, parsed: Parsed, *, source_file: Path | None, data: bytes | None, move_bad: bool
    ) -> IngestResult:
        if self.identity is not None and parsed.discovered:
            try:  # the values are stored; a failed listing must not fail the file
                self.identity.discover(parsed.discovered)
            except SQLAlchemyError as exc:
                log.warning("%s: unmodelled objects not listed as discovered: %s", parsed.name, exc)
        done = parsed.appended
        if done is None:
            where = quarantine(
                self.quarantine_dir, parsed, source_file=source_file, data=data, move=move_bad
            )
            return IngestResult(
                parsed.name, Outcome.QUARANTINED, 0, parsed.key, parsed.reason, parsed.line, where
            )
        outcome = Outcome.DUPLICATE if done.duplicate else Outcome.STORED
        result = IngestResult(
            parsed.name, outcome, done.rows, parsed.key, skipped=done.skipped,
            conflicts=done.conflicts, conflict_count=parsed.conflict_count,
            discovered=len(parsed.discovered), objects=parsed.objects,
            measurements=parsed.measurements, unmodelled=tuple(d.dn for d in parsed.discovered),
        )  # fmt: skip
        _log_conflicts(result)
        return result

    def _mapper(self) -> BatchMapper | None:
        return None if self.identity is None else self.identity.mapper(SOURCE_NAME)

    def ingest_bytes(self, data: bytes, name: str) -> IngestResult:
        """Ingest one file's bytes (upload, FileReady); a bad file is written to quarantine."""
        parsed = parse_source(data, name, self.limits, self.store.seen)
        return self.store_parsed(parsed, data=data)

    def _groups(self, paths: Sequence[Path]) -> Iterator[list[Parsed]]:
        size = group_size(len(paths), self.workers)
        groups = [[str(p) for p in paths[i : i + size]] for i in range(0, len(paths), size)]
        pool = self._executor()
        mapper = self._mapper()
        task = partial(parse_group, limits=self.limits, mapper=mapper)
        if pool is None:
            for group in groups:
                yield parse_and_store(self.store, group, self.limits, mapper)
        else:
            for parsed in _in_order(pool, task, groups, self.workers):
                yield append_parsed(self.store, parsed, self.limits, mapper)

    def ingest_files(
        self, paths: Sequence[Path], *, done_dir: Path | None = None, move_bad: bool = True
    ) -> Iterator[IngestResult]:
        """Ingest files in order, in groups; good ones go to `done_dir` if given."""
        parsed_all = itertools.chain.from_iterable(self._groups(paths))
        for path, parsed in zip(paths, parsed_all, strict=True):
            result = self._result(parsed, source_file=path, data=None, move_bad=move_bad)
            if done_dir is not None and result.outcome is not Outcome.QUARANTINED:
                done_dir.mkdir(parents=True, exist_ok=True)
                path.replace(free_name(done_dir, path.name))
            yield result
