"""PM file intake: TS 32.435 / TS 28.532 files into the time-series store, exactly once.

One file becomes one `SampleBatch` appended under the SHA-256 of its (decompressed) bytes, so
the same content counts once whatever its name. A file is parsed completely before anything
is appended; a malformed one is moved to the quarantine folder with `<name>.reason.json`
(what is wrong, and the line when known) and nothing of it is stored.

Decisions (standards.md §1.4 quirks):
- unknown values (NIL, NULL, empty `<r>`, `, , ,` items, NaN) are left out, never stored as 0;
- an array counter (`<r p="2">86,87,2</r>`) becomes subcounters `<name>.0`, `<name>.1`, …
  (0-based, as Ericsson's `pm…Distr_0` bins), each unknown item left out;
- the period is the measInfo's granPeriod: [endTime - duration, endTime), event time;
- `suspect` values are stored (SampleBatch has no flag for them);
- any other non-numeric result (a word, INF) or a value beyond float range makes the file bad.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import itertools
import json
import math
import multiprocessing
import multiprocessing.util
import shutil
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from openipn.codecs.ts32435_pm import MeasInfo, PmFile, PmFileError, Result, array_values
from openipn.codecs.ts32435_read import decode
from openipn.collect.pm_fast import PmTable, fast_tables, period_start, resolve_dns
from openipn.collect.pm_names import map_names
from openipn.store.telemetry.api import AppendResult, SampleBatch, Source, TelemetryStore

MAX_FILE_BYTES = 1 << 30  # refuse to inflate a .gz beyond 1 GiB (a PM file is a few MB)
GZIP_MAGIC = b"\x1f\x8b"
# What a bad file may raise while it is read: all of these quarantine it.
FILE_FAULTS = (PmFileError, ValueError, OverflowError, EOFError, gzip.BadGzipFile)


def file_key(data: bytes) -> str:
    """The idempotency key of a file: SHA-256 of its decompressed bytes."""
    return hashlib.sha256(data).hexdigest()


def inflate(data: bytes) -> bytes:
    """The file's bytes, gunzipped when they are gzip (FileReady `compression: gzip`)."""
    if not data.startswith(GZIP_MAGIC):
        return data
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        inflated = stream.read(MAX_FILE_BYTES + 1)
    if len(inflated) > MAX_FILE_BYTES:
        raise PmFileError(f"gzip content exceeds {MAX_FILE_BYTES} bytes")
    return inflated


# --- the general path: the streaming decoder, then the same tables -----------------------


def _number(result: Result, where: str) -> float | None:
    """A result as float; None for unknown (NIL/NULL/empty/NaN)."""
    if result is None:
        return None
    if isinstance(result, str):
        raise PmFileError(f"{where}: {result!r} is not a number")
    try:
        number = float(result)
    except OverflowError:
        raise PmFileError(f"{where}: {result} is beyond the range of a float") from None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise PmFileError(f"{where}: {result} is not a finite number")
    return number


def _general_table(info: MeasInfo, position: int, pm: PmFile) -> PmTable:
    label = f"measInfo {position}" + (f" ({info.meas_info_id})" if info.meas_info_id else "")
    width = len(info.meas_types)
    base = np.full((len(info.meas_values), width), np.nan)
    extra: dict[str, dict[int, float]] = {}  # subcounter -> row -> value
    for row, value in enumerate(info.meas_values):
        for column, result in enumerate(value.results):
            name = info.meas_types[column]
            where = f"{label} measObjLdn={value.meas_obj_ldn!r} measType {name!r}"
            if isinstance(result, str) and "," in result:  # array / PDF counter
                for index, item in enumerate(array_values(result)):
                    number = _number(item, f"{where} item {index}")
                    if number is not None:
                        extra.setdefault(f"{name}.{index}", {})[row] = number
            elif (number := _number(result, where)) is not None:
                base[row, column] = number
    columns = [base]
    for cells in extra.values():
        column_values = np.full((len(info.meas_values), 1), np.nan)
        column_values[list(cells), 0] = list(cells.values())
        columns.append(column_values)
    ldns = [value.meas_obj_ldn for value in info.meas_values]
    return PmTable(
        objects=resolve_dns(ldns, pm.header.dn_prefix, pm.managed_element.local_dn),
        types=info.meas_types + tuple(extra),
        start=period_start(info.end_time, info.gran_period_s),
        seconds=info.gran_period_s,
        values=np.hstack(columns),
    )


