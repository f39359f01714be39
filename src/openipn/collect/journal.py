"""The VES journal: append-only segment files of checksummed records, written with group commit.

A record holds one accepted request body (a JSON `{"event": …}` or `{"eventList": […]}`) and the
journal positions of its events: positions count events, strictly increasing across the journal.
Record layout (little-endian): magic ``b"VJ01"``, payload length (u32), CRC-32 of everything
after the CRC field (u32), first position (u64), event count (u32), arrival time in µs since the
epoch (u64), then the payload. A record whose length or CRC does not check out is a torn tail
left by a crash: on open it is cut off (nothing after it was ever acknowledged, because the
writer acknowledges only after ``fdatasync``).

Segments are named ``<first position, 20 digits>.seg``; a new one starts when the active one
exceeds the segment size, and a segment whose events are all consumed can be released.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"VJ01"
_HEADER = struct.Struct("<4sIIQIQ")  # magic, length, crc, first position, count, arrival µs
_CRC_FROM = 12  # the CRC covers the header after the CRC field, then the payload
HEADER_SIZE = _HEADER.size
MAX_PAYLOAD = 64 * 1024 * 1024
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SUFFIX = ".seg"


class JournalBusyError(RuntimeError):
    """The writer's queue is full (or the journal failed): the caller should retry later."""


@dataclass(frozen=True)
class Record:
    """One journal record: the events at positions [first, first + count) and their body."""

    first: int
    count: int
    received_at: dt.datetime
    payload: bytes

    @property
    def end(self) -> int:
        """The position after this record's last event."""
        return self.first + self.count


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def encode_record(first: int, count: int, received_at: dt.datetime, payload: bytes) -> bytes:
    """The bytes of one record."""
    tail = struct.pack("<QIQ", first, count, _micros(received_at))
    crc = zlib.crc32(payload, zlib.crc32(tail))
    return MAGIC + struct.pack("<II", len(payload), crc) + tail + payload


def decode_at(data: bytes | memoryview, offset: int) -> Record | None:
    """The record at ``offset`` of ``data``, or None when it is incomplete or corrupt."""
    if len(data) - offset < HEADER_SIZE:
        return None
    magic, length, crc, first, count, micros = _HEADER.unpack_from(data, offset)
    end = offset + HEADER_SIZE + length
    if magic != MAGIC or length > MAX_PAYLOAD or end > len(data):
        return None
    view = memoryview(data)
    if (
        zlib.crc32(
            view[offset + HEADER_SIZE : end],
            zlib.crc32(view[offset + _CRC_FROM : offset + HEADER_SIZE]),
        )
        != crc
    ):
        return None
    received = _EPOCH + dt.timedelta(microseconds=micros)
    return Record(first, count, received, bytes(view[offset + HEADER_SIZE : end]))


def segment_name(first: int) -> str:
    """The file name of the segment whose first event has position ``first``."""
    return f"{first:020d}{SUFFIX}"


def list_segments(directory: Path) -> list[tuple[int, Path]]:
    """The segments of a journal directory as (first position, path), oldest first."""
    found = []
    for path in directory.glob(f"*{SUFFIX}"):
        if path.stem.isdigit():
            found.append((int(path.stem), path))
    return sorted(found)


def scan_segment(path: Path) -> tuple[list[Record], int]:
    """The valid records of a segment and the byte length they occupy (the rest is torn)."""
    data = path.read_bytes()
    records, offset = [], 0
    while (record := decode_at(data, offset)) is not None:
        records.append(record)
        offset += HEADER_SIZE + len(record.payload)
    return records, offset


def read_records(directory: Path, start: int = 0) -> Iterator[Record]:
    """Every valid record holding a position ≥ ``start`` (for tools and tests; not streaming)."""
    for _first, path in list_segments(directory):
        records, _ = scan_segment(path)
        yield from (r for r in records if r.end > start)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class _Pending:
    payload: bytes
    count: int
    received_at: dt.datetime
    future: Future[int]
    memo: object | None


