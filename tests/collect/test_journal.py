"""The journal: group-committed records, torn tails, segments, the cursor."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest

from openipn.collect.journal import (
    HEADER_SIZE,
    JournalBusyError,
    JournalWriter,
    list_segments,
    read_records,
)
from openipn.collect.journal_cursor import JournalCursor

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def writer(directory: Path, **options: int) -> JournalWriter:
    built = JournalWriter(
        directory, max_queue_bytes=options.pop("max_queue_bytes", 1 << 20), **options
    )
    built.start()
    return built


def payload(n: int) -> bytes:
    return f'{{"event": {{"n": {n}}}}}'.encode()


def test_positions_count_events_and_survive_reopen(tmp_path: Path) -> None:
    journal = writer(tmp_path)
    firsts = [journal.submit(payload(n), n + 1, NOW).result(5) for n in range(4)]
    journal.stop()
    assert firsts == [0, 1, 3, 6]
    records = list(read_records(tmp_path))
    assert [(r.first, r.count, r.payload) for r in records] == [
        (0, 1, payload(0)), (1, 2, payload(1)), (3, 3, payload(2)), (6, 4, payload(3))
    ]  # fmt: skip
    assert records[0].received_at == NOW
    again = writer(tmp_path)
    assert again.durable_position == 10
    assert again.submit(payload(9), 1, NOW).result(5) == 10
    again.stop()


def test_concurrent_submitters_get_distinct_positions(tmp_path: Path) -> None:
    journal = writer(tmp_path)
    results: list[int] = []
    lock = threading.Lock()

    def submit_many(base: int) -> None:
        for n in range(50):
            first = journal.submit(payload(base + n), 2, NOW).result(5)
            with lock:
                results.append(first)

    threads = [threading.Thread(target=submit_many, args=(i * 100,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.stop()
    assert sorted(results) == list(range(0, 400, 2))
    assert [r.first for r in read_records(tmp_path)] == list(range(0, 400, 2))


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_torn_tail_is_dropped_and_writing_continues(tmp_path: Path, damage: str) -> None:
    journal = writer(tmp_path)
    for n in range(3):
        journal.submit(payload(n), 1, NOW).result(5)
    journal.stop()
    ((_first, path),) = list_segments(tmp_path)
    size = path.stat().st_size
    if damage == "truncate":  # a crash in the middle of the last write
        os.truncate(path, size - 3)
    else:  # a bit flipped in the last record's payload
        data = bytearray(path.read_bytes())
        data[-2] ^= 0x01
        path.write_bytes(bytes(data))
    again = writer(tmp_path)
    assert again.durable_position == 2  # the third record is gone
    assert again.submit(payload(7), 1, NOW).result(5) == 2
    again.stop()
    assert [r.payload for r in read_records(tmp_path)] == [payload(0), payload(1), payload(7)]


def test_segments_rotate_and_release_deletes_consumed_ones(tmp_path: Path) -> None:
    journal = writer(tmp_path, segment_bytes=200)
    for n in range(10):
        journal.submit(payload(n), 1, NOW).result(5)
    segments = list_segments(tmp_path)
    assert len(segments) > 2
    assert [r.first for r in read_records(tmp_path)] == list(range(10))
    second_start = segments[1][0]
    assert journal.release(second_start) == 1  # only the first is wholly consumed
    assert list_segments(tmp_path)[0][0] == second_start
    journal.release(10)
    assert len(list_segments(tmp_path)) == 1  # the active segment always stays
    journal.stop()
    assert writer(tmp_path).durable_position == 10


def test_cursor_follows_the_writer_across_segments(tmp_path: Path) -> None:
    journal = writer(tmp_path, segment_bytes=150)
    cursor = JournalCursor(tmp_path, 0)
    seen: list[int] = []
    for n in range(12):
        journal.submit(payload(n), 1, NOW).result(5)
        if n % 5 == 0:
            seen += [r.first for r in cursor.read(journal.durable_position)]
    seen += [r.first for r in cursor.read(journal.durable_position)]
    journal.stop()
    assert seen == list(range(12))
    assert JournalCursor(tmp_path, 7).read(12)[0].first == 7


def test_cursor_never_reads_past_the_limit(tmp_path: Path) -> None:
    journal = writer(tmp_path)
    for n in range(5):
        journal.submit(payload(n), 1, NOW).result(5)
    journal.stop()
    cursor = JournalCursor(tmp_path, 0)
    assert [r.first for r in cursor.read(3)] == [0, 1, 2]
    assert [r.first for r in cursor.read(5)] == [3, 4]
    assert cursor.read(5) == []


def test_full_queue_refuses(tmp_path: Path) -> None:
    journal = JournalWriter(tmp_path, max_queue_bytes=100)  # not started: the queue only fills
    journal.submit(b"x" * 80, 1, NOW)
    with pytest.raises(JournalBusyError, match="queue is full"):
        journal.submit(b"y" * 80, 1, NOW)
    journal.start()
    journal.stop()
    assert [len(r.payload) for r in read_records(tmp_path)] == [80]
    assert HEADER_SIZE == 32
