"""Slice and application SLA compliance from terminal reports (definitions in docs/sla.md).

Each report of a terminal (one per report interval, from the `VS.Ue…` history) is checked
against the targets of the terminal's application and slice. From those checks, per group:
the share of reports that meet a target, the share of report intervals in which every
reporting terminal met it (time), and the share of terminals that met it often enough (a
terminal meets the latency or bit-rate target when its share of reports meeting it is at least
the reliability target; the reliability target when its mean reported reliability reaches it).
A report without a latency (no service) counts as a miss, never as met. A report whose terminal
was idle by choice (`active` false: no traffic to send, or switched off) is not evaluated at
all: it is counted as idle, never as met or missed. A report without `active` is taken as active.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from openipn.codecs.terminal_report import TERMINAL_SERIES, TerminalKey
from openipn.model.dn import TERMINAL_PREFIX
from openipn.model.document import SiteDocument
from openipn.model.services import Application, Slice
from openipn.model.subscribers import SimProfile, Subscription, Terminal
from openipn.store.telemetry.api import Sample, TelemetryStore

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_SAMPLES = 2_000_000  # a larger window is refused: narrow from/to
FAILING_LISTED = 20
LATENCY = TERMINAL_SERIES[TerminalKey.LATENCY_MS]
RELIABILITY = TERMINAL_SERIES[TerminalKey.RELIABILITY]
DL_BPS = TERMINAL_SERIES[TerminalKey.DL_BPS]
UL_BPS = TERMINAL_SERIES[TerminalKey.UL_BPS]
X_M = TERMINAL_SERIES[TerminalKey.X_M]
Y_M = TERMINAL_SERIES[TerminalKey.Y_M]
ACTIVE = TERMINAL_SERIES[TerminalKey.ACTIVE]  # 1: traffic to send, 0: idle; absent: active
REGISTERED = TERMINAL_SERIES[TerminalKey.REGISTERED]  # in every report: makes each one a row


class WindowTooLargeError(ValueError):
    """The window holds more samples than one evaluation reads."""


@dataclass(frozen=True)
class ReportTable:
    """Terminal reports in a window as aligned columns; NaN where a value was not reported."""

    terminals: list[str]  # names; `terminal` indexes this list
    terminal: IntArray
    start: IntArray  # period start, epoch seconds UTC
    seconds: IntArray
    columns: dict[str, FloatArray]  # by measurement name

    def __len__(self) -> int:
        return len(self.start)

    def column(self, name: str) -> FloatArray:
        """A measurement's values (all NaN when it was not loaded)."""
        return self.columns.get(name, np.full(len(self), np.nan))


def load_reports(
    store: TelemetryStore,
    measurements: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    terminals: Sequence[str] | None = None,
) -> ReportTable:
    """Pivot the terminals' samples into one row per (terminal, period start)."""
    objects = None if terminals is None else [TERMINAL_PREFIX + t for t in terminals]
    samples = store.samples(
        measurements=list(measurements), objects=objects, start=start, end=end, limit=MAX_SAMPLES
    )
    if len(samples) >= MAX_SAMPLES:
        raise WindowTooLargeError(f"more than {MAX_SAMPLES} samples in the window: narrow it")
    exact = frozenset(objects or ())  # a DN also selects the DNs below it: drop those
    keep = [
        s
        for s in samples
        if s.object.startswith(TERMINAL_PREFIX) and (terminals is None or s.object in exact)
    ]
    return _pivot(keep, measurements)


def _pivot(samples: Sequence[Sample], measurements: Sequence[str]) -> ReportTable:
    """One row per (object, period start); one column per measurement."""
    n = len(samples)
    epochs: dict[dt.datetime, int] = {}
    starts = np.fromiter(
        (
            epochs.get(s.start) or epochs.setdefault(s.start, int(s.start.timestamp()))
            for s in samples
        ),
        np.int64,
        n,
    )
    names, obj = np.unique([s.object[len(TERMINAL_PREFIX) :] for s in samples], return_inverse=True)
    kinds, kind = np.unique([s.measurement for s in samples], return_inverse=True)
    seconds = np.fromiter((s.seconds for s in samples), np.int64, n)
    values = np.fromiter((s.value for s in samples), np.float64, n)
    pairs = np.stack([obj.ravel().astype(np.int64), starts]).reshape(2, n)
    keys, row = np.unique(pairs, axis=1, return_inverse=True)
    row = row.ravel()
    span = np.zeros(keys.shape[1], np.int64)
    np.maximum.at(span, row, seconds)
    columns = {}
    for measurement in measurements:
        column = np.full(keys.shape[1], np.nan)
        found = np.flatnonzero(kinds == measurement)
        if len(found):
            mask = kind.ravel() == found[0]
            column[row[mask]] = values[mask]
        columns[measurement] = column
    return ReportTable([str(x) for x in names], keys[0], keys[1], span, columns)