class JournalWriter:
    """Appends records with group commit: one thread writes and fsyncs all waiting requests."""

    def __init__(
        self,
        directory: Path,
        *,
        segment_bytes: int = 32 * 1024 * 1024,
        max_queue_bytes: int,
        max_memo_events: int = 50_000,
    ) -> None:
        self.directory = directory
        self._segment_bytes = segment_bytes
        self._max_queue_bytes = max_queue_bytes
        self._cond = threading.Condition()
        self._queue: list[_Pending] = []
        self._queue_bytes = 0
        self._stopping = False
        self._broken: str | None = None
        self._thread: threading.Thread | None = None
        # What the submitter already parsed, by first position, so the consumer need not parse
        # the record again; bounded (beyond the bound the consumer parses from disk).
        self._memos: dict[int, tuple[int, object]] = {}
        self._memo_events = 0
        self._max_memo_events = max_memo_events
        directory.mkdir(parents=True, exist_ok=True)
        self._fd, self._size, self._next, self._disk_bytes = self._open_tail()
        self._durable = self._next

    # ------------------------------------------------------------------ state

    @property
    def durable_position(self) -> int:
        """Positions below this are on disk (fsynced)."""
        with self._cond:
            return self._durable

    @property
    def disk_bytes(self) -> int:
        """Bytes held in segment files (unreleased)."""
        with self._cond:
            return self._disk_bytes

    @property
    def queue_bytes(self) -> int:
        """Payload bytes waiting for the writer."""
        with self._cond:
            return self._queue_bytes

    def _open_tail(self) -> tuple[int, int, int, int]:
        """Open the last segment for appending, cutting off a torn tail; create one if none."""
        segments = list_segments(self.directory)
        if not segments:
            path = self.directory / segment_name(0)
            segments = [(0, path)]
            path.touch()
            _fsync_dir(self.directory)
        first, path = segments[-1]
        records, good = scan_segment(path)
        size = path.stat().st_size
        if good < size:
            log.warning("journal %s: dropping a torn tail of %d bytes", path, size - good)
            with path.open("r+b") as handle:
                handle.truncate(good)
                os.fsync(handle.fileno())
        following = records[-1].end if records else first
        disk = sum(p.stat().st_size for _f, p in segments)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        return fd, good, following, disk

    # ------------------------------------------------------------------ callers

    def submit(
        self, payload: bytes, count: int, received_at: dt.datetime, memo: object | None = None
    ) -> Future[int]:
        """Queue a record; the future yields its first position once it is durable.

        ``memo`` (e.g. the parsed events) is kept in memory for `take_memo` by the consumer.
        """
        if count < 1 or len(payload) > MAX_PAYLOAD:
            raise ValueError("a record holds 1+ events and at most 64 MiB")
        future: Future[int] = Future()
        with self._cond:
            if self._broken is not None:
                raise JournalBusyError(f"journal unavailable: {self._broken}")
            if self._stopping:
                raise JournalBusyError("journal is stopping")
            if self._queue and self._queue_bytes + len(payload) > self._max_queue_bytes:
                raise JournalBusyError("journal writer queue is full")
            self._queue.append(_Pending(payload, count, received_at, future, memo))
            self._queue_bytes += len(payload)
            self._cond.notify_all()
        return future

    def start(self) -> None:
        """Start the writer thread."""
        self._thread = threading.Thread(target=self._run, name="ves-journal", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued, then stop and close the segment."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        os.close(self._fd)

    def release(self, position: int) -> int:
        """Delete segments whose events all lie below ``position`` (never the active one)."""
        removed = 0
        segments = list_segments(self.directory)
        for (_first, path), (following, _next_path) in pairwise(segments):
            if following > position:
                break
            size = path.stat().st_size
            path.unlink()
            removed += 1
            with self._cond:
                self._disk_bytes -= size
        return removed

    # ------------------------------------------------------------------ writer thread

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._stopping)
                if not self._queue:
                    return
                batch, self._queue, self._queue_bytes = self._queue, [], 0
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        """One write and one fdatasync for the whole batch; then resolve every future."""
        if self._size >= self._segment_bytes:
            self._rotate()
        position, parts, firsts = self._next, [], []
        for item in batch:
            parts.append(encode_record(position, item.count, item.received_at, item.payload))
            firsts.append(position)
            position += item.count
        data = b"".join(parts)
        try:
            self._write_all(data)
        except OSError as exc:
            self._fail(batch, exc)
            return
        self._size += len(data)
        self._next = position
        with self._cond:
            for item, first in zip(batch, firsts, strict=True):
                self._keep_memo(first, item)
            self._durable = position
            self._disk_bytes += len(data)
        for item, first in zip(batch, firsts, strict=True):
            item.future.set_result(first)

    def _keep_memo(self, first: int, item: _Pending) -> None:
        if item.memo is not None and self._memo_events + item.count <= self._max_memo_events:
            self._memos[first] = (item.count, item.memo)
            self._memo_events += item.count

    def take_memo(self, first: int) -> object | None:
        """The memo submitted with the record starting at ``first`` (once), if still held."""
        with self._cond:
            found = self._memos.pop(first, None)
            if found is None:
                return None
            self._memo_events -= found[0]
            return found[1]

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fdatasync(self._fd)

    def _fail(self, batch: list[_Pending], exc: OSError) -> None:
        """Cut the partial write off so later records stay readable; fail the batch."""
        log.error("journal write failed: %s", exc)
        try:
            os.ftruncate(self._fd, self._size)
            os.fsync(self._fd)
        except OSError as again:
            with self._cond:
                self._broken = f"write failed and could not be undone: {again}"
        for item in batch:
            item.future.set_exception(JournalBusyError(f"journal write failed: {exc}"))

    def _rotate(self) -> None:
        """Close the full segment and start a new one named by the next position."""
        path = self.directory / segment_name(self._next)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        _fsync_dir(self.directory)
        os.close(self._fd)
        self._fd, self._size = fd, 0
