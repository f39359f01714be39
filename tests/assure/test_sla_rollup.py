"""SLA compliance from hourly roll-ups against the raw evaluation of the same reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from test_sla import (
    IDLE,
    NAN,
    T0,
    Schedule,
    StoreOf,
    document,
    find,
    store,
    store_of,
    window,
    without_key,
)

from openipn.assure.sla import sla_report
from openipn.assure.sla_rollup import Stats, at_least, sla_from_rollups, sla_over, within
from openipn.store.telemetry.api import Retention, TelemetryStore

__all__ = ["store", "store_of"]  # the fixtures, shared with test_sla


def _agv(report: dict[str, Any]) -> dict[str, Any]:
    return find(report, "application", "agv-control")


def test_rollups_match_raw_where_hours_are_clean(store: TelemetryStore) -> None:
    raw = _agv(sla_report(document(), store, *window()))
    store.maintain(T0 + dt.timedelta(days=2), Retention())
    hourly = _agv(sla_from_rollups(document(), store, *window()))
    for target in ("latency", "bitrate"):  # bounded exactly by sum, minimum and maximum
        assert hourly[target]["reports"]["total"] == raw[target]["reports"]["total"]
        assert hourly[target]["reports"]["met"] == raw[target]["reports"]["met"]
        assert hourly[target]["terminals"]["failing"] == raw[target]["terminals"]["failing"]
    assert hourly["latency"]["no_service_reports"] == raw["latency"]["no_service_reports"] == 1
    assert hourly["latency"]["max_ms"] == raw["latency"]["max_ms"] == 12.0
    assert hourly["latency"]["p50_ms"] is None  # percentiles need raw reports
    # reliability 0.5 among 1s: the count is bounded, the per-terminal mean is exact
    reliability = hourly["reliability"]
    met = raw["reliability"]["reports"]["met"]
    assert reliability["reports"]["met"] <= met <= reliability["reports"]["met_at_most"]
    assert reliability["terminals"]["failing"] == raw["reliability"]["terminals"]["failing"]
    # one hour measured, not met: a terminal missed in it
    assert hourly["latency"]["intervals"]["measured"] == 1
    assert hourly["latency"]["intervals"]["met"] == 0


def test_long_windows_are_answered_from_rollups(store: TelemetryStore) -> None:
    start = T0 - dt.timedelta(days=29)
    report = sla_over(document(), store, start, start + dt.timedelta(days=30))
    assert report["method"] == "hourly" and report["reports"] == 12
    assert _agv(report)["latency"]["reports"]["met"] == 10
    assert sla_over(document(), store, *window())["method"] == "raw"


def _stats(values: list[float]) -> Stats:
    v = np.array([values])
    return Stats(np.array([len(values)]), v.sum(1), v.min(1), v.max(1))


@pytest.mark.parametrize(
    "values",
    [[1, 2, 3, 10], [5, 5, 5], [1, 20, 20, 20], [9, 11], [10, 10, 11, 30], [0, 0, 0, 50]],
)
def test_bounds_hold_the_true_count(values: list[float]) -> None:
    truth = sum(v <= 10 for v in values)
    (low,), (high,) = within(_stats(values), 10)
    assert low <= truth <= high
    (low,), (high,) = at_least(_stats(values), 10)
    assert low <= sum(v >= 10 for v in values) <= high


STEP = dt.timedelta(minutes=10)  # six reports an hour
HOURS = (T0, T0 + dt.timedelta(hours=3))
ON, OFF, DOWN = (5, "true"), (NAN, "false"), (NAN, "true")  # met; idle; active without service
CLEAN: Schedule = {  # every terminal-hour all active or all idle
    "agv-ws1-001": [ON] * 6 + [OFF] * 6 + [ON] * 6,  # switched off for the second hour
    "agv-ws1-002": [OFF] * 6 + [DOWN] * 6 + [ON] * 6,
    "agv-ws1-003": [OFF] * 18,
    "agv-ws1-004": [(5, None)] * 6 + [(NAN, None)] * 6 + [(12, None)] * 6,  # an older sender
}


def both(store: TelemetryStore) -> tuple[dict[str, Any], dict[str, Any]]:
    """agv-control from the raw reports, then from the hourly roll-ups."""
    raw = _agv(sla_report(document(), store, *HOURS))
    store.maintain(T0 + dt.timedelta(days=2), Retention())
    return raw, _agv(sla_from_rollups(document(), store, *HOURS))


def test_raw_and_hourly_agree_where_hours_are_all_active_or_all_idle(store_of: StoreOf) -> None:
    raw, hourly = both(store_of(CLEAN, STEP))
    for target in ("latency", "reliability", "bitrate"):
        met = raw[target]["reports"]["met"]
        assert hourly[target]["reports"]["total"] == raw[target]["reports"]["total"]
        assert hourly[target]["reports"]["met"] == hourly[target]["reports"]["met_at_most"] == met
        for key in ("evaluated", "met", "failing"):
            assert hourly[target]["terminals"][key] == raw[target]["terminals"][key]
    for key in ("terminals_reporting", "terminals_silent", "terminals_idle"):
        assert hourly[key] == raw[key]
    latency = hourly["latency"]
    assert latency["idle_reports"] == raw["latency"]["idle_reports"] > 0
    assert latency["no_service_reports"] == raw["latency"]["no_service_reports"] > 0
    assert hourly["terminals_idle"] == 1 and latency["max_ms"] == raw["latency"]["max_ms"]
    assert latency["intervals"]["measured"] == 3  # every hour had an evaluated report


def test_bounds_hold_where_hours_mix_idle_and_active(store_of: StoreOf) -> None:
    mixed: Schedule = {  # idle reports among active ones, some with a latency within budget
        "agv-ws1-001": [ON, (5, "false"), ON, ON, ON, DOWN] * 3,
        "agv-ws1-002": [(12, "true"), OFF, (30, "false"), ON, ON, ON] * 3,
        "agv-ws1-003": [(5, "false")] * 5 + [DOWN],  # served only while idle, then not
    }
    raw, hourly = both(store_of(mixed, STEP))
    for target in ("latency", "reliability", "bitrate"):
        counts, truth = hourly[target]["reports"], raw[target]["reports"]
        assert counts["total"] == truth["total"]
        assert counts["met"] <= truth["met"] <= counts["met_at_most"] <= counts["total"]
        failing = set(hourly[target]["terminals"]["failing"])
        assert failing >= set(raw[target]["terminals"]["failing"])  # never better than it was
    latency = hourly["latency"]
    assert latency["no_service_reports"] == raw["latency"]["no_service_reports"]
    idle = sum(r is not None and r[1] == "false" for rs in mixed.values() for r in rs)
    assert latency["idle_reports"] == raw["latency"]["idle_reports"] == idle


def test_a_bursty_terminal_is_judged_on_its_active_reports_alone(store_of: StoreOf) -> None:
    # Active in one report of six, always within budget; its idle reports carried a latency
    # beyond it, which the intake does not keep: the hourly figures are the raw ones.
    bursty: Schedule = {"agv-ws1-001": [ON] + [(50, "false")] * 5 + [ON] * 12}
    raw, hourly = both(store_of(bursty, STEP))
    for target in ("latency", "reliability"):
        counts = hourly[target]["reports"]
        assert counts["met"] == counts["met_at_most"] == raw[target]["reports"]["met"] == 13
        assert hourly[target]["terminals"]["failing"] == []
    assert hourly["latency"]["max_ms"] == raw["latency"]["max_ms"] == 5


def test_a_terminal_switched_off_for_an_hour_is_not_failing(store_of: StoreOf) -> None:
    off: Schedule = {"agv-ws1-001": CLEAN["agv-ws1-001"]}
    for result in both(store_of(off, STEP)):
        assert result["latency"]["terminals"]["failing"] == []
        assert result["latency"]["reports"]["share"] == 1.0
    for result in both(store_of(without_key(off), STEP)):  # the same hour, not said idle
        assert result["latency"]["terminals"]["failing"] == ["agv-ws1-001"]


def test_a_terminal_only_idle_is_listed_as_idle_in_both_paths(store_of: StoreOf) -> None:
    for result in both(store_of({"agv-ws1-003": IDLE["agv-ws1-003"]}, STEP)):
        assert (result["terminals_reporting"], result["terminals_idle"]) == (1, 1)
        assert result["latency"]["terminals"]["evaluated"] == 0
        assert result["latency"]["reports"]["total"] == 0
        assert result["latency"]["intervals"]["measured"] == 0
