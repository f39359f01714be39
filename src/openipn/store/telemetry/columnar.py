"""Reads that aggregate per object inside DuckDB and hand back columns, not row objects.

`availability_sql` computes cell availability figures per bucket without sending per-object
rows to Python; `arrays_sql` is the aggregate query returned as NumPy columns (for analyses
over many objects and buckets, such as SLA compliance from hourly roll-ups).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from openipn.store.telemetry.api import (
    AggregateArrays,
    AggregateQuery,
    Availability,
    AvailabilityQuery,
    AvailabilityRow,
    Tier,
)
from openipn.store.telemetry.catalog import Catalog
from openipn.store.telemetry.layout import RESOLUTION_S, epoch_seconds
from openipn.store.telemetry.query import (
    Segment,
    allowed_tiers,
    literal,
    normalise_objects,
    plan,
    segment_sql,
)

Columns = Callable[[str], Any]  # runs SQL, returns the result as a pyarrow Table

HOUR_S = RESOLUTION_S[Tier.HOURLY]


def bucket_expr(origin: int, bucket_s: int | None, column: str = "start") -> str:
    """The SQL of a value's bucket start (epoch seconds); one bucket at `origin` when None."""
    if bucket_s is None:
        return str(origin)
    return f"epoch_ms({column}) // {bucket_s * 1000} * {bucket_s}"


def slot_seconds(bucket_s: int | None) -> int:
    """The slot measured time is counted in: the hour, or the bucket when it is shorter."""
    if bucket_s is None or bucket_s % HOUR_S == 0:
        return HOUR_S
    return bucket_s


def _slot_sql(segment: Segment, measurement: str, slot_s: int) -> str:
    """Per slot, the time covered by reports of the measurement.

    Roll-up rows are per object and hour, their `seconds` that object's covered time: the
    most any object covered. Raw rows are periods: the distinct periods' lengths, summed (the
    union of the periods when they do not overlap), without grouping per object.
    """
    files = ", ".join(literal(p) for p in segment.paths)
    where = (
        f"measurement = {literal(measurement)} AND start >= to_timestamp({segment.lo})"
        f" AND start < to_timestamp({segment.hi})"
    )
    slot = f"epoch_ms(start) // {slot_s * 1000} * {slot_s}"
    if segment.tier is not Tier.RAW:
        return (
            f"SELECT {slot} AS slot, max(seconds) AS covered"
            f" FROM read_parquet([{files}]) WHERE {where} GROUP BY 1"
        )
    return (
        "SELECT slot, sum(seconds) AS covered FROM (SELECT DISTINCT"
        f" {slot} AS slot, start, seconds FROM read_parquet([{files}]) WHERE {where})"
        " GROUP BY slot"
    )


def availability_sql(
    up_segments: Sequence[Segment],
    slot_segments: Sequence[Segment],
    measurement: str,
    objects: Sequence[str] | None,
    *,
    origin: int,
    bucket_s: int | None,
) -> str:
    """Per bucket: up object-seconds, measured seconds, objects of the scope reporting.

    Up time: each object's values × period length ÷ that object's largest value over the
    range (its nominal). Measured time: per slot (the hour, or a shorter bucket), the most
    time any object reporting the measurement (in scope or not) covered, summed over the
    bucket's slots.
    """
    names = [measurement]
    up_rows = " UNION ALL ".join(segment_sql(s, names, objects) for s in up_segments)
    slot_s = slot_seconds(bucket_s)
    slot_rows = " UNION ALL ".join(_slot_sql(s, measurement, slot_s) for s in slot_segments)
    slot_bucket = bucket_expr(origin, bucket_s, "to_timestamp(slot)")
    up = (
        f"SELECT {bucket_expr(origin, bucket_s, 'u.start')} AS bucket,"
        " sum(u.total * u.seconds / u.count / n.nominal) AS up"
        f" FROM ({up_rows or _EMPTY}) u JOIN nominal n USING (object)"
        " WHERE n.nominal > 0 AND u.count > 0 GROUP BY 1"
    )
    rows = up_rows or _EMPTY  # written out twice: a CTE read twice would be materialised
    return (
        f"WITH nominal AS (SELECT object, max(maximum) AS nominal FROM ({rows}) GROUP BY object),"
        f" up AS ({up}),"
        f" slots AS (SELECT slot, least(max(covered), {slot_s}) AS covered"
        f" FROM ({slot_rows}) GROUP BY slot),"
        f" measured AS (SELECT {slot_bucket} AS bucket, sum(covered)::BIGINT AS measured"
        " FROM slots GROUP BY 1)"
        " SELECT m.bucket, coalesce(up.up, 0.0) AS up, m.measured,"
        " (SELECT count(*) FROM nominal) AS objects"
        " FROM measured m LEFT JOIN up USING (bucket) ORDER BY m.bucket"
    )


_EMPTY = (
    "SELECT NULL::VARCHAR AS object, NULL::VARCHAR AS measurement,"
    " NULL::TIMESTAMPTZ AS start, 0::BIGINT AS seconds, 0.0::DOUBLE AS total,"
    " 0::BIGINT AS count, 0.0::DOUBLE AS minimum, 0.0::DOUBLE AS maximum WHERE false"
)


