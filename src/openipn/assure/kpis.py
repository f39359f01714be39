"""The KPI engine: aggregate counters over objects and time, then evaluate the formula.

Counters are summed per time bucket over every object in scope BEFORE any division (TS 28.554
KPIs are ratios of sums, never means of ratios); gauges (TS 28.552 SI "Mean" counters) are
time-weighted means per object, summed over objects. Every row carries the term values it was
computed from, so a user can redo the arithmetic. Buckets are aligned to the epoch in UTC and
use event time (the reported period).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
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
from openipn.assure.subcounters import choose
from openipn.model.times import utc
from openipn.store.telemetry.api import (
    AggregateQuery,
    AggregateRow,
    Availability,
    AvailabilityQuery,
    AvailabilityRow,
    Sample,
    TelemetryStore,
)

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
PER_OBJECT = frozenset({"gauge", "rate"})  # terms needing per-object rows
AVAILABILITY = frozenset({"avail", "span"})  # terms the store answers per bucket (Availability)


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
    complete: bool = True  # False: the bucket reaches past the newest stored period or now


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
    """Aggregate rows by (bucket epoch, stored name), availability figures, subcounters used."""

    rows: dict[tuple[int, str], list[AggregateRow]] = field(
        default_factory=lambda: defaultdict(list)
    )
    availability: dict[str, Availability] = field(default_factory=dict)
    avail_rows: dict[tuple[int, str], AvailabilityRow] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)  # name -> subcounters read instead


Group = tuple[tuple[str, ...] | None, bool]  # (objects, one row per object)


def _groups(kpi: Kpi, scope: Scope) -> tuple[dict[Group, set[str]], dict[str, Group]]:
    """The stored names to aggregate per (objects, by_object), and the availability names."""
    groups: dict[Group, set[str]] = defaultdict(set)
    avail: dict[str, Group] = {}
    for term in terms(parse(kpi.formula)):
        cls = COUNTER_CLASS[term.counter]
        if not scope.applies(cls):
            continue
        key, name = (scope.objects(cls), term.func in PER_OBJECT), counter_name(term, scope)
        if term.func in AVAILABILITY:
            avail[name] = key
        else:
            groups[key].add(name)
    return groups, avail


def _fetch(
    store: TelemetryStore,
    kpi: Kpi,
    scope: Scope,
    start: dt.datetime,
    end: dt.datetime,
    bucket_s: int | None,
) -> _Bucketed:
    groups, avail = _groups(kpi, scope)
    out = _Bucketed()
    first = _epoch(start)

    def read(objects: tuple[str, ...] | None, by_object: bool, names: set[str]) -> set[str]:
        query = AggregateQuery(sorted(names), start, end, objects, bucket_s, by_object)
        found = set()
        for row in store.aggregate(query):
            key = _epoch(row.bucket_start) if bucket_s else first
            out.rows[(key, row.measurement)].append(row)
            found.add(row.measurement)
        return found

    for (objects, by_object), names in groups.items():
        missing = names - read(objects, by_object, names)
        _read_subcounters(store, out, missing, functools.partial(read, objects, by_object))
    for name, (objects, _) in avail.items():
        query = AvailabilityQuery(name, start, end, objects, bucket_s)
        found = out.availability[name] = store.availability(query)
        for row in found.rows:
            out.avail_rows[(_epoch(row.bucket_start) if bucket_s else first, name)] = row
    return out


def _read_subcounters(
    store: TelemetryStore, out: _Bucketed, missing: set[str], read: Callable[[set[str]], set[str]]
) -> None:
    """For each plain name without a value, read one family of its subcounters under its key."""
    for plain in sorted(missing):
        chosen = choose(plain, store.measurement_names(plain + "."))
        if chosen is None or not read(set(chosen.names)):
            continue
        out.shown[plain] = chosen.label
        for bucket, name in [k for k in out.rows if k[1] in chosen.names]:
            out.rows[(bucket, plain)].extend(out.rows.pop((bucket, name)))


def _bucket_starts(start: dt.datetime, end: dt.datetime, bucket_s: int | None) -> list[int]:
    first, last = _epoch(start), _epoch(end)
    if bucket_s is None:
        return [first]
    return list(range(first - first % bucket_s, last, bucket_s))


def _bucket_end(bucket: int, bucket_s: int | None, end: int) -> int:
    """The end of a bucket inside the queried range."""
    return end if bucket_s is None else min(end, bucket + bucket_s)


def _availability(
    term: Term, name: str, bucket: int, data: _Bucketed, scope: Scope
) -> float | None:
    """Up object-seconds (`avail`) or measured object-seconds (`span`) of a bucket."""
    found = data.availability.get(name)
    row = data.avail_rows.get((bucket, name))
    if row is None or found is None or not row.measured:
        return None
    if term.func == "avail":
        return row.up
    return float(_objects(term, scope, found) * row.measured)


def _objects(term: Term, scope: Scope, found: Availability) -> int:
    """Cells expected: those the model knows in scope (at least those that reported)."""
    members = scope.members.get(COUNTER_CLASS[term.counter]) or ()
    return max(len(members), found.objects)


def _term(
    term: Term, name: str, rows: Sequence[AggregateRow], data: _Bucketed
) -> tuple[str, dict[str, float | None]]:
    """A term's label and value plus the numbers it came from, keyed for display."""
    shown = data.shown.get(name, name)
    label = f"{term.func}({shown})"
    if not rows:
        return label, {label: None}
    total = sum(r.total for r in rows)
    count = sum(r.count for r in rows)
    if term.func == "sum":
        return label, {label: total}
    if term.func == "mean":
        return label, {f"sum({shown})": total, f"count({shown})": count, label: total / count}
    if term.func == "gauge":
        return label, {label: sum(r.total / r.count for r in rows if r.count)}
    seconds = max(r.seconds for r in rows)  # rate
    value = total / seconds if seconds else None
    return label, {f"sum({shown})": total, f"seconds({shown})": seconds, label: value}


