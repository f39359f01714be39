"""Property: aggregate() equals a plain-Python computation, before and after roll-up."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from openipn.store.telemetry.api import AggregateQuery, Retention, SampleBatch, Source
from openipn.store.telemetry.parquet_store import open_telemetry_store

UTC = dt.UTC
T0 = int(dt.datetime(2024, 3, 1, tzinfo=UTC).timestamp())
OBJECTS = [
    "ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU=1",
    "ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU=2",
    "ManagedElement=gnb-10,GNBDUFunction=1,NRCellDU=1",
    "ManagedElement=gnb-2,GNBDUFunction=1,NRCellDU=1",
]
SELECTORS = ["ManagedElement=gnb-1", "ManagedElement=gnb-10", OBJECTS[1], "ManagedElement=gnb-2"]
MEASUREMENTS = ["RRC.ConnEstabSucc", "RRC.ConnEstabAtt", "RRU.PrbUsedDl"]
SPAN = 2 * 86_400  # rows start within two days (multiples of 5 minutes)

rows_strategy = st.lists(
    st.tuples(
        st.integers(0, len(OBJECTS) - 1),
        st.integers(0, len(MEASUREMENTS) - 1),
        st.one_of(  # mostly a few busy hours, so roll-up groups hold several values
            st.builds(
                lambda h, m: T0 + 3600 * h + m,
                st.sampled_from([0, 1, 2, 25, 26]),
                st.sampled_from([0, 300, 900, 2700]),
            ),
            st.integers(0, SPAN // 300 - 1).map(lambda k: T0 + 300 * k),
        ),
        st.sampled_from([300, 900]),
        st.integers(-50, 10_000).map(float),
    ),
    min_size=5,
    max_size=60,
)


@dataclass(frozen=True)
class Drawn:
    """A drawn query in plain values."""

    lo: int
    length: int
    bucket_s: int | None
    selectors: list[str] | None
    measurements: list[str]
    by_object: bool

    def query(self) -> AggregateQuery:
        """The AggregateQuery this describes."""
        return AggregateQuery(
            measurements=self.measurements,
            start=dt.datetime.fromtimestamp(self.lo, UTC),
            end=dt.datetime.fromtimestamp(self.lo + self.length, UTC),
            objects=self.selectors,
            bucket_s=self.bucket_s,
            by_object=self.by_object,
        )


query_strategy = st.builds(
    Drawn,
    lo=st.one_of(
        st.sampled_from([T0, T0 + 3600, T0 + 86_400]),
        st.integers(0, SPAN // 300).map(lambda k: T0 + 300 * k),
    ),
    length=st.one_of(
        st.sampled_from([3600, 7200, 86_400, 2 * 86_400]),
        st.integers(1, SPAN // 300).map(lambda k: 300 * k),
    ),
    bucket_s=st.sampled_from([None, 300, 900, 3600, 7200, 86_400, 2 * 86_400]),
    selectors=st.none() | st.lists(st.sampled_from(SELECTORS), min_size=1, max_size=2),
    measurements=st.lists(st.sampled_from(MEASUREMENTS), min_size=1, max_size=3),
    by_object=st.booleans(),
)

Row = tuple[int, int, int, int, float]
Key = tuple[int, str | None, str]
Aggregate = tuple[float, int, float, float, int]


def selected(name: str, selectors: list[str] | None) -> bool:
    """A DN is selected by itself or by any ancestor DN."""
    return selectors is None or any(name == s or name.startswith(s + ",") for s in selectors)


def expected(rows: list[Row], q: Drawn) -> dict[Key, Aggregate]:
    """The aggregate computed by hand."""
    groups: dict[Key, list[tuple[float, int]]] = defaultdict(list)
    for o, m, start, seconds, value in rows:
        name, measurement = OBJECTS[o], MEASUREMENTS[m]
        if not (q.lo <= start < q.lo + q.length) or measurement not in q.measurements:
            continue
        if not selected(name, q.selectors):
            continue
        bucket = q.lo if q.bucket_s is None else start // q.bucket_s * q.bucket_s
        groups[(bucket, name if q.by_object else None, measurement)].append((value, seconds))
    return {
        key: (
            sum(v for v, _ in values),
            len(values),
            min(v for v, _ in values),
            max(v for v, _ in values),
            sum(s for _, s in values),
        )
        for key, values in groups.items()
    }


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(
    batches=st.lists(rows_strategy, min_size=1, max_size=3),
    queries=st.lists(query_strategy, min_size=1, max_size=4),
    maintain_after=st.lists(st.sampled_from([True, True, False]), min_size=3, max_size=3),
)
def test_aggregate_matches_plain_python(
    batches: list[list[Row]],
    queries: list[Drawn],
    maintain_after: list[bool],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = open_telemetry_store(Path(directory), durable=False, retire_grace_s=0)
        try:
            for rows, maintain in zip(batches, maintain_after, strict=False):
                store.append(as_batch(rows), source=Source.PM_FILE, key=None, name="")
                if maintain:  # roll up (and compact): later batches are late data
                    store.maintain(dt.datetime.fromtimestamp(T0 + 10 * 86_400, UTC), Retention())
            everything = [row for rows in batches for row in rows]
            for q in queries:
                got = store.aggregate(q.query())
                event("tiers " + ",".join(sorted({t.value for t, _, _ in store.plan(q.query())})))
                assert {
                    (int(r.bucket_start.timestamp()), r.object, r.measurement): (
                        r.total,
                        r.count,
                        r.minimum,
                        r.maximum,
                        r.seconds,
                    )
                    for r in got
                } == expected(everything, q)
                assert len(got) == len(expected(everything, q))
        finally:
            store.close()


def as_batch(rows: list[Row]) -> SampleBatch:
    """A SampleBatch using the shared name lists as dictionaries."""
    return SampleBatch(
        objects=OBJECTS,
        object_index=np.array([r[0] for r in rows], dtype=np.int64),
        measurements=MEASUREMENTS,
        measurement_index=np.array([r[1] for r in rows], dtype=np.int64),
        starts=np.array([r[2] for r in rows], dtype=np.int64),
        seconds=np.array([r[3] for r in rows], dtype=np.int64),
        values=np.array([r[4] for r in rows], dtype=np.float64),
    )
