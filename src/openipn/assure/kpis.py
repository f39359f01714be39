"""The KPI engine: aggregate counters over objects and time, then evaluate the formula.

Counters are summed per time bucket over every object in scope BEFORE any division (TS 28.554
KPIs are ratios of sums, never means of ratios); gauges (TS 28.552 SI "Mean" counters) are
time-weighted means per object, summed over objects. Every row carries the term values it was
computed from, so a user can redo the arithmetic. Buckets are aligned to the epoch in UTC and
use event time (the reported period).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from openipn.assure.kpi_catalog import (
    BY_NAME,
    COUNTER_CLASS,
    Kpi,
    ScopeKind,
    Term,
    evaluate,
    parse,
    terms,
)
from openipn.assure.scopes import Scope
from openipn.store.telemetry.api import AggregateQuery, AggregateRow, Sample, TelemetryStore

UTC = dt.UTC


class Granularity(StrEnum):
    """Result buckets: 15 minutes, an hour, a day, or the whole range."""

    QUARTER = "15m"
    HOUR = "1h"
    DAY = "1d"
    ALL = "all"


BUCKET_SECONDS: dict[Granularity, int | None] = {
    Granularity.QUARTER: 900,
    Granularity.HOUR: 3600,
    Granularity.DAY: 86400,
    Granularity.ALL: None,
}
PER_OBJECT = frozenset({"gauge", "rate", "avail", "span"})  # terms needing per-object rows


class KpiError(ValueError):
    """Bad input to a KPI query, naming the parameter at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class KpiRow:
    """One bucket's value (None: no data or a zero denominator) and the terms behind it."""

    bucket_start: dt.datetime
    object: str
    value: float | None
    unit: str
    inputs: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiResult:
    """A KPI over a scope and time range."""

    kpi: Kpi
    object: str
    start: dt.datetime
    end: dt.datetime
    granularity: Granularity
    rows: list[KpiRow]


