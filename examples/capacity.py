"""Capacity planning of an example network with the twin's own radio, traffic and scheduler.

`predict` runs the twin healthy at the busiest hour (09:00 site time, a full shift) for a few
seeds (terminal positions and shadow fading differ per seed) and keeps, per cell, the highest PRB
utilisation in each direction and, per UPF, the highest load; it also measures each area's
coverage on a 2 m grid (SS-RSRP and DL SINR against the loaded network), and each
terminal's share of packets within its application's latency budget over the steps in which it
had traffic to send (the twin's closed-form `reliability`), against the application's
reliability target. The generator adds gNBs to the areas whose cells the prediction finds too
busy, or whose cells serve terminals missing their application's target, until none is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from openipn.model.radio import Cell
from openipn.model.services import Application
from openipn.sitefile import parse_site_text
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, points_in_polygon
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.physics import cell_flags, radio_step
from openipn.twin.sim.service import Service

CELL_TARGET = 0.6  # planning target: below the 80 % limit, a margin for other seeds
CELL_LIMIT = 0.8  # no cell above 80 % PRB utilisation in the busiest hour
UPF_LIMIT = 0.7  # no UPF above 70 % load
SEEDS = (1, 2, 3, 4)
WARM_STEPS = 18  # three minutes: every terminal registered and in session
BUSY_STEPS = 30  # five minutes of the busiest hour
BUSY_LOCAL = dt.time(9, 0)  # mid-morning: every production class at full activity
GRID_M = 2.0
HEIGHT_M = 1.5  # terminal antenna height of the coverage grid
RSRP_MIN_DBM = -100.0
SINR_MIN_DB = 0.0


@dataclass(frozen=True)
class Prediction:
    """Busiest-hour load per cell and UPF, and coverage per area with radio."""

    cells: list[str]
    cell_area: list[str]
    dl: FloatArray  # per cell, DL PRB utilisation (mean over the steps), highest over seeds
    ul: FloatArray
    upfs: list[str]
    upf: FloatArray
    coverage: dict[str, tuple[float, float]]  # area: (share RSRP ok, share SINR ok)
    hotspot: FloatArray  # per cell, PRB-weighted centroid (x, y) of its terminals, worst seed
    apps: dict[str, tuple[float, float]]  # application: (worst terminal's share, target)
    missing: FloatArray  # per cell, terminal-steps below their application's target, all seeds

    def hotspots(self, limit: float = CELL_TARGET) -> list[tuple[str, tuple[float, float]]]:
        """Per area with a cell too busy or missing an SLA: the worst cell's area and hotspot."""
        load = np.maximum(self.dl, self.ul)
        worst: dict[str, int] = {}
        for c in np.argsort(-self.missing, kind="stable").tolist():
            if self.missing[c] > 0:  # serves terminals of an application below its target
                worst.setdefault(self.cell_area[c], c)
        for c in np.argsort(-load, kind="stable").tolist():
            if load[c] > limit:
                worst.setdefault(self.cell_area[c], c)
        spot = self.hotspot
        return [(a, (float(spot[c, 0]), float(spot[c, 1]))) for a, c in worst.items()]


def busy_start(timezone: str) -> dt.datetime:
    """A Monday at the busiest hour in the site's time zone, as UTC."""
    local = dt.datetime.combine(dt.date(2026, 3, 2), BUSY_LOCAL, ZoneInfo(timezone))
    return local.astimezone(dt.UTC)


@dataclass(frozen=True)
class Busy:
    """One seed's busiest-hour steps: the service and who wanted it, per step."""

    services: list[Service]
    wanted: list[BoolArray]
    serving: list[IntArray]


def _run(text: str, seed: int) -> tuple[Simulation, Busy]:
    document = parse_site_text(text)
    site = document.singleton("site")
    start = busy_start(str(getattr(site, "timezone", "UTC")))
    sim = Simulation(document, seed=seed, start=start)
    busy = Busy([], [], [])
    carry = sim._carry

    def keep(*args: object) -> object:
        result = carry(*args)  # type: ignore[arg-type]
        busy.services.append(result[0])
        busy.wanted.append(sim.wanted.copy())
        busy.serving.append(sim.serving.copy())
        return result

    sim._carry = keep  # type: ignore[method-assign,assignment]
    for _ in range(WARM_STEPS + BUSY_STEPS):
        sim.step(Impairments())
    w = WARM_STEPS
    return sim, Busy(busy.services[w:], busy.wanted[w:], busy.serving[w:])


def application_sla(
    sim: Simulation, busy: Busy, targets: dict[str, float]
) -> tuple[dict[str, float], FloatArray]:
    """Per application its worst terminal's mean share within budget; per cell the misses.

    A terminal meets its application's target when its mean share over the steps it had
    traffic reaches it (the platform's SLA rule for reliability, docs/sla.md).
    """
    world = sim.world
    app = world.terminals.app
    target = np.array([targets[name] for name in world.apps.names] + [1.0])[app]
    rel = np.stack([s.reliability for s in busy.services])
    wanted = np.stack(busy.wanted) & (app >= 0)
    steps = wanted.sum(axis=0)
    mean = np.where(steps > 0, (rel * wanted).sum(axis=0) / np.maximum(steps, 1), 1.0)
    failing = mean < target
    serving = np.stack(busy.serving)
    below = wanted & failing & (rel < target) & (serving >= 0)
    missing = np.bincount(serving[below], minlength=len(world.cells))
    shares = {
        name: float(mean[(app == a) & (steps > 0)].min(initial=1.0))
        for a, name in enumerate(world.apps.names)
    }
    return shares, missing.astype(np.float64)


