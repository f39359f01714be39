"""Batches to Arrow tables and Parquet files: validation, day split, sort order, atomic write.

Raw files hold (object, measurement, start, seconds, value), object and measurement
dictionary-encoded, sorted by (measurement, object, start) so row-group statistics prune by
measurement. Roll-up files hold (object, measurement, start, seconds, total, count, minimum,
maximum) where `start` is the hour or day and `seconds` the summed period lengths.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from openipn.store.telemetry.api import SampleBatch, Tier
from openipn.store.telemetry.catalog import Catalog, NewFile

DAY_S = 86_400
RESOLUTION_S: dict[Tier, int] = {Tier.RAW: 1, Tier.HOURLY: 3_600, Tier.DAILY: DAY_S}
COMPRESSION = "lz4"
ROW_GROUP_ROWS = 65_536

_STRING_DICT = pa.dictionary(pa.int32(), pa.string())
RAW_SCHEMA = pa.schema(
    [
        pa.field("object", _STRING_DICT, nullable=False),
        pa.field("measurement", _STRING_DICT, nullable=False),
        pa.field("start", pa.timestamp("s", tz="UTC"), nullable=False),
        pa.field("seconds", pa.int32(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
    ]
)


class StoreFiles(Protocol):
    """What a store's writers and upkeep use of it: its files, their catalog and their rules."""

    @property
    def root(self) -> Path:
        """The store's directory (tiers below it, the catalog in it)."""
        ...

    @property
    def catalog(self) -> Catalog:
        """The list of the store's files, the only ones ever read."""
        ...

    @property
    def durable(self) -> bool:
        """True: files are fsynced before they are catalogued."""
        ...

    @property
    def orphan_grace_s(self) -> float:
        """Age after which an uncatalogued file is a leftover to remove."""
        ...

    @property
    def retire_grace_s(self) -> float:
        """Time a replaced file is kept for readers that still hold it."""
        ...


@dataclass(frozen=True)
class DayPart:
    """The rows of one batch that start on one UTC day, sorted, as an Arrow table."""

    day: int
    table: pa.Table
    min_start: int
    max_end: int
    measurements: tuple[str, ...]


def epoch_seconds(moment: dt.datetime, what: str) -> int:
    """Whole epoch seconds of an aware datetime (rounded up); naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} {moment.isoformat()} is a naive datetime; give it a timezone")
    return math.ceil(moment.timestamp())


def day_label(day: int) -> str:
    """YYYY-MM-DD of a UTC day number."""
    return (dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day)).strftime("%Y-%m-%d")


def _integers(array: npt.ArrayLike, what: str) -> npt.NDArray[np.int64]:
    values = np.asarray(array)
    if values.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional, not of shape {values.shape}")
    if values.size and not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"{what} must hold integers, not {values.dtype}")
    return values.astype(np.int64, copy=False)


def _check_index(index: npt.NDArray[np.int64], size: int, what: str) -> None:
    if index.size and (int(index.min()) < 0 or int(index.max()) >= size):
        raise ValueError(f"{what} points outside its {size} names")


def _names(names: Sequence[str], what: str) -> tuple[str, ...]:
    listed = tuple(names)
    if not all(isinstance(name, str) and name for name in listed):
        bad = next(n for n in listed if not (isinstance(n, str) and n))
        raise ValueError(f"{what} holds {bad!r}; every name must be a non-empty string")
    return listed


def check_batch(batch: SampleBatch) -> tuple[npt.NDArray[np.int64], ...]:
    """Validate a batch; return (object_index, measurement_index, starts, seconds) as int64."""
    values = np.asarray(batch.values)
    columns = {
        "object_index": _integers(batch.object_index, "object_index"),
        "measurement_index": _integers(batch.measurement_index, "measurement_index"),
        "starts": _integers(batch.starts, "starts"),
        "seconds": _integers(batch.seconds, "seconds"),
    }
    lengths = {name: len(column) for name, column in columns.items()} | {"values": len(values)}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise ValueError(f"batch columns have unequal lengths: {shown}")
    if values.size and not np.issubdtype(values.dtype, np.number):
        raise ValueError(f"values must be numbers, not {values.dtype}")
    if not np.isfinite(values).all():
        bad = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"values[{bad}] is {values[bad]}; values must be finite")
    if values.size and int(columns["seconds"].min()) < 0:
        bad = int(np.flatnonzero(columns["seconds"] < 0)[0])
        raise ValueError(f"seconds[{bad}] is {columns['seconds'][bad]}; must not be negative")
    _check_index(columns["object_index"], len(batch.objects), "object_index")
    _check_index(columns["measurement_index"], len(batch.measurements), "measurement_index")
    return tuple(columns.values())


CACHED_NAMES = 1_024  # longer name lists (large files, grouped appends) are not cached


def _ranking(names: tuple[str, ...]) -> tuple[pa.Array, npt.NDArray[np.int32]]:
    """Sorted distinct names and each name's position among them (duplicates merged).

    Cached for short lists: intake sends the same object and counter lists every period.
    """
    return _ranking_cached(names) if len(names) <= CACHED_NAMES else _rank(names)


@functools.lru_cache(maxsize=64)  # at most 64 x 1,024 names held
def _ranking_cached(names: tuple[str, ...]) -> tuple[pa.Array, npt.NDArray[np.int32]]:
    return _rank(names)


def _rank(names: tuple[str, ...]) -> tuple[pa.Array, npt.NDArray[np.int32]]:
    array = pa.array(names, pa.string())
    if len(pc.unique(array)) == len(names):
        order = pc.array_sort_indices(array).to_numpy()
        rank = np.empty(len(names), dtype=np.int32)
        rank[order] = np.arange(len(names), dtype=np.int32)
        return array.take(pa.array(order)), rank
    distinct, inverse = np.unique(np.array(names, dtype=object), return_inverse=True)
    return pa.array(distinct.tolist(), pa.string()), inverse.astype(np.int32)


def _ranked(names: tuple[str, ...], index: npt.NDArray[np.int64]) -> tuple[pa.Array, np.ndarray]:
    """Sorted distinct names and each row's position among them."""
    distinct, rank = _ranking(names)
    return distinct, rank[index]


