"""PM tables into one `SampleBatch`: names mapped, periods checked, each value once.

Decisions (standards.md §1.4 quirks):
- unknown values (NIL, NULL, empty `<r>`, `, , ,` items, NaN) are left out, never stored as 0;
- an array counter (`<r p="2">86,87,2</r>`) becomes subcounters `<name>.0`, `<name>.1`, …
  (0-based, as Ericsson's `pm…Distr_0` bins), each unknown item left out;
- the period is the measInfo's granPeriod: [endTime - duration, endTime), event time (UTC);
  one ending beyond the wall clock plus a tolerance, or starting before `earliest_year`, is
  a clock gone wrong and makes the file bad;
- `suspect` values are stored (SampleBatch has no flag for them);
- the same (object, measurement, period) twice in a file (several measInfo blocks, or LDNs
  naming one object two ways) is stored once, the first; a different second value is a
  conflict, reported;
- any other non-numeric result (a word, INF) or a value beyond float range makes the file bad.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openipn.codecs.ts32435_pm import MeasInfo, PmFileError, Result, array_values
from openipn.collect.pm_fast import PmTable, period_start, resolve_dns
from openipn.collect.pm_names import map_names
from openipn.collect.pm_source import IntakeLimits
from openipn.store.telemetry.api import Conflict, SampleBatch

MAX_CONFLICTS = 100  # conflicts listed per file; all are counted


@dataclass(frozen=True)
class Built:
    """A file's batch and the in-file conflicts (first ones listed, all counted)."""

    batch: SampleBatch
    conflicts: tuple[Conflict, ...] = ()
    conflict_count: int = 0


def _number(result: Result, where: str) -> float | None:
    """A result as float; None for unknown (NIL/NULL/empty/NaN)."""
    if result is None:
        return None
    if isinstance(result, str):
        raise PmFileError(f"{where}: {result!r} is not a number")
    try:
        number = float(result)
    except OverflowError:
        raise PmFileError(f"{where}: {result} is beyond the range of a float") from None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise PmFileError(f"{where}: {result} is not a finite number")
    return number


def general_table(
    info: MeasInfo, position: int, prefix: str | None, element: str | None
) -> PmTable:
    """One decoded measInfo as a table (array counters split into subcounters)."""
    label = f"measInfo {position}" + (f" ({info.meas_info_id})" if info.meas_info_id else "")
    width = len(info.meas_types)
    base = np.full((len(info.meas_values), width), np.nan)
    extra: dict[str, dict[int, float]] = {}  # subcounter -> row -> value
    for row, value in enumerate(info.meas_values):
        for column, result in enumerate(value.results):
            name = info.meas_types[column]
            where = f"{label} measObjLdn={value.meas_obj_ldn!r} measType {name!r}"
            if isinstance(result, str) and "," in result:  # array / PDF counter
                for index, item in enumerate(array_values(result)):
                    number = _number(item, f"{where} item {index}")
                    if number is not None:
                        extra.setdefault(f"{name}.{index}", {})[row] = number
            elif (number := _number(result, where)) is not None:
                base[row, column] = number
    columns = [base]
    for cells in extra.values():
        column_values = np.full((len(info.meas_values), 1), np.nan)
        column_values[list(cells), 0] = list(cells.values())
        columns.append(column_values)
    ldns = [value.meas_obj_ldn for value in info.meas_values]
    return PmTable(
        objects=resolve_dns(ldns, prefix, element),
        types=info.meas_types + tuple(extra),
        start=period_start(info.end_time, info.gran_period_s),
        seconds=info.gran_period_s,
        values=np.hstack(columns),
    )


def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat()


def check_tables(tables: Sequence[PmTable], limits: IntakeLimits, now: float) -> None:
    """Names present, and every period within [earliest_year, now + tolerance]."""
    earliest = dt.datetime(limits.earliest_year, 1, 1, tzinfo=dt.UTC).timestamp()
    latest = now + limits.clock_tolerance_s
    for position, table in enumerate(tables, start=1):
        if any(not name for name in table.types):
            raise PmFileError(f"measInfo {position}: a measType has no name")
        if any(not dn for dn in table.objects):
            raise PmFileError(f"measInfo {position}: a measValue has an empty measObjLdn")
        end = table.start + table.seconds
        if end > latest:
            raise PmFileError(
                f"measInfo {position}: period ending {_iso(end)} is in the future (beyond now"
                f" {_iso(int(now))} + {limits.clock_tolerance_s:g} s clock tolerance)"
            )
        if table.start < earliest:
            raise PmFileError(
                f"measInfo {position}: period starting {_iso(table.start)} is before"
                f" {limits.earliest_year} (clock gone wrong?)"
            )


