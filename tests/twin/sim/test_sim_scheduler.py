"""PRB scheduling: delay-critical flows first, the others share what is left."""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import warm_plant

from openipn.twin.sim.scheduler import Schedule, schedule


def _one_cell(critical_bps: float, other_bps: float) -> tuple[np.ndarray, np.ndarray, Schedule]:
    world = warm_plant().world
    n = len(world.terminals.names)
    serving = np.zeros(n, np.int64)  # every terminal on cell 0
    first = np.arange(n) % 4 == 0
    demand = np.where(first, critical_bps, other_bps)
    link = (np.full(n, 2.0), np.full(n, 0.1))
    sched = schedule(world, serving, np.ones(n, bool), demand, link, "ul", first)
    return first, demand, sched


def test_delay_critical_flows_are_served_in_full_in_an_overloaded_cell() -> None:
    first, _, sched = _one_cell(1e5, 5e7)
    assert sched.utilisation[0] > 2.0  # the others ask for far more than the cell has
    assert np.all(sched.served[first] == 1.0)
    others = sched.served[~first]
    assert np.all(others == others[0]) and 0.0 < others[0] < 0.5  # an equal share of the rest
    assert sched.prbs.sum() == pytest.approx(sched.prb_used[0])  # every PRB is given out


def test_without_priority_flows_everyone_shares_alike() -> None:
    _, demand, sched = _one_cell(1e5, 5e7)
    world = warm_plant().world
    n = len(demand)
    flat = schedule(world, np.zeros(n, np.int64), np.ones(n, bool), demand,
                    (np.full(n, 2.0), np.full(n, 0.1)), "ul")  # fmt: skip
    assert np.all(flat.served == flat.served[0]) and flat.served[0] < 1.0
    assert flat.utilisation[0] == pytest.approx(sched.utilisation[0])


def test_a_cell_with_room_serves_everyone_in_full() -> None:
    _, _, sched = _one_cell(1e3, 1e3)
    assert sched.utilisation[0] < 1.0 and np.all(sched.served == 1.0)