def _avail_inputs(
    term: Term, name: str, bucket: int, data: _Bucketed, scope: Scope
) -> tuple[str, dict[str, float | None]]:
    """An availability term's label and value; `span` also shows measured time and cells."""
    label = f"{term.func}({name})"
    value = _availability(term, name, bucket, data, scope)
    found = data.availability.get(name)
    if term.func == "avail" or found is None:
        return label, {label: value}
    cells = float(_objects(term, scope, found))  # 0 for a scope without cells (a core DN)
    measured = value / cells if value is not None and cells else None
    return label, {f"measured_s({name})": measured, f"objects({name})": cells, label: value}


def horizon(store: TelemetryStore, now: dt.datetime | None = None) -> int:
    """Epoch seconds up to which buckets are complete: the newest stored period end or now."""
    moment = _epoch(now or dt.datetime.now(UTC))
    latest = store.latest_end()
    return moment if latest is None else min(moment, _epoch(latest))


def compute(
    store: TelemetryStore,
    kpi: Kpi,
    scope: Scope,
    start: dt.datetime,
    end: dt.datetime,
    granularity: Granularity = Granularity.HOUR,
    now: dt.datetime | None = None,
) -> KpiResult:
    """The KPI for a scope over [start, end) in buckets of the granularity.

    A row is `complete` when its bucket ends by the newest stored period end and by `now`
    (default: the wall clock); a later bucket is still being reported.
    """
    start, end = check_range(start, end)
    _check_scope(kpi, scope)
    bucket_s = BUCKET_SECONDS[granularity]
    data = _fetch(store, kpi, scope, start, end, bucket_s)
    formula = parse(kpi.formula)
    used = [(t, counter_name(t, scope)) for t in terms(formula)]
    rows = []
    last, done = _epoch(end), horizon(store, now)
    for bucket in _bucket_starts(start, end, bucket_s):
        inputs: dict[str, float | None] = {}
        values: dict[Term, float | None] = {}
        for term, name in used:
            if term.func in AVAILABILITY:
                label, shown = _avail_inputs(term, name, bucket, data, scope)
            else:
                label, shown = _term(term, name, data.rows.get((bucket, name), ()), data)
            inputs |= shown
            values[term] = shown[label]
            if values[term] is None and term.counter in kpi.optional:
                values[term] = 0.0
        value = evaluate(formula, values)
        moment = dt.datetime.fromtimestamp(bucket, UTC)
        complete = _bucket_end(bucket, bucket_s, last) <= done
        rows.append(KpiRow(moment, scope.label, value, kpi.unit.value, inputs, complete))
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
