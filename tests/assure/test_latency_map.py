"""Latency circles against hand-built reports: grid, per-cell figures, honest coverage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from test_sla import (
    LATENCY,
    MINUTE,
    NAN,
    T0,
    StoreOf,
    document,
    store_of,
    values,
    without_key,
    write,
)

from openipn.assure.latency_map import (
    Grid,
    MapError,
    UnknownApplicationError,
    inside,
    latency_map,
)
from openipn.store.telemetry.api import TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

END = T0 + 10 * MINUTE
__all__ = ["store_of"]  # the fixture, shared with test_sla


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TelemetryStore]:
    """Four report intervals of three agv-control terminals (see test_sla)."""
    made = open_telemetry_store(tmp_path / "telemetry")
    for k in range(4):
        write(made, T0 + (k + 1) * MINUTE, {name: values(name, k) for name in LATENCY})
    try:
        yield made
    finally:
        made.close()


def test_point_in_polygon_on_a_concave_shape() -> None:
    ell = [(0.0, 0.0), (20.0, 0.0), (20.0, 10.0), (10.0, 10.0), (10.0, 20.0), (0.0, 20.0)]
    x = np.array([5.0, 15.0, 15.0, 5.0, 25.0])
    y = np.array([5.0, 5.0, 15.0, 15.0, 5.0])
    assert inside(ell, x, y).tolist() == [True, True, False, True, False]


def test_grid_keeps_only_cells_inside_the_area() -> None:
    triangle = [(0.0, 0.0), (40.0, 0.0), (0.0, 40.0)]
    grid = Grid.over(triangle, 10.0)
    assert (grid.rows, grid.columns) == (4, 4)
    assert int(grid.centres_inside(triangle).sum()) == 6  # 4 + 3 + 2 + 1 minus the diagonal
    with pytest.raises(MapError, match="larger cell_m"):
        Grid.over(triangle, 0.01)


def test_latency_circles_of_an_application(store: TelemetryStore) -> None:
    result = latency_map(document(), store, "agv-control", T0, END, cell_m=20.0)
    (ws1,) = result["areas"]
    grid = ws1["grid"]
    assert (len(grid["rows"]), grid["columns"]) == (3, 4)  # WS1 is 80 m x 60 m
    assert grid["origin"] == {"x_m": 0.0, "y_m": 0.0}
    good, mixed, far = grid["rows"][0][0], grid["rows"][0][1], grid["rows"][2][3]
    assert (good["count"], good["met"], good["p95_ms"]) == (4, True, 5.0)
    assert (mixed["count"], mixed["within_budget"], mixed["no_service"]) == (4, 2, 1)
    assert (mixed["max_ms"], mixed["met"]) == (12.0, False)
    assert (far["count"], far["met"]) == (3, True)
    assert grid["rows"][1][1] == {"count": 0}
    assert ws1["reports"] == 11  # the report from outside WS1 is left out
    assert ws1["coverage"] == {
        "cells": 12,
        "measured": 3,
        "met": 2,
        "unmeasured": 9,
        "met_share_of_measured": round(2 / 3, 6),
        "unmeasured_share": 0.75,
        "met_share_of_area": round(2 / 12, 6),
    }
    assert result["coverage"]["cells"] == 12 and result["terminals"] == 6


def test_nothing_measured_is_not_met(store: TelemetryStore) -> None:
    result = latency_map(document(), store, "motion-control", T0, END, cell_m=20.0)
    coverage = result["coverage"]
    assert (coverage["measured"], coverage["met"], coverage["unmeasured_share"]) == (0, 0, 1.0)
    assert coverage["met_share_of_measured"] is None


def test_bad_requests_name_the_problem(store: TelemetryStore) -> None:
    with pytest.raises(UnknownApplicationError, match="no application named 'nope'"):
        latency_map(document(), store, "nope", T0, END)
    with pytest.raises(MapError, match="cell_m"):
        latency_map(document(), store, "agv-control", T0, END, cell_m=0)
    with pytest.raises(MapError, match="after"):
        latency_map(document(), store, "agv-control", END, T0)


def test_time_window_selects_reports(store: TelemetryStore) -> None:
    late = T0 + 3 * MINUTE  # only the fourth interval: agv-ws1-003 is outside WS1 then
    result = latency_map(document(), store, "agv-control", late, END, cell_m=20.0)
    rows = result["areas"][0]["grid"]["rows"]
    assert rows[2][3] == {"count": 0} and rows[0][1]["no_service"] == 1


def test_idle_reports_are_not_placed(store_of: StoreOf) -> None:
    idle = {"agv-ws1-001": [(5, "true"), (NAN, "false"), (NAN, "false"), (5, "true")]}
    said, unsaid = (
        latency_map(document(), store_of(s, MINUTE), "agv-control", T0, END, cell_m=20.0)
        for s in (idle, without_key(idle))
    )
    (area,), (old,) = said["areas"], unsaid["areas"]
    cell = area["grid"]["rows"][0][0]  # every report at (10, 10)
    assert (cell["count"], cell["no_service"], cell["met"]) == (2, 0, True)
    assert (area["reports"], area["idle_reports"]) == (2, 2)
    old_cell = old["grid"]["rows"][0][0]
    assert (old_cell["count"], old_cell["no_service"], old_cell["met"]) == (4, 2, False)
    assert old["idle_reports"] == 0
