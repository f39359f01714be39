"""PTP state: how long each node has run without a reference, and the grandmaster's class."""

from __future__ import annotations

import numpy as np

from openipn.twin.sim.conditions import HOLDOVER_S
from openipn.twin.sim.geometry import FloatArray
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.network import Connectivity
from openipn.twin.sim.world import World

GM_CLASS_LOCKED = 6  # ITU-T G.8275.1 clockClass: locked to a PRTC
GM_CLASS_HOLDOVER = 7  # in holdover, within specification
GM_CLASS_FREE_RUN = 248  # default / free-running


class Clocks:
    """Tracks when gNBs, bridges and grandmasters lost their PTP reference."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.since: dict[str, float] = {}

    def track(
        self, conn: Connectivity, imp: Impairments, now: float, step_s: float
    ) -> dict[str, float]:
        """Seconds each node has been without a PTP reference (nodes with one are absent)."""
        world = self.world
        lost = [
            *(
                n
                for i, n in enumerate(world.gnbs.names)
                if conn.gnb_up[i] and not conn.gnb_synced[i]
            ),
            *(
                n
                for i, n in enumerate(world.transport.names)
                if conn.transport_up[i] and not conn.transport_synced[i]
            ),
            *(
                n
                for i, n in enumerate(world.grandmasters.names)
                if conn.gm_up[i] and n in imp.ptp_lost
            ),
        ]
        self.since = {n: self.since.get(n, now - step_s) for n in lost}
        return {n: now - t for n, t in self.since.items()}

    def classes(self, unsynced: dict[str, float]) -> FloatArray:
        """Each grandmaster's clockClass: locked, in holdover, or free-running after it."""
        classes = []
        for name in self.world.grandmasters.names:
            seconds = unsynced.get(name)
            if seconds is None:
                classes.append(GM_CLASS_LOCKED)
            else:
                classes.append(GM_CLASS_HOLDOVER if seconds < HOLDOVER_S else GM_CLASS_FREE_RUN)
        return np.array(classes, dtype=np.float64)