def general_tables(data: bytes) -> list[PmTable]:
    """Tables of any file the streaming decoder accepts; raises PmFileError naming the fault."""
    pm = decode(data)
    return [_general_table(info, i, pm) for i, info in enumerate(pm.meas_infos, start=1)]


def read_tables(data: bytes) -> list[PmTable]:
    """Tables by the fast path when it applies, else by the general decoder."""
    tables = fast_tables(data)
    return general_tables(data) if tables is None else tables


# --- tables -> SampleBatch ---------------------------------------------------------------


def _check_names(tables: Sequence[PmTable]) -> None:
    for position, table in enumerate(tables, start=1):
        if any(not name for name in table.types):
            raise PmFileError(f"measInfo {position}: a measType has no name")
        if any(not dn for dn in table.objects):
            raise PmFileError(f"measInfo {position}: a measValue has an empty measObjLdn")


def tables_batch(tables: Sequence[PmTable]) -> SampleBatch:
    """One batch of every known value, names mapped to TS 28.552, sorted by name then object."""
    _check_names(tables)
    mapped = [(table, *map_names(table.types, table.values)) for table in tables]
    objects = sorted({dn for table in tables for dn in table.objects})
    measurements = sorted({name for _, names, _ in mapped for name in names})
    object_rank = {dn: i for i, dn in enumerate(objects)}
    measurement_rank = {name: i for i, name in enumerate(measurements)}
    parts: list[tuple[np.ndarray, ...]] = []
    for table, names, matrix in mapped:
        rows = np.fromiter((object_rank[dn] for dn in table.objects), np.int64, len(table.objects))
        cols = np.fromiter((measurement_rank[n] for n in names), np.int64, len(names))
        row_order, col_order = np.argsort(rows, kind="stable"), np.argsort(cols, kind="stable")
        ordered = matrix[row_order][:, col_order].T  # measurement-major, as the store sorts
        known = ~np.isnan(ordered)
        col_at, row_at = np.nonzero(known)
        count = len(col_at)
        parts.append(
            (
                rows[row_order][row_at],
                cols[col_order][col_at],
                np.full(count, table.start, np.int64),
                np.full(count, table.seconds, np.int64),
                ordered[known],
            )
        )
    if not parts:
        parts = [(*(np.empty(0, np.int64) for _ in range(4)), np.empty(0, np.float64))]
    columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
    if len(parts) > 1:
        order = np.lexsort((columns[2], columns[0], columns[1]))
        columns = [column[order] for column in columns]
    return SampleBatch(
        objects=objects,
        object_index=columns[0].astype(np.int64, copy=False),
        measurements=measurements,
        measurement_index=columns[1].astype(np.int64, copy=False),
        starts=columns[2].astype(np.int64, copy=False),
        seconds=columns[3].astype(np.int64, copy=False),
        values=columns[4].astype(np.float64, copy=False),
    )


def parse_pm(data: bytes) -> SampleBatch:
    """A PM file's bytes (plain or gzip) as one batch; raises PmFileError naming the fault."""
    return tables_batch(read_tables(inflate(data)))


# --- files -> store ----------------------------------------------------------------------


class Outcome(StrEnum):
    """What became of one file."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class Parsed:
    """A file read and parsed (in a worker process or not): its batch, or why it is bad."""

    name: str
    key: str
    batch: SampleBatch | None
    reason: str | None = None
    line: int | None = None
    appended: AppendResult | None = None  # set when a pool worker appended it itself


@dataclass(frozen=True)
class IngestResult:
    """The result of ingesting one file."""

    name: str
    outcome: Outcome
    rows: int = 0
    key: str | None = None
    reason: str | None = None
    line: int | None = None
    quarantined_as: Path | None = None


def parse_bytes(data: bytes, name: str) -> Parsed:
    """Parse a file's bytes; a bad file gives a Parsed with its reason, never an exception."""
    try:
        plain = inflate(data)
    except FILE_FAULTS as exc:
        return Parsed(name, file_key(data), None, f"not a readable gzip file: {exc}")
    key = file_key(plain)
    try:
        return Parsed(name, key, tables_batch(read_tables(plain)))
    except FILE_FAULTS as exc:
        line = exc.line if isinstance(exc, PmFileError) else None
        return Parsed(name, key, None, str(exc), line)


StoreOpener = Callable[[], TelemetryStore]
# A pool worker's own store handle, opened by the pool initializer (never at import).
_WORKER_STORE: dict[str, TelemetryStore] = {}


def _init_worker(opener: StoreOpener | None) -> None:
    if opener is not None:
        store = _WORKER_STORE["store"] = opener()
        multiprocessing.util.Finalize(store, store.close, exitpriority=10)


