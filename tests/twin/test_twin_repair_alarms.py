"""A repaired switch or link brings its gNBs back without a spurious interference alarm."""

from __future__ import annotations

import datetime as dt

import pytest
from small_sites import two_halls_site

from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import Fault, impairments_at
from openipn.twin.sim.impairments import Impairments

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CONDITION = "HIGH_UL_INTERFERENCE"


def interference_alarms(fault: Fault, seed: int) -> list[int]:
    """Steps raising the interference alarm: 5 healthy minutes, 5 under the fault, 5 after."""
    sim = Simulation(two_halls_site(), seed=seed, start=START)
    faulty = impairments_at([fault], sim.world)
    raised = []
    for step in range(90):
        result = sim.step(faulty if 30 <= step < 60 else Impairments())
        if any(a.alarm_condition == CONDITION and not a.cleared for a in result.alarms):
            raised.append(step)
    return raised


@pytest.mark.parametrize(
    "fault",
    [
        Fault("f-link", "transport_link_down", "link:l-gnb1"),
        Fault("f-ws1", "transport_link_down", "link:l-ws1"),
        Fault("f-switch", "switch_down", "transport_node:sw-ws1"),
    ],
    ids=lambda f: f.id,
)
@pytest.mark.parametrize("seed", [3, 11])
def test_no_interference_alarm_after_a_transport_repair(fault: Fault, seed: int) -> None:
    assert interference_alarms(fault, seed) == []


def test_real_interference_still_raises_the_alarm() -> None:
    raised = interference_alarms(Fault("f-intf", "interference", "cell:c1"), seed=3)
    assert raised and 30 < raised[0] < 60  # raised while the interference lasts
