"""Which tier answers which part of a time range, and the DuckDB SQL that reads it.

A range is cut into segments: the coarsest roll-up tier whose resolution divides the bucket
covers the aligned middle of the range, except on days whose raw values are not yet rolled
up (dirty days); the unaligned edges and dirty days fall to the next finer tier, down to raw.
Sums, counts, minima and maxima combine across segments, so the answer is the same whichever
tier serves each part.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openipn.store.telemetry.api import Tier
from openipn.store.telemetry.catalog import Catalog
from openipn.store.telemetry.layout import DAY_S, RESOLUTION_S

COARSE_TO_FINE = (Tier.DAILY, Tier.HOURLY, Tier.RAW)

# Raw rows presented with the roll-up columns (a value is a roll-up of one).
_RAW_COLUMNS = (
    "object, measurement, start, seconds::BIGINT AS seconds, value AS total,"
    " 1::BIGINT AS count, value AS minimum, value AS maximum"
)
_ROLLUP_COLUMNS = "object, measurement, start, seconds, total, count, minimum, maximum"


@dataclass(frozen=True)
class Segment:
    """Period starts in [lo, hi) are read from these files of one tier."""

    tier: Tier
    lo: int
    hi: int
    paths: tuple[str, ...]


def literal(text: str) -> str:
    """A SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def allowed_tiers(bucket_s: int | None) -> tuple[Tier, ...]:
    """Tiers whose resolution divides the bucket, coarsest first (raw always)."""
    return tuple(t for t in COARSE_TO_FINE if bucket_s is None or bucket_s % RESOLUTION_S[t] == 0)


