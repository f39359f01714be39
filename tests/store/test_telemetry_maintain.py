"""Telemetry store upkeep: roll-ups, tier choice, late data, compaction, retention, locking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from openipn.sitefile import check_site_text
from openipn.store.telemetry.api import (
    AggregateQuery,
    AggregateRow,
    Retention,
    SampleBatch,
    Source,
    Tier,
)
from openipn.store.telemetry.maintenance import exclusive
from openipn.store.telemetry.parquet_store import (
    ParquetTelemetryStore,
    open_telemetry_store,
    retention_for,
)

UTC = dt.UTC
DAY = 86_400
DAY0 = dt.datetime(2024, 3, 1, tzinfo=UTC)
T0 = int(DAY0.timestamp())
CELLS = [f"ManagedElement=gnb-{g},GNBDUFunction=1,NRCellDU={c}" for g in (1, 2) for c in (1, 2)]
COUNTERS = ["RRC.ConnEstabSucc", "RRC.ConnEstabAtt", "RRU.PrbUsedDl"]
RNG_SEED = 20240301


def at(seconds: int) -> dt.datetime:
    """An aware UTC datetime `seconds` after DAY0."""
    return DAY0 + dt.timedelta(seconds=seconds)


def period_batch(start: int, rng: np.random.Generator, seconds: int = 900) -> SampleBatch:
    """Every cell and counter for one period, integer-valued (sums are exact)."""
    n = len(CELLS) * len(COUNTERS)
    return SampleBatch(
        objects=CELLS,
        object_index=np.repeat(np.arange(len(CELLS)), len(COUNTERS)),
        measurements=COUNTERS,
        measurement_index=np.tile(np.arange(len(COUNTERS)), len(CELLS)),
        starts=np.full(n, start, dtype=np.int64),
        seconds=np.full(n, seconds, dtype=np.int64),
        values=rng.integers(0, 1000, n).astype(np.float64),
    )


def fill(store: ParquetTelemetryStore, first: int, periods: int) -> None:
    """One batch per 15-minute period, like PM file intake."""
    rng = np.random.default_rng(RNG_SEED + first)
    for p in range(periods):
        start = first + 900 * p
        store.append(period_batch(start, rng), source=Source.PM_FILE, key=f"p{start}", name="")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ParquetTelemetryStore]:
    """A fresh store with zero grace periods."""
    opened = open_telemetry_store(tmp_path, durable=False, orphan_grace_s=0, retire_grace_s=0)
    yield opened
    opened.close()


def shape(rows: list[AggregateRow]) -> list[tuple[object, ...]]:
    """Rows as comparable tuples."""
    return [
        (r.bucket_start, r.object, r.measurement, r.total, r.count, r.minimum, r.maximum, r.seconds)
        for r in rows
    ]


QUERIES = [
    AggregateQuery(COUNTERS, at(0), at(3 * DAY), bucket_s=DAY),
    AggregateQuery(COUNTERS[:2], at(0), at(3 * DAY), bucket_s=DAY, by_object=True),
    AggregateQuery(COUNTERS, at(0), at(3 * DAY), bucket_s=3600),
    AggregateQuery(COUNTERS, at(0), at(3 * DAY), bucket_s=7200, objects=["ManagedElement=gnb-2"]),
    AggregateQuery(COUNTERS, at(0), at(3 * DAY), by_object=True),
    AggregateQuery(COUNTERS, at(1800), at(2 * DAY + 4500), bucket_s=DAY),
    AggregateQuery(COUNTERS, at(1800), at(2 * DAY + 4500)),
]


def test_every_tier_gives_the_same_answer(store: ParquetTelemetryStore) -> None:
    fill(store, T0, 3 * 96)
    before = [shape(store.aggregate(q)) for q in QUERIES]
    assert {t for q in QUERIES for t, _, _ in store.plan(q)} == {Tier.RAW}
    counts = store.maintain(at(5 * DAY), Retention())
    assert counts["rolled_up_files"] == 3 * 96 and counts["compacted_into"] == 3
    assert store.plan(QUERIES[0]) == [(Tier.DAILY, at(0), at(3 * DAY))]
    assert store.plan(QUERIES[2]) == [(Tier.HOURLY, at(0), at(3 * DAY))]
    # Unaligned edges come from finer tiers, the aligned middle from the daily roll-up.
    assert [t for t, _, _ in store.plan(QUERIES[6])] == [
        Tier.RAW,
        Tier.HOURLY,
        Tier.DAILY,
        Tier.HOURLY,
        Tier.RAW,
    ]
    after = [shape(store.aggregate(q)) for q in QUERIES]
    assert after == before
    assert all(before)


def test_late_data_is_read_raw_then_rolled_up_again(store: ParquetTelemetryStore) -> None:
    fill(store, T0, 2 * 96)
    store.maintain(at(4 * DAY), Retention())
    query = AggregateQuery(COUNTERS[:1], at(0), at(2 * DAY), bucket_s=DAY)
    before = {r.bucket_start: r for r in store.aggregate(query)}
    late = SampleBatch(
        objects=[CELLS[0]],
        object_index=np.array([0]),
        measurements=COUNTERS[:1],
        measurement_index=np.array([0]),
        starts=np.array([T0 + DAY + 3600]),
        seconds=np.array([900]),
        values=np.array([5000.0]),
    )
    store.append(late, source=Source.PM_FILE, key="late", name="")
    # Day 2 is dirty: answered from raw until rolled up again; day 1 stays daily.
    assert store.plan(query) == [(Tier.DAILY, at(0), at(DAY)), (Tier.RAW, at(DAY), at(2 * DAY))]
    dirty = {r.bucket_start: r for r in store.aggregate(query)}
    assert dirty[at(0)] == before[at(0)]
    assert dirty[at(DAY)].total == before[at(DAY)].total + 5000.0
    assert dirty[at(DAY)].count == before[at(DAY)].count + 1
    assert dirty[at(DAY)].maximum == 5000.0
    counts = store.maintain(at(4 * DAY), Retention())
    assert counts["rolled_up_files"] == 1
    assert store.plan(query) == [(Tier.DAILY, at(0), at(2 * DAY))]
    assert {r.bucket_start: r for r in store.aggregate(query)} == dirty
    hourly = AggregateQuery(COUNTERS[:1], at(DAY), at(2 * DAY), bucket_s=3600)
    assert store.plan(hourly)[0][0] is Tier.HOURLY
    assert sum(r.total for r in store.aggregate(hourly)) == dirty[at(DAY)].total


def test_retention_drops_raw_but_rollups_still_answer(store: ParquetTelemetryStore) -> None:
    fill(store, T0, 96)
    day_query = AggregateQuery(COUNTERS, at(0), at(DAY), bucket_s=DAY)
    raw_query = AggregateQuery(COUNTERS, at(0), at(DAY), bucket_s=900)
    daily = shape(store.aggregate(day_query))
    quarter_hours = store.aggregate(raw_query)
    assert len(quarter_hours) == 96 * len(COUNTERS)
    counts = store.maintain(at(40 * DAY), Retention(raw_days=35, hourly_days=38, daily_days=400))
    assert counts["expired_files"] == 2  # the compacted raw file and the hourly one
    assert store.aggregate(raw_query) == []
    assert store.samples(measurements=None, objects=None, start=at(0), end=at(DAY)) == []
    assert shape(store.aggregate(day_query)) == daily
    assert list((store.root / "raw").rglob("*.parquet")) == []
    assert list((store.root / "hourly").rglob("*.parquet")) == []
    store.maintain(at(500 * DAY), Retention(daily_days=400))
    assert store.aggregate(day_query) == []
    assert store.measurement_names() == []


def test_unrolled_raw_is_not_expired(store: ParquetTelemetryStore) -> None:
    fill(store, T0, 4)
    # Maintenance rolls up before it expires, so nothing is lost even when raw is past due.
    store.maintain(at(100 * DAY), Retention(raw_days=1))
    got = store.aggregate(AggregateQuery(COUNTERS, at(0), at(DAY)))
    assert sum(r.count for r in got) == 4 * len(CELLS) * len(COUNTERS)


def test_compaction_keeps_samples_and_sorts(store: ParquetTelemetryStore) -> None:
    fill(store, T0, 8)
    window = {"measurements": None, "objects": None, "start": at(0), "end": at(DAY)}
    before = store.samples(**window)  # type: ignore[arg-type]
    store.maintain(at(3 * DAY), Retention())
    assert len(list((store.root / "raw").rglob("*.parquet"))) == 1
    assert store.samples(**window) == before  # type: ignore[arg-type]
    assert [s.start for s in before] == sorted(s.start for s in before)


def test_open_day_is_not_rewritten_for_a_few_files(store: ParquetTelemetryStore) -> None:
    fill(store, T0, 4)
    counts = store.maintain(at(3600), Retention())
    assert counts["compacted_files"] == 0 and counts["rolled_up_files"] == 4
    assert len(list((store.root / "raw").rglob("*.parquet"))) == 4


def test_retired_files_wait_for_their_grace_period(tmp_path: Path) -> None:
    with open_telemetry_store(tmp_path, durable=False, retire_grace_s=3600) as patient:
        fill(patient, T0, 3)
        counts = patient.maintain(at(3 * DAY), Retention())
        assert counts["compacted_files"] == 3 and counts["deleted_files"] == 0
        # Old files stay on disk for readers that planned before the swap, but are not read.
        assert len(list((tmp_path / "raw").rglob("*.parquet"))) == 4
        got = patient.aggregate(AggregateQuery(COUNTERS, at(0), at(DAY)))
        assert sum(r.count for r in got) == 3 * len(CELLS) * len(COUNTERS)
        assert patient.maintain(at(3 * DAY), Retention())["deleted_orphans"] == 0


def test_only_one_maintainer_at_a_time(store: ParquetTelemetryStore) -> None:
    fill(store, T0, 2)
    with exclusive(store.root) as held:
        assert held
        assert store.maintain(at(DAY), Retention())["skipped"] == 1
    assert store.maintain(at(DAY), Retention())["rolled_up_files"] == 2


def test_bad_retention_is_refused(store: ParquetTelemetryStore) -> None:
    with pytest.raises(ValueError, match="raw_days"):
        store.maintain(at(0), Retention(raw_days=0))


def test_site_file_sets_retention() -> None:
    text = (Path(__file__).parents[2] / "examples" / "small.yaml").read_text(encoding="utf-8")
    document, issues = check_site_text(text)
    assert issues == []
    assert retention_for(document.objects("site")[0]) == Retention()
    custom = text.replace("site:\n", "site:\n  telemetry: {raw_days: 7, hourly_days: 90}\n", 1)
    document, issues = check_site_text(custom)
    assert issues == []
    assert retention_for(document.objects("site")[0]) == Retention(7, 90, 3650)
    _, issues = check_site_text(text.replace("site:\n", "site:\n  telemetry: {raw_days: 0}\n", 1))
    assert [i.path for i in issues] == ["site.telemetry.raw_days"]
