"""The embedded time-series store: Parquet files, a SQLite catalog, DuckDB queries.

Layout under the root: `catalog.db` (SQLite, WAL) and `<tier>/<YYYY-MM-DD>/<uuid>.parquet`.
Only catalogued files are read, never a glob, so several processes (the server appending,
the CLI reading or appending) share one store safely. Analytics use event time only: the
period start and length in the data, never the arrival time.

`AggregateRow.seconds` is the sum of the period lengths of the values aggregated: for one
object it is the time covered; over several objects it is object-seconds (so `total /
seconds * 900` is a mean per 15-minute object-period). It is the same whichever tier answers.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from openipn.model.times import from_epoch
from openipn.store.telemetry import columnar, maintenance, query, unique
from openipn.store.telemetry.api import (
    AggregateArrays,
    AggregateQuery,
    AggregateRow,
    AppendResult,
    Availability,
    AvailabilityQuery,
    FileBatch,
    Retention,
    Sample,
    SampleBatch,
    Source,
    Tier,
)
from openipn.store.telemetry.catalog import Catalog, DuplicateKeyError, NewFile
from openipn.store.telemetry.inventory import Stored, list_stored
from openipn.store.telemetry.layout import (
    batch_parts,
    epoch_seconds,
    remove_quietly,
    write_raw_part,
)

if TYPE_CHECKING:  # the site model (pydantic) is not needed to store or read values
    from openipn.model.site import Site

CATALOG_NAME = "catalog.db"
CLOCK_TOLERANCE_S = 300.0  # latest_end() never lies further ahead of the wall clock


def _checked(q: AggregateQuery) -> tuple[int, int, list[str], list[str] | None] | None:
    """The query's range in epoch seconds, measurements and objects; None if it selects nothing."""
    lo, hi = epoch_seconds(q.start, "start"), epoch_seconds(q.end, "end")
    if q.bucket_s is not None and q.bucket_s <= 0:
        raise ValueError(f"bucket_s must be positive, not {q.bucket_s}")
    if isinstance(q.measurements, str):
        raise ValueError("measurements must be a list of names, not one string")
    objects = query.normalise_objects(q.objects)
    measurements = list(q.measurements)
    if not measurements or objects == [] or lo >= hi:
        return None
    return lo, hi, measurements, objects


