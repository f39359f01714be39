"""PRB scheduling per cell and direction: demand in PRBs against the PRBs the carrier has."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, bincount
from openipn.twin.sim.radio import rate_per_prb
from openipn.twin.sim.world import World

MIN_FREE_SHARE = 0.05  # a burst always gets some PRBs, even in a saturated cell


@dataclass
class Schedule:
    """One direction of one step: per cell PRB use, per terminal what it got."""

    prb_demand: FloatArray  # per cell, mean PRBs asked for
    prb_used: FloatArray  # per cell, mean PRBs used (<= available)
    utilisation: FloatArray  # per cell, demand / available (may exceed 1)
    utilisation_first: FloatArray  # per cell, PRB share the flows scheduled first use (<= 1)
    served: FloatArray  # per terminal, share of its demand carried
    prbs: FloatArray  # per terminal, mean PRBs allocated
    ue_thp_bps: FloatArray  # per terminal, rate while it has data (TS 28.552 UE throughput)


def schedule(
    world: World,
    serving: IntArray,
    active: BoolArray,
    demand_bps: FloatArray,
    link: tuple[FloatArray, FloatArray],
    direction: str,
    first: BoolArray | None = None,
) -> Schedule:
    """Priority, then proportional sharing of each cell's PRBs.

    `link` is each terminal's (spectral efficiency, BLER). Flows in `first` (delay-critical
    GBR, the lowest 5QI priority levels of TS 23.501 Table 5.7.4-1) are scheduled before the
    others; within each tier an over-subscribed cell gives every terminal the same share.
    """
    se, bler = link
    n_cells = len(world.cells)
    cell = np.maximum(serving, 0)
    rate = rate_per_prb(world, cell, se, direction) * (1.0 - bler)
    carried = active & (serving >= 0) & (rate > 0)
    need = np.where(carried, demand_bps / np.maximum(rate, 1.0), 0.0)
    top = np.zeros(len(need), bool) if first is None else first & carried
    available = world.cells.n_prb.astype(np.float64)
    ahead = bincount(cell, weights=np.where(top, need, 0.0), minlength=n_cells)
    rest = bincount(cell, weights=np.where(top, 0.0, need), minlength=n_cells)
    share_top = np.minimum(1.0, available / np.maximum(ahead, 1e-12))
    share_rest = np.minimum(1.0, np.maximum(available - ahead, 0.0) / np.maximum(rest, 1e-12))
    demand = ahead + rest
    utilisation = demand / available
    served = np.where(carried, np.where(top, share_top[cell], share_rest[cell]), 0.0)
    own = need / available[cell]
    others = np.clip(utilisation[cell] - own, 0.0, 1.0 - MIN_FREE_SHARE)
    thp = np.where(carried, rate * available[cell] * (1.0 - others), 0.0)
    return Schedule(
        prb_demand=demand,
        prb_used=np.minimum(demand, available),
        utilisation=utilisation,
        utilisation_first=np.minimum(ahead, available) / available,
        served=served,
        prbs=need * served,
        ue_thp_bps=thp,
    )
