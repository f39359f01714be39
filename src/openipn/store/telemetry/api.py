"""The contract of the time-series store: what intake writes and what analytics read.

Every value is a counter (or gauge) of one measured object over one period, in event time:
the period the equipment reported (the PM file's granularity period, the scrape's timestamp),
never the time it arrived. Times are UTC; periods are half-open [start, start + seconds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class Source(StrEnum):
    """Where a batch of values came from."""

    PM_FILE = "pm-file"  # TS 32.435 / TS 28.532 file
    PROMETHEUS = "prometheus"  # a scrape of a core function's /metrics
    VES = "ves"  # VES measurement events (terminal reports)


class Tier(StrEnum):
    """Resolution tiers: raw as reported, then roll-ups."""

    RAW = "raw"
    HOURLY = "hourly"
    DAILY = "daily"


@dataclass(frozen=True)
class SampleBatch:
    """Values of one source, dictionary-encoded columns of equal length.

    `objects[object_index[i]]` is the full DN of value i's measured object (e.g.
    `ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU=1`), `measurements[measurement_index[i]]`
    its TS 28.552 name (after any vendor-name mapping), `starts[i]` the period start in epoch
    seconds UTC and `seconds[i]` the period length. Unknown values (NIL, empty) are left out,
    never stored as 0.
    """

    objects: Sequence[str]
    object_index: IntArray
    measurements: Sequence[str]
    measurement_index: IntArray
    starts: IntArray
    seconds: IntArray
    values: FloatArray

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Conflict:
    """Two different values for one (object, measurement, period): `kept` stays stored."""

    object: str
    measurement: str
    start: dt.datetime
    seconds: int
    kept: float
    refused: float


@dataclass(frozen=True)
class AppendResult:
    """What an append did: stored rows, or nothing because the key was seen before.

    `append_files` also counts the values `skipped` because their (object, measurement,
    start, seconds) was already stored, and lists those whose value differed (`conflicts`).
    """

    rows: int
    duplicate: bool
    period_start: dt.datetime | None = None  # earliest period start in the batch
    period_end: dt.datetime | None = None  # latest period end in the batch
    skipped: int = 0
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True)
class FileBatch:
    """One source file for `append_files`: its idempotency key, name and values.

    `batches` returns the file's values as one or more batches (a large file streams them in
    bounded pieces); it may be called again if a concurrent writer forces a retry.
    """

    key: str
    name: str
    batches: Callable[[], Iterable[SampleBatch]]


@dataclass(frozen=True)
class AggregateQuery:
    """Sum (and count, min, max) of counters over objects and time buckets.

    `objects` selects by full DN: a DN selects itself and everything it contains (an
    `ManagedElement=gnb-1` selects its cells); None selects every object. Buckets are aligned
    to the epoch in UTC; `bucket_s=None` gives one bucket over the whole range. A value falls
    in the bucket of its period start. `by_object` keeps one row per object.
    """

    measurements: Sequence[str]
    start: dt.datetime
    end: dt.datetime
    objects: Sequence[str] | None = None
    bucket_s: int | None = None
    by_object: bool = False


@dataclass(frozen=True)
class AggregateRow:
    """One (bucket, object, measurement) aggregate; `seconds` is the period time covered."""

    bucket_start: dt.datetime
    object: str | None
    measurement: str
    total: float
    count: int
    minimum: float
    maximum: float
    seconds: int


@dataclass(frozen=True)
class AvailabilityQuery:
    """Availability figures of one measurement (e.g. RRU.PrbAvailDl) per bucket.

    Objects and buckets as in `AggregateQuery`; `objects` selects the objects whose up time
    is summed, while measured time counts reports of every object holding the measurement.
    """

    measurement: str
    start: dt.datetime
    end: dt.datetime
    objects: Sequence[str] | None = None
    bucket_s: int | None = None


@dataclass(frozen=True)
class AvailabilityRow:
    """One bucket: up object-seconds (values ÷ each object's nominal × period) and measured s."""

    bucket_start: dt.datetime
    up: float
    measured: int


@dataclass(frozen=True)
class Availability:
    """Buckets with a report, and how many objects of the query reported in the range."""

    rows: list[AvailabilityRow]
    objects: int


@dataclass(frozen=True)
class AggregateArrays:
    """Per-object aggregates as NumPy columns: one row per (object, bucket), in that order.

    `bucket` is in epoch seconds; `seconds` the most period time any measurement covered.
    `count[i]`, `total[i]`, `minimum[i]`, `maximum[i]` belong to `measurements[i]` (0 or NaN
    where it has no value in that row).
    """

    measurements: tuple[str, ...]
    bucket: IntArray
    object: npt.NDArray[np.object_]
    seconds: IntArray
    count: npt.NDArray[np.int64]  # [measurement, row]
    total: npt.NDArray[np.float64]
    minimum: npt.NDArray[np.float64]
    maximum: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.bucket)


@dataclass(frozen=True)
class Sample:
    """One stored value, as `GET /api/v1/measurements` returns it."""

    object: str
    measurement: str
    start: dt.datetime
    seconds: int
    value: float


@dataclass(frozen=True)
class Retention:
    """How long each tier is kept, in days (configured per site)."""

    raw_days: int = 35
    hourly_days: int = 400
    daily_days: int = 3650


class TelemetryStore(Protocol):
    """Append counter values; aggregate and read them back. Safe across processes."""

    def append(
        self, batch: SampleBatch, *, source: Source, key: str | None, name: str
    ) -> AppendResult:
        """Store a batch atomically (all or nothing); a repeated `key` stores nothing."""
        ...

    def seen(self, key: str) -> bool:
        """Whether a batch with this idempotency key is already stored."""
        ...

    def append_files(self, files: Sequence[FileBatch], *, source: Source) -> list[AppendResult]:
        """Store several files in one transaction, each key once and each value once.

        A value whose (object, measurement, start, seconds) is already stored, or came earlier
        in this call, is skipped (a different value is reported as a conflict); a file whose
        key is stored, or whose every value is, is a duplicate.  All or nothing.
        """
        ...

    def aggregate(self, query: AggregateQuery) -> list[AggregateRow]:
        """Aggregates of the query's counters (counters are summed before any ratio)."""
        ...

    def availability(self, query: AvailabilityQuery) -> Availability:
        """Up and measured time per bucket, aggregated per object inside the store."""
        ...

    def aggregate_arrays(self, query: AggregateQuery) -> AggregateArrays:
        """Per (object, bucket) aggregates of each measurement as columns (`by_object` implied)."""
        ...

    def samples(
        self,
        *,
        measurements: Sequence[str] | None,
        objects: Sequence[str] | None,
        start: dt.datetime,
        end: dt.datetime,
        limit: int = 10_000,
    ) -> list[Sample]:
        """Raw values, oldest first."""
        ...

    def stored(
        self,
        by: str,
        *,
        objects: Sequence[str] | None = None,
        measurements: Sequence[str] | None = None,
    ) -> list[Any]:
        """Stored objects (`by="object"`) or measurements, each with its time range."""
        ...

    def measurement_names(self, prefix: str = "") -> list[str]:
        """Distinct measurement names stored, sorted."""
        ...

    def latest_end(self) -> dt.datetime | None:
        """End of the newest period stored (event time), None when the store is empty."""
        ...

    def maintain(self, now: dt.datetime, retention: Retention) -> dict[str, int]:
        """Roll up, compact and expire; return counts of what was done."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...
