"""`append_files`: each key once, each (object, measurement, start, seconds) once, conflicts
reported, one transaction, and a concurrent writer of the same content loses nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from openipn.store.telemetry.api import FileBatch, SampleBatch, Source, Tier
from openipn.store.telemetry.parquet_store import ParquetTelemetryStore, open_telemetry_store

T0 = int(dt.datetime(2025, 3, 1, tzinfo=dt.UTC).timestamp())


def batch(values: dict[tuple[str, str], float], start: int = T0) -> SampleBatch:
    keys = list(values)
    objects = sorted({o for o, _ in keys})
    names = sorted({m for _, m in keys})
    return SampleBatch(
        objects,
        np.array([objects.index(o) for o, _ in keys], np.int64),
        names,
        np.array([names.index(m) for _, m in keys], np.int64),
        np.full(len(keys), start, np.int64),
        np.full(len(keys), 900, np.int64),
        np.array(list(values.values()), np.float64),
    )


def item(key: str, *batches: SampleBatch) -> FileBatch:
    return FileBatch(key, f"{key}.xml", lambda: batches)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ParquetTelemetryStore]:
    opened = open_telemetry_store(tmp_path, durable=False)
    yield opened
    opened.close()


def values(store: ParquetTelemetryStore) -> dict[tuple[str, str, int], float]:
    lo, hi = (
        dt.datetime.fromtimestamp(T0 - 86_400, dt.UTC),
        dt.datetime.fromtimestamp(T0 + 86_400, dt.UTC),
    )
    samples = store.samples(measurements=None, objects=None, start=lo, end=hi)
    found = {(s.object, s.measurement, int(s.start.timestamp())): s.value for s in samples}
    assert len(found) == len(samples)
    return found


def test_files_of_one_call_share_one_parquet_file_and_keep_their_own_outcome(
    store: ParquetTelemetryStore,
) -> None:
    a = item("a", batch({("A=1", "m"): 1.0, ("A=1", "n"): 2.0}))
    b = item("b", batch({("A=2", "m"): 3.0}))
    again = item("a", batch({("A=9", "m"): 9.0}))  # same key in the same call
    results = store.append_files([a, b, again], source=Source.PM_FILE)
    assert [(r.rows, r.duplicate) for r in results] == [(2, False), (1, False), (0, True)]
    assert len(store.catalog.all_files(Tier.RAW)) == 1
    assert store.seen("a") and store.seen("b")
    assert values(store) == {("A=1", "m", T0): 1.0, ("A=1", "n", T0): 2.0, ("A=2", "m", T0): 3.0}


def test_values_already_stored_are_skipped_and_differences_reported(
    store: ParquetTelemetryStore,
) -> None:
    store.append_files([item("a", batch({("A=1", "m"): 1.0}))], source=Source.PM_FILE)
    [same] = store.append_files([item("b", batch({("A=1", "m"): 1.0}))], source=Source.PM_FILE)
    assert (same.rows, same.duplicate, same.skipped, same.conflicts) == (0, True, 1, ())
    offered = batch({("A=1", "m"): 5.0, ("A=1", "n"): 6.0, ("A=1", "m2"): 7.0})
    [mixed] = store.append_files([item("c", offered)], source=Source.PM_FILE)
    assert (mixed.rows, mixed.duplicate, mixed.skipped) == (2, False, 1)
    [conflict] = mixed.conflicts
    assert (conflict.object, conflict.measurement, conflict.kept, conflict.refused) == (
        "A=1",
        "m",
        1.0,
        5.0,
    )
    assert conflict.start == dt.datetime.fromtimestamp(T0, dt.UTC) and conflict.seconds == 900
    other_period = batch({("A=1", "m"): 8.0}, start=T0 + 900)
    [later] = store.append_files([item("d", other_period)], source=Source.PM_FILE)
    assert (later.rows, later.conflicts) == (1, ())
    assert values(store)[("A=1", "m", T0)] == 1.0


def test_overlap_within_one_call_and_one_file_keeps_the_first(store: ParquetTelemetryStore) -> None:
    first = batch({("A=1", "m"): 1.0})
    second = batch({("A=1", "m"): 2.0, ("A=1", "n"): 3.0})
    [one, two] = store.append_files(
        [item("a", first, batch({("A=1", "m"): 4.0})), item("b", second)], source=Source.PM_FILE
    )
    assert (one.rows, one.skipped, [c.refused for c in one.conflicts]) == (1, 1, [4.0])
    assert (two.rows, two.skipped, [c.kept for c in two.conflicts]) == (1, 1, [1.0])
    assert values(store) == {("A=1", "m", T0): 1.0, ("A=1", "n", T0): 3.0}


def test_a_concurrent_writer_of_the_same_values_forces_a_retry_not_a_double(
    store: ParquetTelemetryStore, tmp_path: Path
) -> None:
    other = open_telemetry_store(tmp_path, durable=False)
    calls = []

    def racing() -> tuple[SampleBatch, ...]:
        if not calls:  # after our snapshot, another process stores the same values
            other.append_files([item("theirs", batch({("A=1", "m"): 1.0}))], source=Source.PM_FILE)
        calls.append(1)
        return (batch({("A=1", "m"): 1.0, ("A=1", "n"): 2.0}),)

    [mine] = store.append_files([FileBatch("mine", "mine.xml", racing)], source=Source.PM_FILE)
    other.close()
    assert len(calls) == 2  # the first round lost the commit and was redone
    assert (mine.rows, mine.skipped) == (1, 1)
    assert values(store) == {("A=1", "m", T0): 1.0, ("A=1", "n", T0): 2.0}
    assert len(list((tmp_path / "raw").rglob("*.parquet"))) == 2  # the lost round left none


def test_a_failing_file_stores_nothing_of_the_call(store: ParquetTelemetryStore) -> None:
    def broken() -> Iterator[SampleBatch]:
        yield batch({("A=1", "m"): 1.0})
        raise ValueError("truncated")

    with pytest.raises(ValueError, match="truncated"):
        store.append_files(
            [item("a", batch({("A=2", "m"): 1.0})), FileBatch("b", "b", broken)],
            source=Source.PM_FILE,
        )
    assert store.catalog.all_files() == [] and not store.seen("a")
    assert list((store.root / "raw").rglob("*.parquet")) == []
    [retry] = store.append_files([item("a", batch({("A=1", "m"): 1.0}))], source=Source.PM_FILE)
    assert retry.rows == 1  # the failed call claimed nothing


def test_expired_periods_leave_the_content_index(store: ParquetTelemetryStore) -> None:
    from openipn.store.telemetry.api import Retention

    store.append_files([item("a", batch({("A=1", "m"): 1.0}))], source=Source.PM_FILE)
    store.maintain(dt.datetime.fromtimestamp(T0 + 40 * 86_400, dt.UTC), Retention(raw_days=35))
    with store.catalog.read() as db:
        assert db.execute("SELECT count(*) FROM content").fetchone()[0] == 0