def cover(lo: int, hi: int, tiers: Sequence[Tier], dirty: set[int]) -> list[tuple[Tier, int, int]]:
    """Cut [lo, hi) into (tier, lo, hi) pieces, coarsest usable tier first."""
    if lo >= hi:
        return []
    tier, finer = tiers[0], tiers[1:]
    if tier is Tier.RAW:
        return [(tier, lo, hi)]
    resolution = RESOLUTION_S[tier]
    a, b = -(-lo // resolution) * resolution, hi // resolution * resolution
    if a >= b:
        return cover(lo, hi, finer, dirty)
    pieces: list[tuple[int, int, bool]] = [(lo, a, False)]
    cursor = a
    for day in sorted(d for d in dirty if d * DAY_S < b and (d + 1) * DAY_S > a):
        day_lo, day_hi = max(a, day * DAY_S), min(b, (day + 1) * DAY_S)
        pieces += [(cursor, day_lo, True), (day_lo, day_hi, False)]
        cursor = day_hi
    pieces += [(cursor, b, True), (b, hi, False)]
    result: list[tuple[Tier, int, int]] = []
    for piece_lo, piece_hi, here in pieces:
        if piece_lo < piece_hi:
            result += (
                [(tier, piece_lo, piece_hi)] if here else cover(piece_lo, piece_hi, finer, dirty)
            )
    return result


def plan(
    catalog: Catalog,
    root: Path,
    lo: int,
    hi: int,
    tiers: Sequence[Tier],
    measurements: Sequence[str] | None,
) -> list[Segment]:
    """Segments covering [lo, hi), with their files, from one catalog snapshot."""
    if lo >= hi:
        return []
    first_day, last_day = lo // DAY_S, (hi - 1) // DAY_S
    segments = []
    with catalog.read() as db:
        dirty = catalog.unrolled_days(db, first_day, last_day) if len(tiers) > 1 else set()
        for tier, piece_lo, piece_hi in _merged(cover(lo, hi, tiers, dirty)):
            paths = _paths(catalog, db, root, tier, piece_lo, piece_hi, measurements)
            if paths:
                segments.append(Segment(tier, piece_lo, piece_hi, paths))
    return segments


def _merged(pieces: list[tuple[Tier, int, int]]) -> list[tuple[Tier, int, int]]:
    merged: list[tuple[Tier, int, int]] = []
    for tier, lo, hi in pieces:
        if merged and merged[-1][0] is tier and merged[-1][2] == lo:
            merged[-1] = (tier, merged[-1][1], hi)
        else:
            merged.append((tier, lo, hi))
    return merged


def _paths(
    catalog: Catalog,
    db: sqlite3.Connection,
    root: Path,
    tier: Tier,
    lo: int,
    hi: int,
    measurements: Sequence[str] | None,
) -> tuple[str, ...]:
    files = catalog.files(db, tier, lo // DAY_S, (hi - 1) // DAY_S, measurements)
    return tuple(str(root / f.path) for f in files)


def _where(
    segment: Segment, measurements: Sequence[str] | None, objects: Sequence[str] | None
) -> str:
    clauses = [f"start >= to_timestamp({segment.lo})", f"start < to_timestamp({segment.hi})"]
    if measurements is not None:
        clauses.append(f"measurement IN ({', '.join(literal(m) for m in measurements)})")
    if objects is not None:
        clauses.append(object_filter(objects))
    return " AND ".join(clauses)


def object_filter(objects: Sequence[str]) -> str:
    """A DN selects itself and every DN below it (prefix at an RDN boundary, TS 32.300 §7)."""
    exact = ", ".join(literal(o) for o in objects)
    below = " OR ".join(f"starts_with(object, {literal(o + ',')})" for o in objects)
    return f"(object IN ({exact}) OR {below})"


def normalise_objects(objects: Sequence[str] | None) -> list[str] | None:
    """Trim whitespace and trailing commas; refuse empty DNs."""
    if objects is None:
        return None
    if isinstance(objects, str):
        raise ValueError("objects must be a list of DNs, not one string")
    result = [o.strip().rstrip(",").strip() for o in objects]
    if any(not o for o in result):
        raise ValueError("objects holds an empty DN")
    return result


def segment_sql(
    segment: Segment, measurements: Sequence[str] | None, objects: Sequence[str] | None
) -> str:
    """One UNION branch: a segment's rows in the roll-up columns."""
    columns = _RAW_COLUMNS if segment.tier is Tier.RAW else _ROLLUP_COLUMNS
    files = ", ".join(literal(p) for p in segment.paths)
    return (
        f"SELECT {columns} FROM read_parquet([{files}])"
        f" WHERE {_where(segment, measurements, objects)}"
    )


def aggregate_sql(
    segments: Sequence[Segment],
    measurements: Sequence[str],
    objects: Sequence[str] | None,
    *,
    origin: int,
    bucket_s: int | None,
    by_object: bool,
) -> str:
    """Sum, count, min, max and covered seconds per bucket (and object) and measurement."""
    union = " UNION ALL ".join(segment_sql(s, measurements, objects) for s in segments)
    bucket = (
        str(origin) if bucket_s is None else f"epoch_ms(start) // {bucket_s * 1000} * {bucket_s}"
    )
    keys = "bucket, object, measurement" if by_object else "bucket, measurement"
    return (
        f"SELECT {bucket} AS bucket, {'object' if by_object else 'NULL'} AS object, measurement,"
        " sum(total) AS total, sum(count)::BIGINT AS count, min(minimum) AS minimum,"
        " max(maximum) AS maximum, sum(seconds)::BIGINT AS seconds"
        f" FROM ({union}) GROUP BY {keys} ORDER BY {keys}"
    )


def samples_sql(
    segment: Segment,
    measurements: Sequence[str] | None,
    objects: Sequence[str] | None,
    limit: int,
) -> str:
    """Raw values of one segment, oldest first."""
    files = ", ".join(literal(p) for p in segment.paths)
    return (
        "SELECT object, measurement, epoch_ms(start) // 1000 AS start, seconds, value"
        f" FROM read_parquet([{files}]) WHERE {_where(segment, measurements, objects)}"
        f" ORDER BY start, measurement, object LIMIT {int(limit)}"
    )