def coverage(sim: Simulation, radio_areas: set[str]) -> dict[str, tuple[float, float]]:
    """Per area with cells: share of 2 m grid points with RSRP and DL SINR above the minima."""
    world = sim.world
    flags = cell_flags(world, Impairments(), sim.conn, sim.dl_util)
    result: dict[str, tuple[float, float]] = {}
    for a, name in enumerate(world.areas.names):
        if name not in radio_areas:
            continue
        polygon = world.areas.polygons[a]
        (x0, y0), (x1, y1) = polygon.min(axis=0), polygon.max(axis=0)
        gx, gy = np.meshgrid(np.arange(x0 + 1, x1, GRID_M), np.arange(y0 + 1, y1, GRID_M))
        inside = points_in_polygon(gx.ravel(), gy.ravel(), polygon)
        pos = np.stack([gx.ravel()[inside], gy.ravel()[inside]], axis=1)
        pos = np.column_stack([pos, np.full(len(pos), HEIGHT_M)])
        radio = radio_step(world, sim.tiles, pos, np.zeros(len(pos), np.int64), flags, [])
        ok = flags.serving_ok[radio.rx.cand]
        best = np.argmax(np.where(ok, radio.rsrp, -np.inf), axis=1)
        rows = np.arange(len(pos))
        rsrp, sinr = radio.rsrp[rows, best], radio.sinr[rows, best]
        result[name] = (float(np.mean(rsrp >= RSRP_MIN_DBM)), float(np.mean(sinr >= SINR_MIN_DB)))
    return result


def _hotspots(sim: Simulation, service: Service) -> FloatArray:
    """Per cell, the centroid of its terminals weighted by the PRBs they use (cell site if none)."""
    n_cells = len(sim.world.cells)
    served = sim.serving >= 0
    cell = sim.serving[served]
    weight = (service.ul.prbs + service.dl.prbs)[served] + 1e-6
    total = np.bincount(cell, weights=weight, minlength=n_cells)
    spot = sim.world.cells.pos[:, :2].copy()
    for axis in (0, 1):
        sums = np.bincount(cell, weights=weight * sim.pos[served, axis], minlength=n_cells)
        spot[:, axis] = np.where(total > 0, sums / np.maximum(total, 1e-12), spot[:, axis])
    return spot


def predict(text: str) -> Prediction:
    """The busiest-hour prediction of a site file, over every planning seed."""
    document = parse_site_text(text)
    cells = [c for c in document.objects("cells") if isinstance(c, Cell)]
    targets = {
        a.name: a.reliability_percent / 100.0
        for a in document.objects("applications")
        if isinstance(a, Application)
    }
    areas = {c.name: c.area or "" for c in cells}
    dl, ul, upf, cover, spots, sla, missing = [], [], [], [], [], [], []
    for seed in SEEDS:
        sim, busy = _run(text, seed)
        services = busy.services
        shares, misses = application_sla(sim, busy, targets)
        sla.append(shares)
        missing.append(misses)
        dl.append(np.mean([s.dl.utilisation for s in services], axis=0))
        ul.append(np.mean([s.ul.utilisation for s in services], axis=0))
        spots.append(_hotspots(sim, services[-1]))
        upf.append(np.mean([s.upf_load for s in services], axis=0))
        cover.append(coverage(sim, set(areas.values())))
    world = sim.world
    worst = np.argmax(np.maximum(np.array(dl), np.array(ul)), axis=0)
    return Prediction(
        cells=list(world.cells.names),
        cell_area=[areas[name] for name in world.cells.names],
        dl=np.max(dl, axis=0),
        ul=np.max(ul, axis=0),
        upfs=list(world.upfs.names),
        upf=np.max(upf, axis=0),
        coverage={a: (min(c[a][0] for c in cover), min(c[a][1] for c in cover)) for a in cover[0]},
        hotspot=np.stack(spots)[worst, np.arange(len(worst))],
        apps={name: (min(found[name] for found in sla), t) for name, t in targets.items()},
        missing=np.sum(missing, axis=0),
    )


def summary(title: str, prediction: Prediction) -> list[str]:
    """The plan's predicted coverage and capacity, one line per area and per UPF."""
    lines = [f"{title}: busiest hour ({BUSY_LOCAL:%H:%M}), seeds {list(SEEDS)}"]
    for area, (rsrp_ok, sinr_ok) in prediction.coverage.items():
        mine = [i for i, a in enumerate(prediction.cell_area) if a == area]
        lines.append(
            f"  {area:10s} {len(mine):2d} cells  coverage RSRP>={RSRP_MIN_DBM:.0f} dBm "
            f"{100 * rsrp_ok:5.1f} %  SINR>={SINR_MIN_DB:.0f} dB {100 * sinr_ok:5.1f} %  "
            f"max PRB DL {100 * prediction.dl[mine].max():4.0f} % "
            f"UL {100 * prediction.ul[mine].max():4.0f} %"
        )
    for name, load in zip(prediction.upfs, prediction.upf, strict=True):
        lines.append(f"  {name:10s} load {100 * load:4.1f} %")
    for name, (share, target) in prediction.apps.items():
        lines.append(
            f"  {name:18s} worst terminal within budget {100 * share:8.4f} % of packets "
            f"(target {100 * target:g} %)"
        )
    return lines