def _sorted_order(key: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | None:
    """Row order that sorts the key, or None when it is already sorted."""
    if len(key) < 2 or bool((key[1:] >= key[:-1]).all()):
        return None
    return np.argsort(key, kind="stable")


def batch_parts(batch: SampleBatch) -> list[DayPart]:
    """Split a validated batch by UTC day of period start; each part sorted for pruning."""
    object_index, measurement_index, starts, seconds = check_batch(batch)
    if not len(starts):
        return []
    objects = _ranked(_names(batch.objects, "objects"), object_index)
    measurements = _ranked(_names(batch.measurements, "measurements"), measurement_index)
    values = np.asarray(batch.values, dtype=np.float64)
    days = starts // DAY_S
    distinct_days = [int(days[0])] if days.min() == days.max() else np.unique(days).tolist()
    parts = []
    for day in distinct_days:
        rows = slice(None) if len(distinct_days) == 1 else np.flatnonzero(days == day)
        columns = (objects[1][rows], measurements[1][rows], starts[rows], seconds[rows])
        parts.append(_day_part(int(day), objects[0], measurements[0], columns, values[rows]))
    return parts


def _day_part(
    day: int,
    object_names: pa.Array,
    measurement_names: pa.Array,
    columns: tuple[np.ndarray, np.ndarray, npt.NDArray[np.int64], npt.NDArray[np.int64]],
    values: npt.NDArray[np.float64],
) -> DayPart:
    """One day's rows as a table sorted by (measurement, object, start)."""
    object_codes, measurement_codes, starts, seconds = columns
    origin = int(starts.min())
    key = measurement_codes.astype(np.int64) * len(object_names) + object_codes
    order = _sorted_order((key << 20) | (starts - origin))  # start - origin < 2**17 in a day
    pick = slice(None) if order is None else order
    m_codes = measurement_codes[pick]
    table = pa.Table.from_arrays(
        [
            pa.DictionaryArray.from_arrays(object_codes[pick], object_names),
            pa.DictionaryArray.from_arrays(m_codes, measurement_names),
            pa.array(starts[pick], pa.timestamp("s", tz="UTC")),
            pa.array(seconds[pick].astype(np.int32)),
            pa.array(values[pick]),
        ],
        schema=RAW_SCHEMA,
    )
    used = np.flatnonzero(np.bincount(m_codes, minlength=len(measurement_names)))
    return DayPart(
        day=day,
        table=table,
        min_start=origin,
        max_end=int((starts + seconds).max()),
        measurements=tuple(measurement_names.take(pa.array(used)).to_pylist()),
    )


def new_relative_path(tier: Tier, day: int) -> str:
    """A fresh `<tier>/<YYYY-MM-DD>/<uuid>.parquet` path relative to the store root."""
    return f"{tier.value}/{day_label(day)}/{uuid.uuid4().hex}.parquet"


def write_table(root: Path, relative: str, table: pa.Table, *, durable: bool) -> None:
    """Write a Parquet file to a temporary name, then rename it into place."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    with temporary.open("wb") as sink:
        pq.write_table(
            table,
            sink,
            compression=COMPRESSION,
            row_group_size=ROW_GROUP_ROWS,
            write_statistics=["object", "measurement", "start"],
            use_dictionary=["object", "measurement", "start", "seconds"],  # values: plain
        )
        if durable:
            sink.flush()
            os.fsync(sink.fileno())
    temporary.replace(target)


def remove_quietly(path: Path) -> None:
    """Delete a file if it is there."""
    path.unlink(missing_ok=True)


def write_raw_part(root: Path, part: DayPart, *, durable: bool) -> NewFile:
    """Write one day's part of a batch as a new raw Parquet file; its catalog entry."""
    relative = new_relative_path(Tier.RAW, part.day)
    write_table(root, relative, part.table, durable=durable)
    return NewFile(
        Tier.RAW, part.day, relative, part.table.num_rows, part.min_start, part.max_end,
        part.measurements,
    )  # fmt: skip
