"""The per-terminal view a step hands back: state, service and the terminal's own measurements."""

from __future__ import annotations

import numpy as np

from openipn.twin.sim.core import CoreState
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray
from openipn.twin.sim.measure import Measured
from openipn.twin.sim.results import TerminalView
from openipn.twin.sim.service import Service
from openipn.twin.sim.world import World


def terminal_view(
    world: World,
    serving: IntArray,
    connected: BoolArray,
    pos: FloatArray,
    core: CoreState,
    svc: Service,
    measured: Measured,
    wanted: BoolArray,
) -> TerminalView:
    """Copies of the step's per-terminal arrays (the simulation keeps changing its own)."""
    with np.errstate(invalid="ignore"):
        worst = np.fmax(svc.latency_ul_ms, svc.latency_dl_ms)
    return TerminalView(
        names=world.terminals.names,
        cell_names=world.cells.names,
        cell=np.where(connected, serving, -1),
        slice=world.terminals.slice,
        x=pos[:, 0].copy(),
        y=pos[:, 1].copy(),
        connected=connected.copy(),
        registered=core.registered.copy(),
        session=core.session.copy(),
        active=wanted.copy(),
        latency_ms=worst,
        latency_ul_ms=svc.latency_ul_ms,
        latency_dl_ms=svc.latency_dl_ms,
        reliability=svc.reliability,
        throughput_dl_bps=svc.served_dl_bps,
        throughput_ul_bps=svc.served_ul_bps,
        rsrp_dbm=measured.rsrp_dbm,
        rsrq_db=measured.rsrq_db,
        sinr_db=measured.sinr_db,
        nbr_pci=measured.nbr_pci,
        nbr_rsrp_dbm=measured.nbr_rsrp_dbm,
    )
