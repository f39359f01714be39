"""The Parquet + SQLite-catalog time-series store: append, read back, idempotency, errors."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from openipn.store.telemetry.api import (
    AggregateQuery,
    Retention,
    SampleBatch,
    Source,
    TelemetryStore,
)
from openipn.store.telemetry.catalog import Catalog
from openipn.store.telemetry.parquet_store import ParquetTelemetryStore, open_telemetry_store

UTC = dt.UTC
DAY0 = dt.datetime(2024, 3, 1, tzinfo=UTC)
T0 = int(DAY0.timestamp())
CELL1 = "ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU=1"
CELL2 = "ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU=2"
CELL10 = "ManagedElement=gnb-10,GNBDUFunction=1,NRCellDU=1"
SUCC, ATT = "RRC.ConnEstabSucc", "RRC.ConnEstabAtt"

Row = tuple[str, str, int, int, float]  # object, measurement, start, seconds, value


def batch(rows: list[Row]) -> SampleBatch:
    """A SampleBatch from plain rows."""
    objects = sorted({r[0] for r in rows})
    measurements = sorted({r[1] for r in rows})
    return SampleBatch(
        objects=objects,
        object_index=np.array([objects.index(r[0]) for r in rows], dtype=np.int64),
        measurements=measurements,
        measurement_index=np.array([measurements.index(r[1]) for r in rows], dtype=np.int64),
        starts=np.array([r[2] for r in rows], dtype=np.int64),
        seconds=np.array([r[3] for r in rows], dtype=np.int64),
        values=np.array([r[4] for r in rows], dtype=np.float64),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ParquetTelemetryStore]:
    """A fresh store whose grace periods are zero (tests run maintenance at once)."""
    opened = open_telemetry_store(
        tmp_path / "tsdb", durable=False, orphan_grace_s=0, retire_grace_s=0
    )
    yield opened
    opened.close()


def at(seconds: int) -> dt.datetime:
    """An aware UTC datetime `seconds` after DAY0."""
    return DAY0 + dt.timedelta(seconds=seconds)


def test_store_satisfies_protocol(store: ParquetTelemetryStore) -> None:
    typed: TelemetryStore = store
    assert typed.measurement_names() == []


def test_round_trip_aggregate_and_samples(store: ParquetTelemetryStore) -> None:
    rows: list[Row] = [
        (CELL1, SUCC, T0, 900, 9.0),
        (CELL1, ATT, T0, 900, 10.0),
        (CELL2, SUCC, T0 + 900, 900, 4.0),
        (CELL2, ATT, T0 + 900, 900, 5.0),
    ]
    result = store.append(batch(rows), source=Source.PM_FILE, key="f1", name="A1.xml")
    assert (result.rows, result.duplicate) == (4, False)
    assert result.period_start == at(0) and result.period_end == at(1800)
    got = store.aggregate(AggregateQuery([SUCC, ATT], at(0), at(3600)))
    assert [(r.measurement, r.total, r.count, r.minimum, r.maximum, r.seconds) for r in got] == [
        (ATT, 15.0, 2, 5.0, 10.0, 1800),
        (SUCC, 13.0, 2, 4.0, 9.0, 1800),
    ]
    assert {r.object for r in got} == {None} and {r.bucket_start for r in got} == {at(0)}
    samples = store.samples(measurements=[SUCC], objects=None, start=at(0), end=at(3600))
    assert [(s.object, s.start, s.seconds, s.value) for s in samples] == [
        (CELL1, at(0), 900, 9.0),
        (CELL2, at(900), 900, 4.0),
    ]
    assert (
        store.samples(measurements=None, objects=None, start=at(0), end=at(3600), limit=3)[-1]
        == store.samples(measurements=None, objects=None, start=at(0), end=at(3600))[2]
    )
    assert store.measurement_names() == [ATT, SUCC]
    assert store.measurement_names("RRC.ConnEstabS") == [SUCC]


def test_by_object_and_half_open_range(store: ParquetTelemetryStore) -> None:
    store.append(
        batch([(CELL1, SUCC, T0 + 900 * i, 900, float(i)) for i in range(8)]),
        source=Source.PM_FILE,
        key=None,
        name="x",
    )
    # [00:15, 01:00) holds periods 1, 2, 3: the period starting at 01:00 is outside.
    got = store.aggregate(AggregateQuery([SUCC], at(900), at(3600), by_object=True))
    assert [(r.object, r.total, r.count) for r in got] == [(CELL1, 6.0, 3)]


def test_idempotency_key_stores_once(store: ParquetTelemetryStore) -> None:
    rows: list[Row] = [(CELL1, SUCC, T0, 900, 1.0)]
    assert not store.seen("k")
    assert not store.append(batch(rows), source=Source.VES, key="k", name="a").duplicate
    again = store.append(batch(rows), source=Source.VES, key="k", name="a")
    assert again.duplicate and again.rows == 0
    assert store.seen("k")
    assert store.aggregate(AggregateQuery([SUCC], at(0), at(900)))[0].total == 1.0
    assert len(list((store.root / "raw").rglob("*.parquet"))) == 1


def test_duplicate_key_from_another_store_object_is_refused(
    store: ParquetTelemetryStore,
) -> None:
    other = open_telemetry_store(store.root, durable=False)
    try:
        other.append(batch([(CELL1, SUCC, T0, 900, 1.0)]), source=Source.VES, key="k", name="")
        # `store` has not seen the key in memory; the catalog's UNIQUE key decides.
        late = store.append(
            batch([(CELL1, SUCC, T0, 900, 1.0)]), source=Source.VES, key="k", name=""
        )
        assert late.duplicate
    finally:
        other.close()
    assert len(list((store.root / "raw").rglob("*.parquet"))) == 1


class ForgetfulCatalog(Catalog):
    """A catalog whose quick `seen` check misses, as when two writers race with one key."""

    def seen(self, key: str) -> bool:
        return False


def test_racing_duplicate_is_caught_by_the_unique_key(store: ParquetTelemetryStore) -> None:
    racer = open_telemetry_store(store.root, durable=False)
    racer.catalog.close()
    racer.catalog = ForgetfulCatalog(store.root / "catalog.db")
    try:
        rows: list[Row] = [(CELL1, SUCC, T0, 900, 1.0)]
        assert not store.append(batch(rows), source=Source.VES, key="k", name="").duplicate
        raced = racer.append(batch(rows), source=Source.VES, key="k", name="")
        assert raced.duplicate and raced.rows == 0
    finally:
        racer.close()
    assert len(list((store.root / "raw").rglob("*.parquet"))) == 1
    assert store.aggregate(AggregateQuery([SUCC], at(0), at(900)))[0].count == 1


class FailingCatalog(Catalog):
    """A catalog whose commit fails, as if the process died between file and catalog."""

    def commit_batch(self, *args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error (simulated)")


def test_failed_commit_leaves_nothing_visible_and_orphan_is_swept(
    store: ParquetTelemetryStore,
) -> None:
    crashing = open_telemetry_store(store.root, durable=False)
    crashing.catalog.close()
    crashing.catalog = FailingCatalog(store.root / "catalog.db")
    rows: list[Row] = [(CELL1, SUCC, T0, 900, 1.0), (CELL1, SUCC, T0 + 86_400, 900, 2.0)]
    with pytest.raises(sqlite3.OperationalError):
        crashing.append(batch(rows), source=Source.PM_FILE, key="k", name="")
    crashing.close()
    assert list((store.root / "raw").rglob("*.parquet")) == []  # cleaned up on the way out
    # A hard crash cannot clean up: leave a written-but-uncommitted file behind.
    orphan = store.root / "raw" / "2024-03-01" / "orphan.parquet"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"PAR1")
    assert store.aggregate(AggregateQuery([SUCC], at(0), at(2 * 86_400))) == []
    assert not store.seen("k")
    counts = store.maintain(at(86_400 * 3), Retention())
    assert counts["deleted_orphans"] == 1 and not orphan.exists()


def test_orphan_younger_than_grace_is_kept(tmp_path: Path) -> None:
    with open_telemetry_store(tmp_path, durable=False, orphan_grace_s=3600) as young:
        orphan = tmp_path / "raw" / "2024-03-01" / "inflight.parquet"
        orphan.parent.mkdir(parents=True)
        orphan.write_bytes(b"PAR1")
        assert young.maintain(at(0), Retention())["deleted_orphans"] == 0
        assert orphan.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"values": np.array([1.0, 2.0])}, "unequal lengths"),
        ({"values": np.array([float("nan")])}, "finite"),
        ({"values": np.array([float("inf")])}, "finite"),
        ({"seconds": np.array([-900])}, "negative"),
        ({"object_index": np.array([3])}, "object_index"),
        ({"measurement_index": np.array([-1])}, "measurement_index"),
        ({"starts": np.array([1.5])}, "integers"),
        ({"objects": [""]}, "non-empty"),
    ],
)
def test_bad_batches_are_refused_and_nothing_is_stored(
    store: ParquetTelemetryStore, change: dict[str, object], message: str
) -> None:
    fields = batch([(CELL1, SUCC, T0, 900, 1.0)]).__dict__ | change
    with pytest.raises(ValueError, match=message):
        store.append(SampleBatch(**fields), source=Source.PM_FILE, key="bad", name="")
    assert not store.seen("bad")
    assert list((store.root / "raw").rglob("*")) == []


def test_naive_datetimes_are_refused(store: ParquetTelemetryStore) -> None:
    naive = dt.datetime(2024, 3, 1)
    with pytest.raises(ValueError, match="naive"):
        store.aggregate(AggregateQuery([SUCC], naive, at(900)))
    with pytest.raises(ValueError, match="naive"):
        store.samples(measurements=None, objects=None, start=at(0), end=naive)
    with pytest.raises(ValueError, match="naive"):
        store.maintain(naive, Retention())


def test_empty_batch_with_key_is_remembered(store: ParquetTelemetryStore) -> None:
    result = store.append(batch([]), source=Source.PROMETHEUS, key="empty", name="")
    assert (result.rows, result.duplicate, result.period_start) == (0, False, None)
    assert store.seen("empty")


def test_prefix_selects_at_rdn_boundary(store: ParquetTelemetryStore) -> None:
    rows: list[Row] = [
        (CELL1, SUCC, T0, 900, 1.0),
        (CELL2, SUCC, T0, 900, 2.0),
        (CELL10, SUCC, T0, 900, 40.0),
    ]
    store.append(batch(rows), source=Source.PM_FILE, key=None, name="")

    def total(objects: list[str]) -> float:
        got = store.aggregate(AggregateQuery([SUCC], at(0), at(900), objects=objects))
        return sum(r.total for r in got)

    assert total(["ManagedElement=gnb-1"]) == 3.0
    assert total(["ManagedElement=gnb-10"]) == 40.0
    assert total(["ManagedElement=gnb-1,"]) == 3.0
    assert total([CELL1]) == 1.0
    assert total(["ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU=1", CELL10]) == 41.0
    assert total(["ManagedElement=gnb"]) == 0.0
    assert store.aggregate(AggregateQuery([SUCC], at(0), at(900), objects=[])) == []
    with pytest.raises(ValueError, match="list of DNs"):
        store.aggregate(AggregateQuery([SUCC], at(0), at(900), objects="ManagedElement=gnb-1"))


def test_buckets_align_to_the_epoch(store: ParquetTelemetryStore) -> None:
    # Periods every 15 minutes from 00:00 to 02:45; a 1 h query starting at 00:30.
    store.append(
        batch([(CELL1, SUCC, T0 + 900 * i, 900, 1.0) for i in range(12)]),
        source=Source.PM_FILE,
        key=None,
        name="",
    )
    got = store.aggregate(AggregateQuery([SUCC], at(1800), at(3 * 3600), bucket_s=3600))
    assert [(r.bucket_start, r.count) for r in got] == [(at(0), 2), (at(3600), 4), (at(7200), 4)]
    whole = store.aggregate(AggregateQuery([SUCC], at(1800), at(3 * 3600)))
    assert [(r.bucket_start, r.count) for r in whole] == [(at(1800), 10)]
    with pytest.raises(ValueError, match="bucket_s"):
        store.aggregate(AggregateQuery([SUCC], at(0), at(900), bucket_s=0))


def test_batch_spanning_days_lands_in_each_day(store: ParquetTelemetryStore) -> None:
    rows: list[Row] = [
        (CELL1, SUCC, T0 + 86_400 - 900, 900, 1.0),
        (CELL1, SUCC, T0 + 86_400, 900, 2.0),
    ]
    store.append(batch(rows), source=Source.PM_FILE, key=None, name="")
    days = sorted(p.parent.name for p in (store.root / "raw").rglob("*.parquet"))
    assert days == ["2024-03-01", "2024-03-02"]
    got = store.aggregate(AggregateQuery([SUCC], at(0), at(2 * 86_400), bucket_s=86_400))
    assert [(r.bucket_start, r.total) for r in got] == [(at(0), 1.0), (at(86_400), 2.0)]


def test_duplicate_names_in_a_batch_are_merged(store: ParquetTelemetryStore) -> None:
    odd = SampleBatch(
        objects=[CELL1, CELL1],
        object_index=np.array([0, 1]),
        measurements=[SUCC],
        measurement_index=np.array([0, 0]),
        starts=np.array([T0, T0]),
        seconds=np.array([900, 900]),
        values=np.array([1.0, 2.0]),
    )
    store.append(odd, source=Source.PM_FILE, key=None, name="")
    got = store.aggregate(AggregateQuery([SUCC], at(0), at(900), by_object=True))
    assert [(r.object, r.total, r.count) for r in got] == [(CELL1, 3.0, 2)]