def arrays_sql(
    segments: Sequence[Segment],
    measurements: Sequence[str],
    objects: Sequence[str] | None,
    *,
    origin: int,
    bucket_s: int | None,
) -> str:
    """One row per (object, bucket), ordered so, with count/total/minimum/maximum per measurement.

    One aggregation level over rows tagged with their measurement's position: sums, minima and
    maxima combine across tiers and files, so duplicate roll-up rows of an hour add up.
    """
    union = " UNION ALL ".join(segment_sql(s, measurements, objects) for s in segments)
    tag = " ".join(f"WHEN {literal(m)} THEN {i}" for i, m in enumerate(measurements))
    columns, seconds = [], []
    for i in range(len(measurements)):
        columns += [
            f"coalesce(sum(CASE WHEN m = {i} THEN count END), 0)::BIGINT AS count_{i}",
            f"coalesce(sum(CASE WHEN m = {i} THEN total END), 0.0)::DOUBLE AS total_{i}",
            f"coalesce(min(CASE WHEN m = {i} THEN minimum END), 'NaN'::DOUBLE) AS minimum_{i}",
            f"coalesce(max(CASE WHEN m = {i} THEN maximum END), 'NaN'::DOUBLE) AS maximum_{i}",
        ]
        seconds.append(f"coalesce(sum(CASE WHEN m = {i} THEN seconds END), 0)")
    covered = f"greatest({', '.join(seconds)})" if len(seconds) > 1 else seconds[0]
    return (
        f"SELECT object, {bucket_expr(origin, bucket_s)} AS bucket,"
        f" {covered}::BIGINT AS seconds, {', '.join(columns)}"
        f" FROM (SELECT *, CASE measurement {tag} END AS m FROM ({union}))"
        " GROUP BY 1, 2 ORDER BY 1, 2"
    )


def _range(start: dt.datetime, end: dt.datetime, bucket_s: int | None) -> tuple[int, int]:
    lo, hi = epoch_seconds(start, "start"), epoch_seconds(end, "end")
    if bucket_s is not None and bucket_s <= 0:
        raise ValueError(f"bucket_s must be positive, not {bucket_s}")
    return lo, hi


def _retrying(read: Callable[[], Any]) -> Any:
    """Run a read; if maintenance removed a file meanwhile, plan again once."""
    try:
        return read()
    except duckdb.IOException:
        return read()


def availability(
    catalog: Catalog, root: Path, q: AvailabilityQuery, columns: Columns
) -> Availability:
    """Up object-seconds and measured seconds per bucket (see `availability_sql`)."""
    lo, hi = _range(q.start, q.end, q.bucket_s)
    objects = normalise_objects(q.objects)
    if lo >= hi or objects == []:
        return Availability([], 0)
    names = [q.measurement]

    def read() -> Any:
        up = plan(catalog, root, lo, hi, allowed_tiers(q.bucket_s), names)
        slots = plan(catalog, root, lo, hi, allowed_tiers(slot_seconds(q.bucket_s)), names)
        if not slots:
            return None
        sql = availability_sql(up, slots, q.measurement, objects, origin=lo, bucket_s=q.bucket_s)
        return columns(sql)

    found = _retrying(read)
    if found is None or not found.num_rows:
        return Availability([], 0)
    bucket, up, measured = (found.column(c).to_pylist() for c in ("bucket", "up", "measured"))
    rows = [
        AvailabilityRow(dt.datetime.fromtimestamp(int(b), dt.UTC), float(u), int(m))
        for b, u, m in zip(bucket, up, measured, strict=True)
    ]
    return Availability(rows, int(found.column("objects")[0].as_py()))


def aggregate_arrays(
    catalog: Catalog, root: Path, q: AggregateQuery, columns: Columns
) -> AggregateArrays:
    """The per-(object, bucket) aggregate of a query as NumPy columns."""
    lo, hi = _range(q.start, q.end, q.bucket_s)
    objects = normalise_objects(q.objects)
    names = list(q.measurements)
    table = None
    if lo < hi and objects != [] and names:

        def read() -> Any:
            segments = plan(catalog, root, lo, hi, allowed_tiers(q.bucket_s), names)
            if not segments:
                return None
            return columns(arrays_sql(segments, names, objects, origin=lo, bucket_s=q.bucket_s))

        table = _retrying(read)

    def column(name: str, dtype: type) -> Any:
        if table is None:
            return np.zeros(0, dtype)
        return table.column(name).to_numpy().astype(dtype, copy=False)

    def stacked(stat: str, dtype: type) -> Any:
        parts = [column(f"{stat}_{i}", dtype) for i in range(len(names))]
        return np.stack(parts) if parts else np.zeros((0, 0), dtype)

    return AggregateArrays(
        measurements=tuple(names),
        bucket=column("bucket", np.int64),
        object=column("object", object),
        seconds=column("seconds", np.int64),
        count=stacked("count", np.int64),
        total=stacked("total", np.float64),
        minimum=stacked("minimum", np.float64),
        maximum=stacked("maximum", np.float64),
    )