def kpi_by_name(name: str) -> Kpi:
    """The catalogue entry; KpiError listing the known names otherwise."""
    if name not in BY_NAME:
        raise KpiError("name", f"unknown KPI {name!r}; known: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def utc(moment: dt.datetime) -> dt.datetime:
    """A datetime in UTC (naive values are taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _epoch(moment: dt.datetime) -> int:
    return int(utc(moment).timestamp())


def check_range(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Both ends in UTC; KpiError when `from` is not before `to`."""
    start, end = utc(start), utc(end)
    if start >= end:
        raise KpiError("from", f"from ({start.isoformat()}) must be before to ({end.isoformat()})")
    return start, end


def _check_scope(kpi: Kpi, scope: Scope) -> None:
    if scope.kind == ScopeKind.SLICE and not kpi.sliceable:
        raise KpiError("object", f"KPI {kpi.name} has no per-slice (.SNSSAI) counters")
    if scope.kind not in kpi.scopes:
        kinds = ", ".join(sorted(k.value for k in kpi.scopes))
        raise KpiError("object", f"KPI {kpi.name} is not defined for {scope.label}; use {kinds}")


def counter_name(term: Term, scope: Scope) -> str:
    """The stored measurement name: the slice's `.SNSSAI` subcounter for a slice scope."""
    return f"{term.counter}.{scope.snssai}" if scope.snssai else term.counter


@dataclass
class _Bucketed:
    """Aggregate rows by (bucket epoch, measurement)."""

    rows: dict[tuple[int, str], list[AggregateRow]] = field(
        default_factory=lambda: defaultdict(list)
    )
    nominal: dict[str, dict[str, float]] = field(default_factory=dict)  # measurement -> obj -> max


def _fetch(
    store: TelemetryStore,
    kpi: Kpi,
    scope: Scope,
    start: dt.datetime,
    end: dt.datetime,
    bucket_s: int | None,
) -> _Bucketed:
    groups: dict[tuple[tuple[str, ...] | None, bool], set[str]] = defaultdict(set)
    nominal: set[tuple[tuple[str, ...] | None, str]] = set()
    for term in terms(parse(kpi.formula)):
        cls = COUNTER_CLASS[term.counter]
        if not scope.applies(cls):
            continue
        objects, name = scope.objects(cls), counter_name(term, scope)
        groups[(objects, term.func in PER_OBJECT)].add(name)
        if term.func in ("avail", "span"):
            nominal.add((objects, name))
    out = _Bucketed()
    first = _epoch(start)
    for (objects, by_object), names in groups.items():
        query = AggregateQuery(sorted(names), start, end, objects, bucket_s, by_object)
        for row in store.aggregate(query):
            key = _epoch(row.bucket_start) if bucket_s else first
            out.rows[(key, row.measurement)].append(row)
    for objects, name in nominal:
        query = AggregateQuery([name], start, end, objects, None, True)
        out.nominal[name] = {str(r.object): r.maximum for r in store.aggregate(query)}
    return out


def _bucket_starts(start: dt.datetime, end: dt.datetime, bucket_s: int | None) -> list[int]:
    first, last = _epoch(start), _epoch(end)
    if bucket_s is None:
        return [first]
    return list(range(first - first % bucket_s, last, bucket_s))


def _span_seconds(bucket: int, bucket_s: int | None, start: int, end: int) -> int:
    """The part of a bucket inside the queried range."""
    stop = end if bucket_s is None else min(end, bucket + bucket_s)
    return max(0, stop - max(start, bucket))


def _term(
    term: Term, name: str, rows: Sequence[AggregateRow], data: _Bucketed, span: int, scope: Scope
) -> dict[str, float | None]:
    """A term's value plus the numbers it came from, keyed for display."""
    label = f"{term.func}({name})"
    if term.func == "span":
        members = scope.members.get(COUNTER_CLASS[term.counter])
        count = len(members) if members else len(data.nominal.get(name, {}))
        return {label: float(count * span) if count else None}
    if not rows:
        return {label: None}
    total = sum(r.total for r in rows)
    count = sum(r.count for r in rows)
    if term.func == "sum":
        return {label: total}
    if term.func == "mean":
        return {f"sum({name})": total, f"count({name})": count, label: total / count}
    if term.func == "gauge":
        return {label: sum(r.total / r.count for r in rows if r.count)}
    if term.func == "rate":
        seconds = max(r.seconds for r in rows)
        value = total / seconds if seconds else None
        return {f"sum({name})": total, f"seconds({name})": seconds, label: value}
    nominal = data.nominal.get(name, {})
    up = sum(
        r.total * (r.seconds / r.count) / nominal[str(r.object)]
        for r in rows
        if r.count and nominal.get(str(r.object))
    )
    return {label: up}


def compute(
    store: TelemetryStore,
    kpi: Kpi,
    scope: Scope,
    start: dt.datetime,
    end: dt.datetime,
    granularity: Granularity = Granularity.HOUR,
) -> KpiResult:
    """The KPI for a scope over [start, end) in buckets of the granularity."""
    start, end = check_range(start, end)
    _check_scope(kpi, scope)
    bucket_s = BUCKET_SECONDS[granularity]
    data = _fetch(store, kpi, scope, start, end, bucket_s)
    formula = parse(kpi.formula)
    used = [(t, counter_name(t, scope)) for t in terms(formula)]
    rows = []
    first, last = _epoch(start), _epoch(end)
    for bucket in _bucket_starts(start, end, bucket_s):
        span = _span_seconds(bucket, bucket_s, first, last)
        inputs: dict[str, float | None] = {}
        values: dict[Term, float | None] = {}
        for term, name in used:
            shown = _term(term, name, data.rows.get((bucket, name), ()), data, span, scope)
            inputs |= shown
            values[term] = shown[f"{term.func}({name})"]
            if values[term] is None and term.counter in kpi.optional:
                values[term] = 0.0
        value = evaluate(formula, values)
        moment = dt.datetime.fromtimestamp(bucket, UTC)
        rows.append(KpiRow(moment, scope.label, value, kpi.unit.value, inputs))
    return KpiResult(kpi, scope.label, start, end, granularity, rows)


def measurements(
    store: TelemetryStore,
    scope: Scope,
    names: Sequence[str] | None,
    start: dt.datetime,
    end: dt.datetime,
    limit: int = 10_000,
) -> list[Sample]:
    """Raw stored values of a scope's objects (a slice scope reads its `.SNSSAI` subcounters)."""
    start, end = check_range(start, end)
    if scope.snssai and names:
        names = [f"{n}.{scope.snssai}" for n in names]
    chosen = list(scope.dns.values())
    objects: list[str] | None = None
    if chosen and all(dns is not None for dns in chosen):
        objects = sorted({dn for dns in chosen if dns is not None for dn in dns})
    return store.samples(measurements=names, objects=objects, start=start, end=end, limit=limit)