@dataclass(frozen=True)
class Targets:
    """What a group promises each terminal; a bit-rate target of 0 means none."""

    latency_budget_ms: float
    reliability_percent: float
    ul_mbps: float = 0.0  # per direction (applications)
    dl_mbps: float = 0.0
    total_mbps: float = 0.0  # UL + DL together (a slice's guaranteed bit rate)


@dataclass(frozen=True)
class Group:
    """A slice or an application, its targets and the terminals that use it."""

    kind: str  # "slice" or "application"
    name: str
    slice: str
    targets: Targets
    terminals: tuple[str, ...]

    def header(self, reporting: int, idle: int) -> dict[str, Any]:
        """The group itself, how many terminals reported and how many of those were only idle."""
        return {
            "kind": self.kind,
            "name": self.name,
            "slice": self.slice,
            "targets": self.targets.__dict__,
            "terminals": len(self.terminals),
            "terminals_reporting": reporting,
            "terminals_silent": len(self.terminals) - reporting,
            "terminals_idle": idle,
        }


def terminal_slices(document: SiteDocument) -> dict[str, str]:
    """Each terminal's slice: its application's, else its SIM profile's first (as the twin)."""
    apps = {a.name: a for a in document.objects("applications") if isinstance(a, Application)}
    subs = {s.supi: s for s in document.objects("subscriptions") if isinstance(s, Subscription)}
    profiles = {p.name: p for p in document.objects("sim_profiles") if isinstance(p, SimProfile)}
    result = {}
    for t in document.objects("terminals"):
        if not isinstance(t, Terminal):
            continue
        app = apps.get(t.application or "")
        sub = subs.get(t.supi or "")
        profile = profiles.get(sub.profile or "") if sub is not None else None
        chosen = app.slice if app else (profile.slices[0] if profile else None)
        if chosen is not None:
            result[t.name] = chosen
    return result


def groups(document: SiteDocument) -> list[Group]:
    """Every slice and every application with its targets and terminals."""
    terminals = [t for t in document.objects("terminals") if isinstance(t, Terminal)]
    by_slice = terminal_slices(document)
    result = []
    for s in document.objects("slices"):
        if isinstance(s, Slice):
            sla = s.sla
            targets = Targets(
                sla.latency_budget_ms,
                sla.reliability_percent,
                total_mbps=sla.guaranteed_bitrate_mbps,
            )
            members = tuple(sorted(t for t, name in by_slice.items() if name == s.name))
            result.append(Group("slice", s.name, s.name, targets, members))
    for a in document.objects("applications"):
        if isinstance(a, Application):
            targets = Targets(
                a.latency_budget_ms, a.reliability_percent, a.bitrate_ul_mbps, a.bitrate_dl_mbps
            )
            members = tuple(sorted(t.name for t in terminals if t.application == a.name))
            result.append(Group("application", a.name, a.slice, targets, members))
    return result


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 6 places; None when whole is 0 (nothing to share)."""
    return round(part / whole, 6) if whole else None


def _counts(ok: BoolArray, interval: IntArray, seconds: IntArray) -> dict[str, Any]:
    """Reports and report intervals meeting a target (an interval: every report in it met)."""
    n_int = int(interval.max()) + 1 if len(interval) else 0
    misses = np.bincount(interval, weights=~ok, minlength=n_int)
    span = np.zeros(n_int, np.int64)
    np.maximum.at(span, interval, seconds)
    met_int = misses == 0
    return {
        "reports": {
            "total": len(ok),
            "met": int(ok.sum()),
            "share": share(int(ok.sum()), len(ok)),
        },
        "intervals": {
            "measured": n_int,
            "met": int(met_int.sum()),
            "share": share(int(met_int.sum()), n_int),
            "seconds_measured": int(span.sum()),
            "seconds_met": int(span[met_int].sum()),
        },
    }


def _terminals(met: BoolArray, names: list[str], evaluated: IntArray) -> dict[str, Any]:
    failing = [names[i] for i in evaluated[~met]]
    return {
        "evaluated": len(evaluated),
        "met": int(met.sum()),
        "share": share(int(met.sum()), len(evaluated)),
        "failing": failing[:FAILING_LISTED],
    }


def _criterion(
    ok: BoolArray, value: FloatArray, target: float, table: ReportTable, rows: BoolArray
) -> dict[str, Any]:
    """Counts of one target; `value` is what a terminal's compliance is judged on."""
    terminal, starts = table.terminal[rows], table.start[rows]
    _, interval = np.unique(starts, return_inverse=True)
    result = _counts(ok, interval.astype(np.int64), table.seconds[rows])
    present = np.unique(terminal)
    sums = np.bincount(terminal, weights=np.nan_to_num(value), minlength=len(table.terminals))
    n = np.bincount(terminal, minlength=len(table.terminals))
    per_terminal = sums[present] / n[present]
    result["terminals"] = _terminals(per_terminal >= target, table.terminals, present)
    return result


