"""What the time-series store holds: its objects and measurements, each with its time range.

Read from the coarsest tiers that cover the stored range (raw at its unaligned edges and on days
not yet rolled up), so the answer stays fast as data grows; inside the range, an object's last
end is exact to the roll-up resolution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openipn.model.times import from_epoch
from openipn.store.telemetry import query
from openipn.store.telemetry.catalog import Catalog

Fetch = Callable[[str], list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Stored:
    """One object (or measurement) with the measurements (objects) it has and its range."""

    name: str
    first_start: dt.datetime
    last_end: dt.datetime
    count: int  # distinct measurements of an object, or objects of a measurement


def stored_range(catalog: Catalog) -> tuple[int, int] | None:
    """Earliest period start and latest period end stored (epoch seconds), None when empty."""
    with catalog.read() as db:
        row = db.execute("SELECT min(min_start), max(max_end) FROM files").fetchone()
    return None if row is None or row[0] is None else (int(row[0]), int(row[1]))


def list_stored(
    catalog: Catalog,
    root: Any,
    fetch: Fetch,
    *,
    by: str,
    objects: Sequence[str] | None = None,
    measurements: Sequence[str] | None = None,
) -> list[Stored]:
    """Objects (`by="object"`) or measurements (`by="measurement"`) with their ranges."""
    span = stored_range(catalog)
    if span is None:
        return []
    segments = query.plan(catalog, root, span[0], span[1], query.COARSE_TO_FINE, measurements)
    if not segments:
        return []
    other = "measurement" if by == "object" else "object"
    union = " UNION ALL ".join(query.segment_sql(s, measurements, objects) for s in segments)
    sql = (
        f"SELECT {by}, min(epoch_ms(start)) // 1000, max(epoch_ms(start) // 1000 + seconds),"
        f" count(DISTINCT {other}) FROM ({union}) GROUP BY {by} ORDER BY {by}"
    )
    return [
        Stored(str(n), from_epoch(int(a)), from_epoch(int(b)), int(c)) for n, a, b, c in fetch(sql)
    ]
