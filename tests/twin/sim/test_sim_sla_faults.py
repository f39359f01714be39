"""Faults that degrade service rather than cut it make an application miss its SLA (issue 10).

The healthy plant meets every application's target (test_sim_shift); these faults, placed where
the application with the tightest budget is served, push the terminals they touch below it.
"""

from __future__ import annotations

import numpy as np
from sim_kit import baseline_and_fault, document, run, warm_plant

from openipn.model.services import Application
from openipn.twin.sim.faults import Fault

STEPS = 12


def _tightest() -> tuple[int, float]:
    """The application with the shortest latency budget: its index and reliability target."""
    apps = [a for a in document().objects("applications") if isinstance(a, Application)]
    tight = min(apps, key=lambda a: a.latency_budget_ms)
    return warm_plant().world.apps.index[tight.name], tight.reliability_percent / 100.0


def _its_busiest_cell() -> str:
    """The cell serving the most terminals of the tightest application."""
    app, _ = _tightest()
    view = run(warm_plant(), 1).last.terminals
    mine = (warm_plant().world.terminals.app == app) & (view.cell >= 0)
    return view.cell_names[int(np.bincount(view.cell[mine]).argmax())]


def _mean_reliability(fault: Fault) -> tuple[float, float]:
    """Mean reported reliability of the application's terminals on the cell, healthy and hit."""
    app, _ = _tightest()
    cell = _its_busiest_cell()
    base, hit = baseline_and_fault(fault, steps=STEPS)
    c = base.sim.world.cells.index[cell]
    mine = base.sim.world.terminals.app == app
    found = []
    for r in (base, hit):
        on = np.stack([(x.terminals.cell == c) & mine for x in r.results])
        rel = np.stack([x.terminals.reliability for x in r.results])
        found.append(float(rel[on].mean()) if on.any() else 0.0)
    return found[0], found[1]


def test_interference_on_its_cell_makes_the_tightest_application_miss() -> None:
    _, target = _tightest()
    cell = _its_busiest_cell()
    healthy, hit = _mean_reliability(Fault("i", "interference", f"cell:{cell}", {"level_db": 30.0}))
    assert healthy >= target > hit


def test_a_congested_transport_link_makes_it_miss() -> None:
    _, target = _tightest()
    world = warm_plant().world
    cell = world.cells.index[_its_busiest_cell()]
    gnb = world.gnbs.names[world.cells.gnb[cell]]
    link = next(
        n for i, n in enumerate(world.links.names) if gnb in (world.links.a[i], world.links.b[i])
    )
    healthy, hit = _mean_reliability(Fault("c", "transport_congestion", f"link:{link}", {}))
    assert healthy >= target > hit
