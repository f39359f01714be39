"""Latency circles: where on the floor an application met its latency budget.

Each area the application must work in is laid over a grid of square cells (`cell_m`, default
5 m) anchored at the area's lower-left corner. A grid cell belongs to the area when its centre
lies inside the polygon or it holds a report that does. Every report of the application's
terminals with a position inside the polygon falls in one grid cell; a grid cell meets the
budget when the share of its reports within the budget is at least the application's
reliability target (a report without service is a miss). A report of an idle terminal
(`active` false) is not placed: it is neither met nor missed, only counted per area. Cells
without reports are unmeasured: they count neither as met nor as missed, and their share is
given separately.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from openipn.assure.sla import (
    ACTIVE,
    LATENCY,
    X_M,
    Y_M,
    BoolArray,
    FloatArray,
    ReportTable,
    idle_reports,
    load_reports,
    share,
)
from openipn.model.document import SiteDocument
from openipn.model.services import Application
from openipn.model.site import Area
from openipn.model.subscribers import Terminal
from openipn.store.telemetry.api import TelemetryStore

DEFAULT_CELL_M = 5.0
MIN_CELL_M, MAX_CELL_M = 0.5, 1000.0  # finer than a terminal's position error is noise
MAX_GRID_CELLS = 250_000  # per area: a finer grid is refused
MAP_MEASUREMENTS = (LATENCY, X_M, Y_M, ACTIVE)  # ACTIVE: idle reports are not placed


class MapError(ValueError):
    """A latency map that cannot be drawn: bad window, grid too fine."""


class UnknownApplicationError(MapError):
    """No application of that name in the model."""


def inside(polygon: Sequence[tuple[float, float]], x: FloatArray, y: FloatArray) -> BoolArray:
    """Point-in-polygon by ray casting (even-odd rule), vectorised over the points."""
    result = np.zeros(len(x), bool)
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        result ^= crosses & (x < at_x)
    return result


@dataclass(frozen=True)
class Grid:
    """A grid over an area's bounding box; cell (r, c) spans origin + (c, r) * size."""

    origin_x: float
    origin_y: float
    cell_m: float
    rows: int
    columns: int

    @classmethod
    def over(cls, polygon: Sequence[tuple[float, float]], cell_m: float) -> Grid:
        """The grid covering a polygon's bounding box."""
        xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
        columns = max(1, math.ceil((max(xs) - min(xs)) / cell_m))
        rows = max(1, math.ceil((max(ys) - min(ys)) / cell_m))
        if rows * columns > MAX_GRID_CELLS:
            raise MapError(f"a {cell_m} m grid has {rows * columns} cells: use a larger cell_m")
        return cls(min(xs), min(ys), cell_m, rows, columns)

    def cell_of(self, x: FloatArray, y: FloatArray) -> Any:
        """Flat cell index of each point (clipped to the grid)."""
        col = np.clip(((x - self.origin_x) // self.cell_m).astype(np.int64), 0, self.columns - 1)
        row = np.clip(((y - self.origin_y) // self.cell_m).astype(np.int64), 0, self.rows - 1)
        return row * self.columns + col

    def centres_inside(self, polygon: Sequence[tuple[float, float]]) -> BoolArray:
        """Which cells have their centre inside the polygon (flat, row-major)."""
        cols, rows = np.meshgrid(np.arange(self.columns), np.arange(self.rows))
        cx = self.origin_x + (cols.ravel() + 0.5) * self.cell_m
        cy = self.origin_y + (rows.ravel() + 0.5) * self.cell_m
        return inside(polygon, cx.astype(float), cy.astype(float))


def _cell_stats(latency: FloatArray, budget: float, target: float) -> dict[str, Any]:
    known = latency[~np.isnan(latency)]
    met = int((known <= budget).sum())
    stats: dict[str, Any] = {"count": len(latency), "no_service": len(latency) - len(known)}
    for label, q in (("p50_ms", 50), ("p95_ms", 95), ("max_ms", 100)):
        stats[label] = round(float(np.percentile(known, q)), 3) if len(known) else None
    stats["within_budget"] = met
    stats["met"] = met / len(latency) >= target
    return stats


def area_map(
    area: Area, table: ReportTable, budget: float, target: float, cell_m: float
) -> dict[str, Any]:
    """The grid of one area with per-cell latency and the coverage figures."""
    polygon = [(float(x), float(y)) for x, y in area.polygon]
    grid = Grid.over(polygon, cell_m)
    x, y, latency = table.column(X_M), table.column(Y_M), table.column(LATENCY)
    placed = ~np.isnan(x) & ~np.isnan(y)
    placed[placed] = inside(polygon, x[placed], y[placed])
    idle = placed & idle_reports(table)
    placed &= ~idle  # an idle terminal's report is not evaluated
    cell = grid.cell_of(x[placed], y[placed])
    in_area = grid.centres_inside(polygon)
    in_area[cell] = True
    order = np.argsort(cell, kind="stable")
    cells, starts = np.unique(cell[order], return_index=True)
    groups = np.split(latency[placed][order], starts[1:]) if len(cells) else []
    stats = {int(c): _cell_stats(g, budget, target) for c, g in zip(cells, groups, strict=True)}
    rows = [
        [
            stats.get(r * grid.columns + c, {"count": 0}) if in_area[r * grid.columns + c] else None
            for c in range(grid.columns)
        ]
        for r in range(grid.rows)
    ]
    total, measured = int(in_area.sum()), len(stats)
    met = sum(1 for s in stats.values() if s["met"])
    return {
        "area": area.name,
        "grid": {
            "origin": {"x_m": grid.origin_x, "y_m": grid.origin_y},
            "cell_m": cell_m,
            "columns": grid.columns,
            "rows": rows,  # rows[0] is the lowest y; null: outside the area
        },
        "reports": int(placed.sum()),
        "idle_reports": int(idle.sum()),
        "coverage": _coverage(total, measured, met),
    }


def _coverage(total: int, measured: int, met: int) -> dict[str, Any]:
    return {
        "cells": total,
        "measured": measured,
        "met": met,
        "unmeasured": total - measured,
        "met_share_of_measured": share(met, measured),
        "unmeasured_share": share(total - measured, total),
        "met_share_of_area": share(met, total),
    }


def _application(document: SiteDocument, name: str) -> Application:
    for app in document.objects("applications"):
        if isinstance(app, Application) and app.name == name:
            return app
    raise UnknownApplicationError(f"no application named {name!r}")


def latency_map(
    document: SiteDocument,
    store: TelemetryStore,
    application: str,
    start: dt.datetime,
    end: dt.datetime,
    cell_m: float = DEFAULT_CELL_M,
) -> dict[str, Any]:
    """The latency circles of one application over [start, end) in event time."""
    if not MIN_CELL_M <= cell_m <= MAX_CELL_M:  # also refuses NaN
        raise MapError(f"cell_m must be between {MIN_CELL_M} and {MAX_CELL_M} m, not {cell_m}")
    if end <= start:
        raise MapError("the window's end must be after its start")
    app = _application(document, application)
    areas = {a.name: a for a in document.objects("areas") if isinstance(a, Area)}
    members = [
        t.name
        for t in document.objects("terminals")
        if isinstance(t, Terminal) and t.application == app.name
    ]
    table = load_reports(store, MAP_MEASUREMENTS, start, end, members) if members else None
    empty = ReportTable([], *(np.zeros(0, np.int64),) * 3, {})
    budget, target = app.latency_budget_ms, app.reliability_percent / 100.0
    maps = [
        area_map(areas[name], table or empty, budget, target, cell_m)
        for name in app.areas
        if name in areas
    ]
    totals = [sum(m["coverage"][k] for m in maps) for k in ("cells", "measured", "met")]
    return {
        "application": app.name,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "latency_budget_ms": budget,
        "reliability_percent": app.reliability_percent,
        "terminals": len(members),
        "areas": maps,
        "coverage": _coverage(*totals),
    }
