"""Reading PM files within limits: size cap, streaming gunzip, content key, small or streamed.

A file's idempotency key is the SHA-256 of its decompressed bytes. A file (or its gzip
content) up to `stream_bytes` is read whole, for the fast decode path; a larger one is only
hashed in a first pass and then decoded in bounded blocks straight from its source, so memory
stays bounded whatever its size. Decompression streams: gzip content beyond `max_bytes` is
refused as soon as it is reached, never after inflating it (a gzip bomb costs one chunk).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from openipn.codecs.ts32435_pm import PmFileError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 17  # bytes per read while streaming (the parser prunes after each)
MAX_BYTES = 1 << 30  # default OPENIPN_PM_MAX_BYTES: a PM file is a few MB
STREAM_BYTES = 8 << 20  # above this, decode in blocks (the fast path takes ~11x the file)
GZIP_FAULTS = (gzip.BadGzipFile, EOFError, zlib.error, OSError)

Source = Path | bytes


@dataclass(frozen=True)
class IntakeLimits:
    """What PM intake accepts (settings `pm_max_bytes`, `pm_clock_tolerance_s`)."""

    max_bytes: int = MAX_BYTES  # a plain file, or the decompressed content of a .gz
    clock_tolerance_s: float = 300.0  # a period may end this far beyond the wall clock
    earliest_year: int = 1990  # a period starting before this year is a clock gone wrong
    stream_bytes: int = STREAM_BYTES
    block_rows: int = 1_024  # measValues per block when a large file is streamed

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.stream_bytes < 1 or self.block_rows < 1:
            raise ValueError(f"PM intake limits must be positive: {self}")
        if self.clock_tolerance_s < 0:
            raise ValueError(f"clock tolerance must not be negative: {self.clock_tolerance_s}")


@dataclass(frozen=True)
class Loaded:
    """A file's key and, when small enough, its decompressed bytes (else None: stream it)."""

    key: str
    data: bytes | None


def _raw(source: Source) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


def _too_big(limit: int) -> PmFileError:
    return PmFileError(f"content exceeds {limit} bytes (limit OPENIPN_PM_MAX_BYTES)")


def plain_chunks(source: Source, max_bytes: int) -> Iterator[bytes]:
    """The decompressed content in chunks; PmFileError beyond `max_bytes` or for bad gzip."""
    with _raw(source) as raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw) if compressed else raw  # type: ignore[assignment]
        total = 0
        try:
            while chunk := stream.read(min(CHUNK, max_bytes + 1 - total)):
                total += len(chunk)
                if total > max_bytes:
                    raise _too_big(max_bytes)
                yield chunk
        except GZIP_FAULTS as exc:
            if not compressed:
                raise
            raise PmFileError(f"not a readable gzip file: {exc}") from None


def _small(source: Source, limits: IntakeLimits) -> bytes | None:
    """A plain source small enough to take whole, as is (no copy); else None."""
    if isinstance(source, bytes):
        small = len(source) <= min(limits.stream_bytes, limits.max_bytes)
        return source if small and not source.startswith(GZIP_MAGIC) else None
    size = source.stat().st_size
    if size > limits.max_bytes and not _is_gzip(source):
        raise _too_big(limits.max_bytes)
    if size > limits.stream_bytes:
        return None
    data = source.read_bytes()
    return None if data.startswith(GZIP_MAGIC) else data


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def load(source: Source, limits: IntakeLimits) -> Loaded:
    """Key the content; keep it when small, else leave it to be streamed from the source."""
    data = _small(source, limits)
    if data is not None:
        return Loaded(hashlib.sha256(data).hexdigest(), data)
    digest, kept, size = hashlib.sha256(), [], 0
    keep = isinstance(source, bytes) or _is_gzip(source)  # a large plain file: never kept
    for chunk in plain_chunks(source, limits.max_bytes):
        digest.update(chunk)
        size += len(chunk)
        if keep and size <= limits.stream_bytes:
            kept.append(chunk)
        else:
            keep = False
            kept.clear()
    return Loaded(digest.hexdigest(), b"".join(kept) if keep else None)


def raw_key(data: bytes) -> str:
    """SHA-256 of bytes as received (the key of a file that cannot even be inflated)."""
    return hashlib.sha256(data).hexdigest()
