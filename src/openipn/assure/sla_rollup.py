"""SLA compliance over long windows from hourly roll-ups of the terminal reports (docs/sla.md).

Per terminal and hour the store keeps, for each `VS.Ue…` series, the number of values, their
sum, minimum and maximum. From those, the reports meeting a threshold are known exactly when
an hour is all-met (maximum within) or all-missed (minimum beyond); otherwise they are bounded
by the sum: with c values of sum s, minimum lo and maximum hi against a limit b, the misses k
satisfy (s − c·b)/(hi − b) ≤ k < (s − c·lo)/(b − lo). `met` is the lower bound (an SLA never
looks better than it was) and `met_at_most` the upper one.

Reports of an idle terminal (`active` false) are not evaluated. Per terminal-hour `VS.UeActive`
gives their number exactly (count − sum: the flags carried, less the active ones), and they carry
no service values (the intake drops them), so idle reports change no bound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from openipn.assure.sla import Group, groups, share, sla_report
from openipn.codecs.terminal_report import TERMINAL_SERIES, TerminalKey
from openipn.model.dn import TERMINAL_PREFIX
from openipn.model.document import SiteDocument
from openipn.store.telemetry.api import AggregateArrays, AggregateQuery, TelemetryStore

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

HOUR_S = 3600
RAW_WINDOW = dt.timedelta(hours=2)  # up to this, every raw report is read (exact percentiles)
FAILING_LISTED = 20
LATENCY = TERMINAL_SERIES[TerminalKey.LATENCY_MS]
RELIABILITY = TERMINAL_SERIES[TerminalKey.RELIABILITY]
DL_BPS = TERMINAL_SERIES[TerminalKey.DL_BPS]
UL_BPS = TERMINAL_SERIES[TerminalKey.UL_BPS]
REGISTERED = TERMINAL_SERIES[TerminalKey.REGISTERED]  # in every report: counts the reports
ACTIVE = TERMINAL_SERIES[TerminalKey.ACTIVE]  # 1 / 0 when reported: count − sum are idle
SERIES = (LATENCY, RELIABILITY, DL_BPS, UL_BPS, REGISTERED, ACTIVE)


@dataclass(frozen=True)
class Stats:
    """One series per (terminal, hour): count, sum, minimum, maximum (NaN where none)."""

    count: IntArray
    total: FloatArray
    minimum: FloatArray
    maximum: FloatArray

    def padded(self, reports: IntArray) -> Stats:
        """The reports without a value counted as 0 (reliability, bit rates)."""
        missing = reports > self.count
        zero_min = np.where(missing, np.fmin(self.minimum, 0.0), self.minimum)
        zero_max = np.where(missing, np.fmax(self.maximum, 0.0), self.maximum)
        return Stats(reports, self.total, zero_min, zero_max)


@dataclass(frozen=True)
class HourTable:
    """Per (terminal, hour): reports, covered seconds and the stats of each series."""

    terminals: list[str]
    terminal: IntArray
    hour: IntArray
    reports: IntArray
    seconds: IntArray
    series: dict[str, Stats]

    @property
    def idle(self) -> IntArray:
        """Reports of an idle terminal per row: flags carried less the active ones (exact)."""
        active = self.series[ACTIVE]
        return np.rint(active.count - np.nan_to_num(active.total)).astype(np.int64)

    def subset(self, rows: BoolArray) -> HourTable:
        """The rows selected (terminal indices unchanged)."""
        series = {
            name: Stats(st.count[rows], st.total[rows], st.minimum[rows], st.maximum[rows])
            for name, st in self.series.items()
        }
        return HourTable(
            self.terminals,
            self.terminal[rows],
            self.hour[rows],
            self.reports[rows],
            self.seconds[rows],
            series,
        )


def hour_table(arrays: AggregateArrays) -> HourTable:
    """Per (terminal, hour) rows of the terminal series (rows ordered by object, hour)."""
    new_object = np.ones(len(arrays), bool)
    new_object[1:] = arrays.object[1:] != arrays.object[:-1]
    names = arrays.object[new_object]
    is_terminal = np.array([str(o).startswith(TERMINAL_PREFIX) for o in names], bool)
    code = np.cumsum(new_object, dtype=np.int64) - 1
    keep = is_terminal[code] if len(code) else np.zeros(0, bool)
    terminal = np.searchsorted(np.flatnonzero(is_terminal), code[keep])
    index = {name: i for i, name in enumerate(arrays.measurements)}
    series = {
        name: Stats(
            arrays.count[index[name]][keep],
            arrays.total[index[name]][keep],
            arrays.minimum[index[name]][keep],
            arrays.maximum[index[name]][keep],
        )
        for name in SERIES
    }
    counts = np.stack([s.count for s in series.values()])
    reports = np.maximum(series[REGISTERED].count, counts.max(axis=0, initial=0))
    terminals = [str(o)[len(TERMINAL_PREFIX) :] for o in names[is_terminal]]
    hour, seconds = arrays.bucket[keep], arrays.seconds[keep]
    return HourTable(terminals, terminal, hour, reports, seconds, series)


def within(stats: Stats, limit: float) -> tuple[IntArray, IntArray]:
    """Bounds on how many values are ≤ limit, from count, sum, minimum and maximum."""
    c, s = stats.count.astype(np.float64), stats.total
    lo, hi = np.nan_to_num(stats.minimum, nan=np.inf), np.nan_to_num(stats.maximum, nan=-np.inf)
    all_met, none_met = (c > 0) & (hi <= limit), (c == 0) | (lo > limit)
    with np.errstate(divide="ignore", invalid="ignore"):
        k_max = np.where(limit > lo, np.floor((s - c * lo) / (limit - lo) - 1e-9), c - 1)
        k_min = np.ceil((s - c * limit) / (hi - limit) - 1e-9)
    k_max = np.clip(np.where(np.isnan(k_max), c - 1, k_max), 1, np.maximum(c - 1, 1))
    k_min = np.clip(np.where(np.isnan(k_min), 1, k_min), 1, np.maximum(c - 1, 1))
    lower = np.where(all_met, c, np.where(none_met, 0, c - k_max))
    upper = np.maximum(np.where(all_met, c, np.where(none_met, 0, c - k_min)), lower)
    return lower.astype(np.int64), upper.astype(np.int64)


def at_least(stats: Stats, limit: float) -> tuple[IntArray, IntArray]:
    """Bounds on how many values are ≥ limit (`within` on the negated values)."""
    negated = Stats(stats.count, -stats.total, -stats.maximum, -stats.minimum)
    return within(negated, -limit)


Bounds = tuple[IntArray, IntArray]  # (met at least, met at most) per (terminal, hour)


def _sum(values: IntArray) -> int:
    return int(values.sum())


def _intervals(table: HourTable, rows: BoolArray, bounds: Bounds) -> dict[str, Any]:
    """Hours in which the group reported; an hour meets the target when every report did."""
    hour, reports = table.hour[rows], table.reports[rows]
    hours, index = np.unique(hour, return_inverse=True)
    n = len(hours)
    short_low = np.bincount(index, weights=reports - bounds[0], minlength=n) == 0
    short_up = np.bincount(index, weights=reports - bounds[1], minlength=n) == 0
    span = np.zeros(n, np.int64)
    np.maximum.at(span, index, table.seconds[rows])
    return {
        "measured": n,
        "met": int(short_low.sum()),
        "met_at_most": int(short_up.sum()),
        "share": share(int(short_low.sum()), n),
        "seconds_measured": int(span.sum()),
        "seconds_met": int(span[short_low].sum()),
        "resolution_s": HOUR_S,
    }


def _terminals(
    table: HourTable, rows: BoolArray, low: FloatArray, high: FloatArray, target: float
) -> dict[str, Any]:
    """Terminals whose value (low and high bound per row, summed ÷ reports) reaches target."""
    terminal, size = table.terminal[rows], len(table.terminals)
    n = np.bincount(terminal, weights=table.reports[rows], minlength=size)
    present = np.flatnonzero(np.bincount(terminal, minlength=size))
    sure = np.bincount(terminal, weights=low, minlength=size)[present] >= target * n[present]
    maybe = np.bincount(terminal, weights=high, minlength=size)[present] >= target * n[present]
    return {
        "evaluated": len(present),
        "met": int(sure.sum()),
        "met_at_most": int(maybe.sum()),
        "share": share(int(sure.sum()), len(present)),
        "failing": [table.terminals[i] for i in present[~sure]][:FAILING_LISTED],
    }


def _criterion(table: HourTable, rows: BoolArray, bounds: Bounds, target: float) -> dict[str, Any]:
    low, high = bounds[0][rows], bounds[1][rows]
    total = _sum(table.reports[rows])
    return {
        "reports": {
            "total": total,
            "met": _sum(low),
            "met_at_most": _sum(high),
            "share": share(_sum(low), total),
            "share_at_most": share(_sum(high), total),
        },
        "intervals": _intervals(table, rows, (bounds[0][rows], bounds[1][rows])),
        "terminals": _terminals(table, rows, low.astype(float), high.astype(float), target),
    }


def _bitrate(group: Group, table: HourTable) -> Bounds | None:
    """Reports meeting the bit-rate target (a report without a rate counts as 0)."""
    t, reports = group.targets, table.reports
    dl, ul = table.series[DL_BPS].padded(reports), table.series[UL_BPS].padded(reports)
    if t.total_mbps > 0:  # UL + DL together: only all-met or all-missed hours are known
        both_min = np.nan_to_num(dl.minimum) + np.nan_to_num(ul.minimum)
        both_max = np.nan_to_num(dl.maximum) + np.nan_to_num(ul.maximum)
        lower = np.where(both_min >= t.total_mbps * 1e6, reports, 0)
        return lower, np.where(both_max >= t.total_mbps * 1e6, reports, 0)
    if t.ul_mbps <= 0 and t.dl_mbps <= 0:
        return None
    dl_low, dl_up = at_least(dl, t.dl_mbps * 1e6) if t.dl_mbps > 0 else (reports, reports)
    ul_low, ul_up = at_least(ul, t.ul_mbps * 1e6) if t.ul_mbps > 0 else (reports, reports)
    return np.maximum(dl_low + ul_low - reports, 0), np.minimum(dl_up, ul_up)


def _latency_stats(table: HourTable, idle: IntArray) -> dict[str, Any]:
    """No service, idle reports, mean and maximum latency of the evaluated reports (exact)."""
    stats = table.series[LATENCY]
    count, total = _sum(stats.count), float(np.nan_to_num(stats.total).sum())
    known = stats.maximum[stats.count > 0]
    return {
        "no_service_reports": _sum(table.reports) - count,
        "idle_reports": _sum(idle),
        "mean_ms": round(total / count, 3) if count else None,
        "p50_ms": None,  # percentiles need the raw reports: ask for a window of 2 h or less
        "p95_ms": None,
        "p99_ms": None,
        "max_ms": round(float(known.max()), 3) if len(known) else None,
    }


def evaluate(group: Group, table: HourTable) -> dict[str, Any]:
    """One group's compliance from the hourly table (bounds where hours are mixed).

    Idle reports carry no service values (the intake drops them, collect/terminals.py), so
    every value of a terminal-hour is an evaluated report's: its evaluated reports are the
    reports less the idle ones, and the bounds are those of any hour.
    """
    index = {name: i for i, name in enumerate(table.terminals)}
    members = np.array([index[t] for t in group.terminals if t in index], np.int64)
    table = table.subset(np.isin(table.terminal, members))  # bounds of the group's rows only
    idle = table.idle
    counted = table.reports - idle
    keep = counted > 0
    scored = replace(table.subset(keep), reports=counted[keep])
    rows = np.ones(len(scored.terminal), bool)
    target = group.targets.reliability_percent / 100.0
    latency = within(scored.series[LATENCY], group.targets.latency_budget_ms)
    reliability = scored.series[RELIABILITY].padded(scored.reports)
    rel_mean = (reliability.total, reliability.total)  # exact: mean per terminal
    rel = _criterion(scored, rows, at_least(reliability, target), target)
    rel["terminals"] = _terminals(scored, rows, *rel_mean, target)
    bit = _bitrate(group, scored)
    idle_terminals = len(members) - len(np.unique(scored.terminal))
    return group.header(len(members), idle_terminals) | {
        "latency": _criterion(scored, rows, latency, target) | _latency_stats(scored, idle),
        "reliability": rel,
        "bitrate": None if bit is None else _criterion(scored, rows, bit, target),
    }


def sla_from_rollups(
    document: SiteDocument, store: TelemetryStore, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Compliance of every slice and application over [start, end) from hourly aggregates."""
    query = AggregateQuery(list(SERIES), start, end, None, HOUR_S, True)
    table = hour_table(store.aggregate_arrays(query))
    evaluated = [evaluate(g, table) for g in groups(document)]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "method": "hourly",
        "reports": _sum(table.reports),
        "slices": [e for e in evaluated if e["kind"] == "slice"],
        "applications": [e for e in evaluated if e["kind"] == "application"],
    }


def sla_over(
    document: SiteDocument,
    store: TelemetryStore,
    start: dt.datetime,
    end: dt.datetime,
    raw_window: dt.timedelta = RAW_WINDOW,
) -> dict[str, Any]:
    """Compliance over [start, end): from the raw reports up to `raw_window`, else hourly."""
    if end <= start:
        raise ValueError("the window's end must be after its start")
    if end - start <= raw_window:
        return sla_report(document, store, start, end)
    return sla_from_rollups(document, store, start, end)
