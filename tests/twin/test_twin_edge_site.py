"""The twin on a small site of its own: an edge UPF and MEC in a workshop."""

from __future__ import annotations

import datetime as dt

import pytest
from small_sites import edge_site

from openipn.twin.sim.alarms import AlarmEvent
from openipn.twin.sim.engine import Simulation, StepResult
from openipn.twin.sim.faults import Fault, impairments_at
from openipn.twin.sim.impairments import Impairments

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def warm(seed: int = 3, steps: int = 18) -> Simulation:
    """The edge site after three healthy minutes."""
    sim = Simulation(edge_site(), seed=seed, start=START)
    for _ in range(steps):
        sim.step(Impairments())
    return sim


def run(sim: Simulation, steps: int, *faults: Fault) -> list[StepResult]:
    """Steps under the faults."""
    imp = impairments_at(faults, sim.world)
    return [sim.step(imp) for _ in range(steps)]


def raised(results: list[StepResult], condition: str) -> list[AlarmEvent]:
    """Raise events of one alarm condition."""
    return [
        a for r in results for a in r.alarms if a.alarm_condition == condition and not a.cleared
    ]


@pytest.mark.parametrize(
    ("fault", "element"),
    [
        (Fault("f-upf", "upf_down", "upf:upf-ws"), "upf-ws"),
        (Fault("f-mec", "edge_node_down", "edge_node:mec-ws"), "mec-ws"),
    ],
)
def test_a_function_fault_spares_the_element_of_the_same_name(fault: Fault, element: str) -> None:
    results = run(warm(), 6, fault)
    assert all(element in r.reachable for r in results)  # still manageable: heartbeats go on
    nf = raised(results, "NF_UNAVAILABLE")
    assert [(a.source, a.object.rsplit("=", 1)[-1]) for a in nf] == [(element, element)]
    assert not raised(results, "LINK_DOWN")  # the server's ports stay up