def parse_path(path: str) -> Parsed:
    """Read and parse one file (the process-pool task); a worker with a store appends it."""
    parsed = parse_bytes(Path(path).read_bytes(), Path(path).name)
    store = _WORKER_STORE.get("store")
    if store is None or parsed.batch is None:
        return parsed
    try:  # the store is safe across processes; appending here spares the pipe and the parent
        done = store.append(parsed.batch, source=Source.PM_FILE, key=parsed.key, name=parsed.name)
    except ValueError as exc:
        return dataclasses.replace(parsed, batch=None, reason=f"not storable: {exc}")
    return dataclasses.replace(parsed, batch=None, appended=done)


def _free_name(directory: Path, name: str) -> Path:
    """`directory/name`, or `name.<n>` when a file of that name is already there."""
    target = directory / name
    for count in itertools.count(1):
        if not target.exists() and not Path(f"{target}.reason.json").exists():
            return target
        target = directory / f"{name}.{count}"
    raise AssertionError("unreachable")


class PmIntake:
    """Parses PM files (optionally in a process pool) and appends each once to the store.

    With `workers` > 1 files are parsed in that many processes; given `opener` (a picklable
    function that opens the same store, e.g. `partial(open_telemetry_store, root)`), each
    worker also appends what it parsed, so the parent only moves files.
    """

    def __init__(
        self,
        store: TelemetryStore,
        quarantine_dir: Path,
        *,
        workers: int = 0,
        opener: StoreOpener | None = None,
    ) -> None:
        self.store = store
        self.quarantine_dir = quarantine_dir
        self.workers = workers
        self.opener = opener
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
        """Append a parsed file, or quarantine it (`source_file` moved or copied, or `data`)."""
        if parsed.appended is not None:
            outcome = Outcome.DUPLICATE if parsed.appended.duplicate else Outcome.STORED
            return IngestResult(parsed.name, outcome, parsed.appended.rows, parsed.key)
        if parsed.batch is None:
            where = self.quarantine(parsed, source_file=source_file, data=data, move=move_bad)
            return IngestResult(
                parsed.name, Outcome.QUARANTINED, 0, parsed.key, parsed.reason, parsed.line, where
            )
        try:
            done = self.store.append(
                parsed.batch, source=Source.PM_FILE, key=parsed.key, name=parsed.name
            )
        except ValueError as exc:  # the store refused the batch (append is all or nothing)
            bad = dataclasses.replace(parsed, batch=None, reason=f"not storable: {exc}")
            return self.store_parsed(bad, source_file=source_file, data=data, move_bad=move_bad)
        outcome = Outcome.DUPLICATE if done.duplicate else Outcome.STORED
        return IngestResult(parsed.name, outcome, done.rows, parsed.key)

    def quarantine(
        self, parsed: Parsed, *, source_file: Path | None, data: bytes | None, move: bool = True
    ) -> Path:
        """Put a bad file in the quarantine folder with `<name>.reason.json`."""
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(self.quarantine_dir, Path(parsed.name).name or "unnamed")
        if source_file is not None:
            (shutil.move if move else shutil.copy2)(source_file, target)
        elif data is not None:
            target.write_bytes(data)
        reason = {
            "file": parsed.name,
            "reason": parsed.reason,
            "line": parsed.line,
            "sha256": parsed.key,
            "quarantined_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        Path(f"{target}.reason.json").write_text(json.dumps(reason, indent=2) + "\n")
        return target

    def ingest_bytes(self, data: bytes, name: str) -> IngestResult:
        """Ingest one file's bytes (upload, FileReady); a bad file is written to quarantine."""
        return self.store_parsed(parse_bytes(data, name), data=data)

    def ingest_files(
        self, paths: Sequence[Path], *, done_dir: Path | None = None, move_bad: bool = True
    ) -> Iterator[IngestResult]:
        """Ingest files in order, parsing in the pool; good ones go to `done_dir` if given."""
        pool = self._executor()
        texts = [str(path) for path in paths]
        parsed_all = map(parse_path, texts) if pool is None else pool.map(parse_path, texts)
        for path, parsed in zip(paths, parsed_all, strict=True):
            result = self.store_parsed(parsed, source_file=path, move_bad=move_bad)
            if done_dir is not None and result.outcome is not Outcome.QUARANTINED:
                done_dir.mkdir(parents=True, exist_ok=True)
                path.replace(_free_name(done_dir, path.name))
            yield result
