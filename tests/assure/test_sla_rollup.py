"""SLA compliance from hourly roll-ups against the raw evaluation of the same reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from test_sla import T0, document, find, store, window

from openipn.assure.sla import sla_report
from openipn.assure.sla_rollup import Stats, at_least, sla_from_rollups, sla_over, within
from openipn.store.telemetry.api import Retention, TelemetryStore

__all__ = ["store"]  # the fixture, shared with test_sla


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
