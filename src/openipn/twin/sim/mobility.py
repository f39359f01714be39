"""Mobility: AGVs drive routes inside their areas; terminals attach and hand over.

Cell selection and handover follow the A3 event of TS 38.331 §5.5.4.4 (neighbour better than
serving by an offset, with the cell individual offsets Ocn/Ocp, a hysteresis and a
time-to-trigger), evaluated once per step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, sample_in_polygon
from openipn.twin.sim.world import World

AGV_SPEED_MPS = (1.2, 1.8)  # drawn once per AGV
WAYPOINTS = 6
HYSTERESIS_DB = 3.0
TIME_TO_TRIGGER_S = 0.32  # rounded up to whole steps
HO_MIN_SINR_DB = -6.0  # below this the target cannot complete the handover (Qout ~ -8 dB)
RRC_MIN_SINR_DB = -6.0
RSRP_MIN_DBM = -120.0  # q-RxLevMin-like cell selection floor (TS 38.304 §5.2.3.2)
PCI_CONFUSION_DB = 6.0  # same-PCI cells this close cannot be told apart at setup
PCI_AMBIGUOUS_FAIL = 0.5  # the source prepares the wrong one of two same-PCI neighbours
PCI_RLF_SHARE = 0.3  # per step, share of terminals served under a PCI collision that lose the link


@dataclass
class Routes:
    """Closed routes of the moving terminals: waypoints, next waypoint, speed."""

    terminals: IntArray
    waypoints: FloatArray  # (m, W, 2)
    target: IntArray
    speed: FloatArray


def build_routes(world: World, rng: np.random.Generator) -> Routes:
    """A closed route of random waypoints inside each AGV's area, starting where it stands."""
    terms = world.terminals
    movers = np.flatnonzero(terms.mobile & (terms.area >= 0))
    waypoints = np.zeros((len(movers), WAYPOINTS, 2))
    for area in np.unique(terms.area[movers]).tolist():
        members = np.flatnonzero(terms.area[movers] == area)
        points = sample_in_polygon(rng, world.areas.polygons[area], members.size * WAYPOINTS)
        waypoints[members] = points.reshape(members.size, WAYPOINTS, 2)
    if len(movers):
        waypoints[:, 0] = terms.pos[movers, :2]
    speed = rng.uniform(*AGV_SPEED_MPS, size=len(movers))
    return Routes(movers, waypoints, np.ones(len(movers), np.int64) % WAYPOINTS, speed)


def advance(routes: Routes, pos: FloatArray, seconds: float) -> None:
    """Move every route terminal `seconds` along its route (in place)."""
    if not len(routes.terminals):
        return
    remaining = routes.speed * seconds
    rows = np.arange(len(routes.terminals))
    for _ in range(WAYPOINTS + 2):
        here = pos[routes.terminals, :2]
        goal = routes.waypoints[rows, routes.target]
        vector = goal - here
        dist = np.hypot(vector[:, 0], vector[:, 1])
        step = np.minimum(remaining, dist)
        unit = vector / np.maximum(dist, 1e-9)[:, None]
        pos[routes.terminals, :2] = here + unit * step[:, None]
        arrived = dist <= remaining
        routes.target = np.where(arrived, (routes.target + 1) % WAYPOINTS, routes.target)
        remaining = remaining - step
        if not (remaining > 1e-9).any():
            break


def ttt_steps(step_s: float) -> int:
    """Time-to-trigger in whole evaluation steps (at least one)."""
    return max(1, math.ceil(TIME_TO_TRIGGER_S / step_s))


@dataclass
class Attach:
    """Outcome of one step of cell selection and handover."""

    serving: IntArray  # cell index or -1
    connected: BoolArray
    ttt: IntArray
    rrc_cell: IntArray  # cell of each RRC setup attempt
    rrc_ok: BoolArray
    rrc_terminal: IntArray
    ho_terminal: IntArray
    ho_source: IntArray
    ho_target: IntArray
    ho_ok: BoolArray
    dropped: BoolArray  # lost the serving cell (radio link failure) this step
    new_connection: BoolArray  # connected this step by RRC setup


