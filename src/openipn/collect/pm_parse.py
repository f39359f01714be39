"""Reading one PM file: its bytes or a path into a SampleBatch, or why it is bad (never raises).

A file up to the stream threshold is decoded whole (the fast path when it applies); a larger
one is left as a source that `stream_batches` decodes in bounded blocks while it is stored.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openipn.codecs.ts32435_pm import PmFileError
from openipn.codecs.ts32435_read import Block, iter_blocks
from openipn.collect.pm_batch import build, general_table
from openipn.collect.pm_fast import PmTable, fast_tables
from openipn.collect.pm_source import CHUNK, IntakeLimits, Source, load, plain_chunks
from openipn.store.discovered import Sighting
from openipn.store.telemetry.api import AppendResult, Conflict, SampleBatch

# What a bad file may raise while it is read: all of these quarantine it.
FILE_FAULTS = (PmFileError, ValueError, OverflowError, EOFError, gzip.BadGzipFile)


def file_key(data: bytes) -> str:
    """The idempotency key of a file: SHA-256 of its (decompressed) bytes."""
    return hashlib.sha256(data).hexdigest()


def element_dn(block: Block) -> str | None:
    """The DN the block's LDNs are relative to: managedElement localDn, else fileSender's."""
    return block.element.local_dn or block.header.sender_local_dn


def _tables(blocks: Iterator[Block]) -> Iterator[PmTable]:
    for position, block in enumerate(blocks, start=1):
        yield general_table(block.info, position, block.header.dn_prefix, element_dn(block))


def general_tables(data: bytes) -> list[PmTable]:
    """Tables of any file the streaming decoder accepts; raises PmFileError naming the fault."""
    return list(_tables(iter_blocks(data[i : i + CHUNK] for i in range(0, len(data) or 1, CHUNK))))


def read_tables(data: bytes) -> list[PmTable]:
    """Tables by the fast path when it applies, else by the general decoder."""
    tables = fast_tables(data)
    return general_tables(data) if tables is None else tables


def parse_pm(data: bytes, limits: IntakeLimits | None = None) -> SampleBatch:
    """A small PM file's bytes (plain or gzip) as one batch; raises PmFileError naming the fault."""
    limits = limits or IntakeLimits()
    loaded = load(data, dataclasses.replace(limits, stream_bytes=limits.max_bytes))
    assert loaded.data is not None
    return build(read_tables(loaded.data), limits, time.time()).batch


def stream_batches(
    source: Source, limits: IntakeLimits, sink: list[Conflict]
) -> Iterator[SampleBatch]:
    """A large file's values in bounded batches (one per block); in-block conflicts to `sink`."""
    blocks = iter_blocks(plain_chunks(source, limits.max_bytes), limits.block_rows)
    for table in _tables(blocks):
        built = build([table], limits, time.time())
        sink.extend(built.conflicts)
        yield built.batch


@dataclass(frozen=True)
class Parsed:
    """A file read (in a worker process or not): its batch, a source to stream, or why bad."""

    name: str
    key: str | None
    batch: SampleBatch | None
    reason: str | None = None
    line: int | None = None
    appended: AppendResult | None = None  # set once stored (by a pool worker or the parent)
    conflicts: tuple[Conflict, ...] = ()  # within the file
    conflict_count: int = 0
    stream: Source | None = None  # a large file: decoded in blocks while it is stored
    discovered: tuple[Sighting, ...] = ()  # objects the model does not name (see identity.py)
    objects: tuple[str, ...] = ()  # what the file brought in (not listed for streamed files)
    measurements: tuple[str, ...] = ()


def bad_file(name: str, key: str | None, exc: Exception) -> Parsed:
    """A Parsed saying why the file is bad (and the line, when known)."""
    line = exc.line if isinstance(exc, PmFileError) else None
    return Parsed(name, key, None, str(exc), line)


def _raw_key(source: Source) -> str:
    if isinstance(source, bytes):
        return file_key(source)
    with source.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def parse_source(
    source: Source, name: str, limits: IntakeLimits, seen: Callable[[str], bool] | None = None
) -> Parsed:
    """Read and parse a file; a bad one gives a Parsed with its reason, never an exception."""
    try:
        loaded = load(source, limits)
    except FILE_FAULTS as exc:
        return bad_file(name, _raw_key(source), exc)
    if seen is not None and seen(loaded.key):
        return Parsed(name, loaded.key, None, appended=AppendResult(rows=0, duplicate=True))
    if loaded.data is None:
        return Parsed(name, loaded.key, None, stream=source)
    try:
        built = build(read_tables(loaded.data), limits, time.time())
    except FILE_FAULTS as exc:
        return bad_file(name, loaded.key, exc)
    return Parsed(
        name, loaded.key, built.batch, None, None, None, built.conflicts, built.conflict_count
    )


def parse_bytes(data: bytes, name: str, limits: IntakeLimits | None = None) -> Parsed:
    """Parse a file's bytes; a bad file gives a Parsed with its reason, never an exception."""
    return parse_source(data, name, limits or IntakeLimits())


def parse_path(path: str, limits: IntakeLimits | None = None) -> Parsed:
    """Read and parse one file (no store)."""
    return parse_source(Path(path), Path(path).name, limits or IntakeLimits())