def idle_reports(table: ReportTable) -> BoolArray:
    """Reports whose terminal said it was idle (`active` 0); unknown (NaN) is active."""
    return np.asarray(table.column(ACTIVE) < 0.5)


def _latency_stats(latency: FloatArray, idle: int) -> dict[str, Any]:
    known = latency[~np.isnan(latency)]
    stats: dict[str, Any] = {"no_service_reports": int(len(latency) - len(known))}
    stats["idle_reports"] = idle
    for label, q in (("p50_ms", 50), ("p95_ms", 95), ("p99_ms", 99), ("max_ms", 100)):
        stats[label] = round(float(np.percentile(known, q)), 3) if len(known) else None
    return stats


def _bitrate_ok(group: Group, table: ReportTable, rows: BoolArray) -> BoolArray | None:
    t = group.targets
    dl, ul = table.column(DL_BPS)[rows], table.column(UL_BPS)[rows]
    if t.total_mbps > 0:
        return np.asarray(np.nan_to_num(dl) + np.nan_to_num(ul) >= t.total_mbps * 1e6)
    if t.ul_mbps > 0 or t.dl_mbps > 0:
        return np.asarray(
            (np.nan_to_num(dl) >= t.dl_mbps * 1e6) & (np.nan_to_num(ul) >= t.ul_mbps * 1e6)
        )
    return None


def evaluate(group: Group, table: ReportTable) -> dict[str, Any]:
    """One group's compliance over the reports in `table` (counts behind every share)."""
    index = {name: i for i, name in enumerate(table.terminals)}
    members = [index[t] for t in group.terminals if t in index]
    member_rows = np.isin(table.terminal, np.array(members, np.int64))
    idle = member_rows & idle_reports(table)
    rows = member_rows & ~idle  # the evaluated reports
    evaluated = len(np.unique(table.terminal[rows]))
    budget, target = group.targets.latency_budget_ms, group.targets.reliability_percent / 100.0
    latency = table.column(LATENCY)[rows]
    reliability = np.nan_to_num(table.column(RELIABILITY)[rows])
    lat_ok = np.nan_to_num(latency, nan=np.inf) <= budget
    rel_ok = reliability >= target
    result: dict[str, Any] = group.header(len(members), len(members) - evaluated) | {
        "latency": _criterion(lat_ok, lat_ok.astype(float), target, table, rows)
        | _latency_stats(latency, int(idle.sum())),
        "reliability": _criterion(rel_ok, reliability, target, table, rows),
    }
    bit_ok = _bitrate_ok(group, table, rows)
    result["bitrate"] = (
        None if bit_ok is None else _criterion(bit_ok, bit_ok.astype(float), target, table, rows)
    )
    return result


# REGISTERED so that a report carrying none of the others (no service) still counts as a miss.
SLA_MEASUREMENTS = (LATENCY, RELIABILITY, DL_BPS, UL_BPS, ACTIVE, REGISTERED)


def sla_report(
    document: SiteDocument, store: TelemetryStore, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Compliance of every slice and application over [start, end) in event time."""
    if end <= start:
        raise ValueError("the window's end must be after its start")
    table = load_reports(store, SLA_MEASUREMENTS, start, end)
    evaluated = [evaluate(g, table) for g in groups(document)]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "method": "raw",
        "reports": len(table),
        "slices": [e for e in evaluated if e["kind"] == "slice"],
        "applications": [e for e in evaluated if e["kind"] == "application"],
    }