class ParquetTelemetryStore:
    """A `TelemetryStore` over Parquet files under one root directory."""

    def __init__(
        self,
        root: Path,
        *,
        durable: bool = True,
        orphan_grace_s: float = 3_600.0,
        retire_grace_s: float = 300.0,
        threads: int | None = None,
        clock_tolerance_s: float = CLOCK_TOLERANCE_S,
    ) -> None:
        self.root = root
        self.clock_tolerance_s = clock_tolerance_s
        self.durable = durable
        self.orphan_grace_s = orphan_grace_s
        self.retire_grace_s = retire_grace_s
        for tier in Tier:
            (root / tier.value).mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(root / CATALOG_NAME)
        self._threads = threads
        self._duck_open: duckdb.DuckDBPyConnection | None = None  # opened on the first read
        self._duck_lock = threading.Lock()

    @property
    def _duck(self) -> duckdb.DuckDBPyConnection:
        """DuckDB, connected when first needed (a writer-only process never pays for it)."""
        if self._duck_open is None:
            duck = duckdb.connect(":memory:")
            duck.execute("SET TimeZone = 'UTC'")
            duck.execute("SET parquet_metadata_cache = true")
            duck.execute(f"SET temp_directory = {query.literal(str(self.root / 'spill'))}")
            if self._threads is not None:
                duck.execute(f"SET threads = {int(self._threads)}")
            self._duck_open = duck
        return self._duck_open

    # -- writing ----------------------------------------------------------------------------

    def append(
        self, batch: SampleBatch, *, source: Source, key: str | None, name: str
    ) -> AppendResult:
        """Store a batch atomically (all or nothing); a repeated `key` stores nothing."""
        if key is not None and self.catalog.seen(key):
            return AppendResult(rows=0, duplicate=True)
        parts = batch_parts(batch)
        written: list[NewFile] = []
        try:
            for part in parts:
                written.append(write_raw_part(self.root, part, durable=self.durable))
            self.catalog.commit_batch(written, key=key, source=str(source), name=name)
        except DuplicateKeyError:
            self._discard(written)
            return AppendResult(rows=0, duplicate=True)
        except BaseException:
            self._discard(written)
            raise
        if not written:
            return AppendResult(rows=0, duplicate=False)
        return AppendResult(
            rows=sum(f.rows for f in written),
            duplicate=False,
            period_start=from_epoch(min(f.min_start for f in written)),
            period_end=from_epoch(max(f.max_end for f in written)),
        )

    def append_files(self, files: Sequence[FileBatch], *, source: Source) -> list[AppendResult]:
        """Store several files in one transaction, each key once and each value once."""
        return unique.append_files(self, files, source)

    def _discard(self, files: Sequence[NewFile]) -> None:
        for f in files:
            remove_quietly(self.root / f.path)

    def seen(self, key: str) -> bool:
        """Whether a batch with this idempotency key is already stored."""
        return self.catalog.seen(key)

    # -- reading ----------------------------------------------------------------------------

    def aggregate(self, q: AggregateQuery) -> list[AggregateRow]:
        """Aggregates of the query's counters (counters are summed before any ratio)."""
        checked = _checked(q)
        if checked is None:
            return []
        lo, hi, measurements, objects = checked

        def run() -> list[tuple[Any, ...]]:
            segments = query.plan(
                self.catalog, self.root, lo, hi, query.allowed_tiers(q.bucket_s), measurements
            )
            if not segments:
                return []
            sql = query.aggregate_sql(
                segments,
                measurements,
                objects,
                origin=lo,
                bucket_s=q.bucket_s,
                by_object=q.by_object,
            )
            return self._fetch(sql)

        return [
            AggregateRow(
                bucket_start=from_epoch(int(b)),
                object=o,
                measurement=m,
                total=float(t),
                count=int(c),
                minimum=float(mn),
                maximum=float(mx),
                seconds=int(s),
            )
            for b, o, m, t, c, mn, mx, s in self._retrying(run)
        ]

    def plan(self, q: AggregateQuery) -> list[tuple[Tier, dt.datetime, dt.datetime]]:
        """Which tier would answer which part of the query's range (for tests and tuning)."""
        checked = _checked(q)
        if checked is None:
            return []
        lo, hi, measurements, _ = checked
        segments = query.plan(
            self.catalog, self.root, lo, hi, query.allowed_tiers(q.bucket_s), measurements
        )
        return [(s.tier, from_epoch(s.lo), from_epoch(s.hi)) for s in segments]

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
        lo, hi = epoch_seconds(start, "start"), epoch_seconds(end, "end")
        if limit < 0:
            raise ValueError(f"limit must not be negative, not {limit}")
        chosen = None if measurements is None else list(measurements)
        selected = query.normalise_objects(objects)
        if chosen == [] or selected == [] or limit == 0 or lo >= hi:
            return []

        def run() -> list[tuple[Any, ...]]:
            segments = query.plan(self.catalog, self.root, lo, hi, (Tier.RAW,), chosen)
            if not segments:
                return []
            return self._fetch(query.samples_sql(segments[0], chosen, selected, limit))

        return [
            Sample(
                object=o, measurement=m, start=from_epoch(int(s)), seconds=int(n), value=float(v)
            )
            for o, m, s, n, v in self._retrying(run)
        ]

    def stored(
        self,
        by: str,
        *,
        objects: Sequence[str] | None = None,
        measurements: Sequence[str] | None = None,
    ) -> list[Stored]:
        """Stored objects (`by="object"`) or measurements with their time ranges."""
        if by not in ("object", "measurement"):
            raise ValueError(f"by must be 'object' or 'measurement', not {by!r}")
        selected = query.normalise_objects(objects)
        chosen = None if measurements is None else list(measurements)
        return list_stored(
            self.catalog, self.root, self._fetch, by=by, objects=selected, measurements=chosen
        )

    def measurement_names(self, prefix: str = "") -> list[str]:
        """Distinct measurement names stored, sorted."""
        return self.catalog.measurement_names(prefix)

    def latest_end(self) -> dt.datetime | None:
        """End of the newest period stored (event time), None when the store is empty."""
        # Bounded: a period stored from a clock gone wrong must not become a resume point.
        bound = math.floor(time.time() + self.clock_tolerance_s)
        end = self.catalog.latest_end(bound)
        return None if end is None else dt.datetime.fromtimestamp(end, dt.UTC)

    def availability(self, q: AvailabilityQuery) -> Availability:
        """Up and measured time per bucket, aggregated per object inside the store."""
        return columnar.availability(self.catalog, self.root, q, self._columns)

    def aggregate_arrays(self, q: AggregateQuery) -> AggregateArrays:
        """Per (object, bucket) aggregates of each measurement as columns (`by_object` implied)."""
        return columnar.aggregate_arrays(self.catalog, self.root, q, self._columns)

    def _columns(self, sql: str) -> Any:
        """A query's result as an Arrow table (columns without a Python object per value)."""
        with self._duck_lock:
            return self._duck.sql(sql).to_arrow_table()

    def _fetch(self, sql: str) -> list[tuple[Any, ...]]:
        with self._duck_lock:
            return self._duck.execute(sql).fetchall()

    def _retrying(self, run: Any) -> list[tuple[Any, ...]]:
        """Run a read; if maintenance removed a file meanwhile, plan again once."""
        try:
            rows: list[tuple[Any, ...]] = run()
        except duckdb.IOException:
            rows = run()
        return rows

    # -- upkeep -----------------------------------------------------------------------------

    def maintain(self, now: dt.datetime, retention: Retention) -> dict[str, int]:
        """Roll up, compact and expire; return counts of what was done."""
        return maintenance.maintain(self, epoch_seconds(now, "now"), retention)

    def close(self) -> None:
        """Release files and connections."""
        with self._duck_lock:
            if self._duck_open is not None:
                self._duck_open.close()
        self.catalog.close()

    def __enter__(self) -> ParquetTelemetryStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def retention_for(site: Site | None) -> Retention:
    """The retention a site file asks for (`site.telemetry`), else the defaults."""
    if site is None or site.telemetry is None:
        return Retention()
    return Retention(
        raw_days=site.telemetry.raw_days,
        hourly_days=site.telemetry.hourly_days,
        daily_days=site.telemetry.daily_days,
    )


def open_telemetry_store(root: Path, **options: Any) -> ParquetTelemetryStore:
    """Open (creating if needed) the telemetry store under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    return ParquetTelemetryStore(root, **options)
