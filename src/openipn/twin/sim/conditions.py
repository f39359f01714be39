"""Which alarm conditions hold, derived from the physical state of one step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.alarms import AlarmKind, Condition
from openipn.twin.sim.geometry import BoolArray, FloatArray
from openipn.twin.sim.naming import (
    cell_du_ldn,
    clock_ldn,
    cucp_ldn,
    element_ldn,
    function_ldn,
    port_ldn,
)
from openipn.twin.sim.network import Connectivity
from openipn.twin.sim.world import World

UPF_OVERLOAD_THRESHOLD = 0.9
UL_INTERFERENCE_RAISE_DB = 15.0  # on the smoothed rise over thermal noise ...
UL_INTERFERENCE_CLEAR_DB = 12.0  # ... with hysteresis, as gNBs filter such threshold alarms
HOLDOVER_S = 300.0  # time a clock stays within its phase budget without PTP (assumed)


@dataclass
class PhysicalState:
    """The parts of a step's state that alarms are derived from."""

    conn: Connectivity
    cells_out: BoolArray
    radiating: BoolArray
    ul_rise_db: FloatArray  # per cell: smoothed uplink interference + noise over thermal noise
    ul_alarmed: BoolArray  # per cell: the interference alarm holds from the previous step
    upf_load: FloatArray
    functions_failed: set[str]  # core functions, UPFs, edge nodes failed by a fault
    unsynced_s: dict[str, float]  # node -> seconds without PTP (gNBs, bridges, grandmasters)
    certificates_expired: set[str]


def conditions(world: World, state: PhysicalState) -> set[Condition]:
    """Every alarm condition holding now (whether or not its element can report it)."""
    found: set[Condition] = set()
    _cells(world, state, found)
    _gnbs(world, state, found)
    _links(world, state, found)
    _functions(world, state, found)
    _sync(world, state, found)
    for name in state.certificates_expired:
        if name in world.elements.index and state.conn.element_alive[world.elements.index[name]]:
            ldn = element_ldn(world, world.elements.index[name])
            found.add(Condition(AlarmKind.CERTIFICATE_EXPIRED, name, ldn, name))
    return found


def _gnb_element(world: World, gnb: int) -> str:
    return world.elements.names[int(world.gnbs.me[gnb])]


def _cells(world: World, state: PhysicalState, found: set[Condition]) -> None:
    gnb_up = state.conn.gnb_up[np.maximum(world.cells.gnb, 0)]
    for c in np.flatnonzero(state.cells_out & gnb_up).tolist():
        source = _gnb_element(world, int(world.cells.gnb[c]))
        found.add(
            Condition(
                AlarmKind.CELL_UNAVAILABLE, source, cell_du_ldn(world, c), world.cells.names[c]
            )
        )
    threshold = np.where(state.ul_alarmed, UL_INTERFERENCE_CLEAR_DB, UL_INTERFERENCE_RAISE_DB)
    noisy = state.radiating & gnb_up & (state.ul_rise_db > threshold)
    for c in np.flatnonzero(noisy).tolist():
        source = _gnb_element(world, int(world.cells.gnb[c]))
        found.add(
            Condition(
                AlarmKind.HIGH_UL_INTERFERENCE, source, cell_du_ldn(world, c), world.cells.names[c]
            )
        )


def _gnbs(world: World, state: PhysicalState, found: set[Condition]) -> None:
    if not world.amfs():
        return
    for g in np.flatnonzero(state.conn.gnb_up & (state.conn.gnb_amf < 0)).tolist():
        name = world.gnbs.names[g]
        found.add(
            Condition(
                AlarmKind.NG_INTERFACE_FAILURE, _gnb_element(world, g), cucp_ldn(world, g), name
            )
        )


def _links(world: World, state: PhysicalState, found: set[Condition]) -> None:
    for i in np.flatnonzero(state.conn.links_failed).tolist():
        link = world.links.names[i]
        for end in (world.links.a[i], world.links.b[i]):
            me = world.node_element.get(end, -1)
            if me < 0 or end in state.conn.nodes_box_dead or not state.conn.element_alive[me]:
                continue
            element = world.elements.names[me]
            found.add(Condition(AlarmKind.LINK_DOWN, element, port_ldn(world, element, link), link))


def _functions(world: World, state: PhysicalState, found: set[Condition]) -> None:
    for group, kinds in (
        (world.core, world.core.kind),
        (world.upfs, world.upfs.kind),
        (world.edges, world.edges.kind),
    ):
        for i, name in enumerate(group.names):
            me = int(group.me[i])
            if name not in state.functions_failed or me < 0 or not state.conn.element_alive[me]:
                continue
            element = world.elements.names[me]
            ldn = function_ldn(world, kinds[i], name)
            found.add(Condition(AlarmKind.FUNCTION_UNAVAILABLE, element, ldn, name))
    for u, name in enumerate(world.upfs.names):
        me = int(world.upfs.me[u])
        if me >= 0 and state.conn.upf_up[u] and state.upf_load[u] > UPF_OVERLOAD_THRESHOLD:
            element = world.elements.names[me]
            found.add(
                Condition(AlarmKind.UPF_OVERLOAD, element, function_ldn(world, "upf", name), name)
            )


def _sync(world: World, state: PhysicalState, found: set[Condition]) -> None:
    for node, seconds in state.unsynced_s.items():
        me = world.node_element.get(node, -1)
        if seconds < HOLDOVER_S or me < 0 or not state.conn.element_alive[me]:
            continue
        if node in state.conn.nodes_box_dead:
            continue
        element = world.elements.names[me]
        found.add(Condition(AlarmKind.LOSS_OF_SYNC, element, clock_ldn(world, element, node), node))