def _part(
    table: PmTable,
    names: tuple[str, ...],
    matrix: np.ndarray,
    ranks: tuple[dict[str, int], dict[str, int]],
) -> tuple[np.ndarray, ...]:
    """One table's known values as (object, measurement, start, seconds, value) columns."""
    object_rank, measurement_rank = ranks
    rows = np.fromiter((object_rank[dn] for dn in table.objects), np.int64, len(table.objects))
    cols = np.fromiter((measurement_rank[n] for n in names), np.int64, len(names))
    row_order, col_order = np.argsort(rows, kind="stable"), np.argsort(cols, kind="stable")
    ordered = matrix[row_order][:, col_order].T  # measurement-major, as the store sorts
    known = ~np.isnan(ordered)
    col_at, row_at = np.nonzero(known)
    count = len(col_at)
    return (
        rows[row_order][row_at],
        cols[col_order][col_at],
        np.full(count, table.start, np.int64),
        np.full(count, table.seconds, np.int64),
        ordered[known],
    )


def _dedupe(
    columns: list[np.ndarray], objects: list[str], measurements: list[str]
) -> tuple[list[np.ndarray], list[Conflict], int]:
    """Keep the first of rows with one key (columns sorted by key, stable); the conflicts."""
    keys = columns[:4]
    if len(keys[0]) < 2:
        return columns, [], 0
    same = np.ones(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        same &= key[1:] == key[:-1]
    if not same.any():
        return columns, [], 0
    repeat = np.concatenate(([False], same))
    first = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(repeat))))
    values = columns[4]
    clash = np.flatnonzero(repeat & (values != values[first]))
    listed = [
        Conflict(
            objects[int(columns[0][i])],
            measurements[int(columns[1][i])],
            dt.datetime.fromtimestamp(int(columns[2][i]), dt.UTC),
            int(columns[3][i]),
            float(values[first[i]]),
            float(values[i]),
        )
        for i in clash[:MAX_CONFLICTS].tolist()
    ]
    return [column[~repeat] for column in columns], listed, len(clash)


def build(tables: Sequence[PmTable], limits: IntakeLimits, now: float) -> Built:
    """One batch of every known value, names mapped to TS 28.552, sorted, each key once."""
    check_tables(tables, limits, now)
    mapped = [(table, *map_names(table.types, table.values)) for table in tables]
    objects = sorted({dn for table in tables for dn in table.objects})
    measurements = sorted({name for _, names, _ in mapped for name in names})
    ranks = ({dn: i for i, dn in enumerate(objects)}, {n: i for i, n in enumerate(measurements)})
    parts = [_part(table, names, matrix, ranks) for table, names, matrix in mapped]
    if not parts:
        parts = [(*(np.empty(0, np.int64) for _ in range(4)), np.empty(0, np.float64))]
    columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
    repeats = any(
        len(set(table.objects)) < len(table.objects) or len(set(names)) < len(names)
        for table, names, _ in mapped
    )
    conflicts: list[Conflict] = []
    count = 0
    if len(parts) > 1 or repeats:
        order = np.lexsort((columns[3], columns[2], columns[0], columns[1]))
        columns = [column[order] for column in columns]
        columns, conflicts, count = _dedupe(columns, objects, measurements)
    batch = SampleBatch(
        objects=objects,
        object_index=columns[0].astype(np.int64, copy=False),
        measurements=measurements,
        measurement_index=columns[1].astype(np.int64, copy=False),
        starts=columns[2].astype(np.int64, copy=False),
        seconds=columns[3].astype(np.int64, copy=False),
        values=columns[4].astype(np.float64, copy=False),
    )
    return Built(batch, tuple(conflicts), count)