def pci_confusion(
    world: World, cand: IntArray, on: BoolArray, rsrp: FloatArray
) -> tuple[BoolArray, BoolArray]:
    """Per candidate: another radiating co-channel candidate has its PCI (any; and close)."""
    pci = world.cells.pci[cand]
    arfcn = world.cells.arfcn[cand]
    k = cand.shape[1]
    same = (pci[:, :, None] == pci[:, None, :]) & (arfcn[:, :, None] == arfcn[:, None, :])
    same &= ~np.eye(k, dtype=bool)[None, :, :] & on[:, None, :] & on[:, :, None]
    close = same & (np.abs(rsrp[:, :, None] - rsrp[:, None, :]) < PCI_CONFUSION_DB)
    return same.any(axis=2), close.any(axis=2)


def pci_ambiguous(world: World, source: IntArray, target: IntArray) -> BoolArray:
    """The target's PCI names another neighbour of the source too (or the source itself).

    The source maps the PCI a terminal reports to a cell through its neighbour relations
    (TS 38.300 §15.3, ANR); with two candidates it may prepare the wrong one.
    """
    cells = world.cells
    src = np.maximum(source, 0)
    same_carrier = cells.arfcn[src] == cells.arfcn[target]
    clash = same_carrier & (cells.pci[src] == cells.pci[target]) & (src != target)
    if cells.neighbours.shape[1]:
        others = cells.neighbours[src]
        valid = (others >= 0) & (others != target[:, None])
        twin = cells.pci[np.maximum(others, 0)] == cells.pci[target][:, None]
        twin &= cells.arfcn[np.maximum(others, 0)] == cells.arfcn[target][:, None]
        clash |= (valid & twin).any(axis=1)
    return np.asarray(clash & (source >= 0), dtype=bool)


def select_cells(
    world: World,
    cand: IntArray,
    rsrp: FloatArray,
    sinr: FloatArray,
    usable: BoolArray,
    cell_ok: BoolArray,
    serving: IntArray,
    connected: BoolArray,
    ttt: IntArray,
    may_attempt: BoolArray,
    chance: FloatArray,
    step_s: float,
    error_db: FloatArray | float = 0.0,
) -> Attach:
    """Keep, hand over, drop or set up each terminal's connection for this step.

    `error_db` is the measurement error of the compared quantities (per terminal and candidate).
    """
    rows = np.arange(len(cand))
    confused, close = pci_confusion(world, cand, usable, rsrp)
    eff = np.where(usable, rsrp + world.cells.cio[cand] + error_db, -np.inf)
    best = np.argmax(eff, axis=1)
    best_cell = cand[rows, best]
    best_ok = usable[rows, best]
    match = cand == serving[:, None]
    collided = (match & close).any(axis=1) & (chance < PCI_RLF_SHARE)  # reference signals clash
    alive = connected & (serving >= 0) & cell_ok[np.maximum(serving, 0)] & match.any(axis=1)
    alive &= ~collided
    s_eff = np.where(match.any(axis=1), np.max(np.where(match, eff, -np.inf), axis=1), -np.inf)
    trigger = alive & best_ok & (best_cell != serving) & (eff[rows, best] > s_eff + HYSTERESIS_DB)
    ttt = np.where(trigger, ttt + 1, 0)
    do_ho = trigger & (ttt >= ttt_steps(step_s))
    ambiguous = pci_ambiguous(world, serving, best_cell) & (chance >= 1.0 - PCI_AMBIGUOUS_FAIL)
    ho_ok = (sinr[rows, best] >= HO_MIN_SINR_DB) & ~confused[rows, best] & ~ambiguous
    failed = do_ho & ~ho_ok
    new_serving = np.where(do_ho & ho_ok, best_cell, np.where(alive, serving, -1))
    attempt = ~(alive & ~failed) & ~failed & may_attempt & best_ok
    rrc_ok = attempt & (sinr[rows, best] >= RRC_MIN_SINR_DB) & ~close[rows, best]
    ho_idx, att_idx = np.flatnonzero(do_ho), np.flatnonzero(attempt)
    return Attach(
        serving=np.where(rrc_ok, best_cell, new_serving),
        connected=(alive & ~failed) | rrc_ok,
        ttt=np.where(do_ho, 0, ttt),
        rrc_cell=best_cell[att_idx],
        rrc_ok=rrc_ok[att_idx],
        rrc_terminal=att_idx,
        ho_terminal=ho_idx,
        ho_source=serving[ho_idx],
        ho_target=best_cell[ho_idx],
        ho_ok=ho_ok[ho_idx],
        dropped=connected & ~alive,
        new_connection=rrc_ok,
    )
