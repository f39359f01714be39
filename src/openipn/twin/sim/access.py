"""Background access failures and the RRC life of terminals: a healthy network is not perfect.

Per attempt, vectorised:
- RRC setup fails when Msg3/Msg4 (TS 38.321 §5.1.5, TS 38.331 §5.3.3) are not decoded at the
  cell edge (logistic in the DL SINR of the target cell), when two terminals pick the same
  contention-based preamble in one RACH occasion (slotted ALOHA: p = 1 - exp(-load), TS 38.321
  §5.1.2), when the cell rejects it under overload (RRCReject, TS 38.331 §5.3.15), or on the
  terminal's side (T300 expiry, TS 38.331 §7.1.1).
- A handover fails when the HO command is lost on a poor source link or the target's random
  access fails on a poor target link (TS 38.300 §9.2.3.2, T304 expiry), or on the UE's side.
- A NAS registration times out (T3510, TS 24.501 §10.2) on a poor link or on the UE's side.
- Measured A3 values carry L3-filtered measurement error (TS 38.133 §10.1 accuracy), so a
  terminal near a border hands back and forth (ping-pong).
Terminals whose class does not send all the time go RRC_IDLE between bursts (the data
inactivity timer, TS 38.321 §5.19, then RRCRelease) and set up RRC again for their next burst,
a paging (TS 38.300 §9.2.5) or a NAS procedure due (periodic registration, T3512). A few SIMs
of spare devices are never used.
"""

from __future__ import annotations

import numpy as np

from openipn.model.subscribers import TerminalType
from openipn.twin.sim.core import T3512_S, CoreState
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray
from openipn.twin.sim.mobility import HYSTERESIS_DB, Attach
from openipn.twin.sim.world import World

# Msg3/Msg4 decoding: 50 % failure at this DL SINR, logistic slope (dB per e-fold).
RRC_EDGE_SINR_DB = -4.0
RRC_EDGE_SLOPE_DB = 1.5
RRC_UE_SIDE = 0.0015  # T300 expiry for reasons of the terminal (moved, busy modem, reset)
# RACH: one PRACH occasion per 10 ms frame (a common prach-ConfigurationIndex, TS 38.211
# Table 6.3.3.2-3) and 64 preambles less 10 kept for contention-free access (TS 38.321 §5.1.1).
RACH_OCCASIONS_PER_S = 100.0
CBRA_PREAMBLES = 54.0
RA_PER_CONNECTED_S = 0.02  # other random access per connected UE (UL sync loss, SR failure)
RRC_REJECT_SHARE = 0.5  # share of the overload (offered / capacity - 1) rejected by RRCReject
# Handover: HO command on the source link, RACH/Msg3 on the target link (T304); both lost
# around the out-of-sync level (Qout: 10 % BLER of a hypothetical PDCCH, TS 38.133 §8.1.1).
HO_EDGE_SINR_DB = -8.0
HO_EDGE_SLOPE_DB = 1.0
HO_UE_SIDE = 0.002
# NAS registration: RLC ARQ protects it, so only a very poor link times it out.
NAS_EDGE_SINR_DB = -7.0
NAS_EDGE_SLOPE_DB = 1.5
NAS_UE_SIDE = 0.0015
A3_MEASUREMENT_SIGMA_DB = 1.0  # L3-filtered SS-RSRP error of one evaluation
# Spare devices: provisioned SIMs kept on a shelf, by terminal type (people's devices most).
SPARE_SHARE: dict[str, float] = {
    TerminalType.AR_HEADSET.value: 0.1,
    TerminalType.HANDHELD.value: 0.1,
    TerminalType.SENSOR.value: 0.02,
    TerminalType.AGV.value: 0.03,
}


def edge_failure(sinr_db: FloatArray, edge_db: float, slope_db: float) -> FloatArray:
    """Probability that a message is lost at this SINR (logistic around the edge value)."""
    return np.asarray(1.0 / (1.0 + np.exp(np.clip((sinr_db - edge_db) / slope_db, -50, 50))))


def either(*p: FloatArray | float) -> FloatArray:
    """Probability that at least one of independent failures happens."""
    ok = np.ones(1)
    for q in p:
        ok = ok * (1.0 - np.asarray(q, dtype=np.float64))
    return np.asarray(1.0 - ok)


def rach_collision(attempts: FloatArray, connected: FloatArray, step_s: float) -> FloatArray:
    """Per cell, probability that a contention-based preamble collides (slotted ALOHA)."""
    per_s = attempts / step_s + connected * RA_PER_CONNECTED_S
    load = per_s / RACH_OCCASIONS_PER_S / CBRA_PREAMBLES
    return np.asarray(1.0 - np.exp(-load))


def rrc_failure(
    sinr_db: FloatArray, cell: IntArray, collision: FloatArray, util: FloatArray
) -> FloatArray:
    """Per RRC setup attempt: edge decoding, preamble collision, overload reject, UE side."""
    reject = RRC_REJECT_SHARE * (1.0 - 1.0 / np.maximum(util[cell], 1.0))
    radio = edge_failure(sinr_db, RRC_EDGE_SINR_DB, RRC_EDGE_SLOPE_DB)
    return either(radio, collision[cell], reject, RRC_UE_SIDE)


def handover_failure(source_sinr_db: FloatArray, target_sinr_db: FloatArray) -> FloatArray:
    """Per handover execution: HO command lost, target access failed, UE side.

    The twin evaluates A3 once per step, far less often than a UE measures; the source link is
    taken no worse than when the A3 condition was entered (neighbour = serving + hysteresis).
    """
    at_entry = np.maximum(source_sinr_db, -HYSTERESIS_DB)
    source = edge_failure(at_entry, HO_EDGE_SINR_DB, HO_EDGE_SLOPE_DB)
    target = edge_failure(target_sinr_db, HO_EDGE_SINR_DB, HO_EDGE_SLOPE_DB)
    return either(source, target, HO_UE_SIDE)


def nas_timeout(sinr_db: FloatArray) -> FloatArray:
    """Per terminal, probability a registration started now times out (no answer, no cause)."""
    return either(edge_failure(sinr_db, NAS_EDGE_SINR_DB, NAS_EDGE_SLOPE_DB), NAS_UE_SIDE)


def measurement_error(rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
    """Error of the measured A3 quantities of one evaluation, per terminal and candidate."""
    return rng.normal(0.0, A3_MEASUREMENT_SIGMA_DB, size=shape)


def wants_connection(
    steady: BoolArray, bursting: BoolArray, core: CoreState, now_s: float
) -> BoolArray:
    """Who needs RRC_CONNECTED this step: traffic (own or paged), or a NAS procedure due.

    A terminal sends user data only when registered with a session. Without them it connects
    only when its back-off lets it try again, so a network that refuses it sees a retry every
    back-off, not a terminal camped in RRC_CONNECTED. The twin's back-off doubles from 10 s to
    320 s; TS 24.501 §5.5.1.2.7 retries after T3511 (10 s) and, after five attempts, T3502
    (12 min), so real terminals wait longer after repeated failures.
    """
    serving = core.registered & core.session & (steady | bursting)
    registration = ~core.registered & (now_s >= core.next_reg_s)
    session = core.registered & ~core.session & (now_s >= core.next_sess_s)
    periodic = core.registered & (now_s - core.last_reg_s >= T3512_S)
    return np.asarray(serving | registration | session | periodic, dtype=bool)


def spare_terminals(world: World, rng: np.random.Generator) -> BoolArray:
    """Spare devices that stay on the shelf: their SIMs are provisioned and never used."""
    share = np.array([SPARE_SHARE.get(t, 0.0) for t in world.terminals.type], dtype=np.float64)
    return np.asarray(rng.random(len(share)) < share, dtype=bool)


def candidate_sinr(cand: IntArray, sinr: FloatArray, rows: IntArray, cell: IntArray) -> FloatArray:
    """DL SINR of the given terminals towards the given cells (-inf when not a candidate)."""
    match = cand[rows] == cell[:, None]
    return np.asarray(np.max(np.where(match, sinr[rows], -np.inf), axis=1, initial=-np.inf))


def fail_attempts(
    attach: Attach,
    cand: IntArray,
    sinr: FloatArray,
    util: FloatArray,
    rng: np.random.Generator,
    step_s: float,
) -> None:
    """Turn some RRC setups and handovers of this step into failures (in place)."""
    n_cells = len(util)
    attempts = np.bincount(attach.rrc_cell, minlength=n_cells).astype(np.float64)
    on = attach.connected & (attach.serving >= 0)
    connected = np.bincount(attach.serving[on], minlength=n_cells).astype(np.float64)
    collision = rach_collision(attempts, connected, step_s)
    t = attach.rrc_terminal
    p = rrc_failure(
        candidate_sinr(cand, sinr, t, attach.rrc_cell), attach.rrc_cell, collision, util
    )
    lost = attach.rrc_ok & (rng.random(len(t)) < p)
    attach.rrc_ok = attach.rrc_ok & ~lost
    h = attach.ho_terminal
    source = candidate_sinr(cand, sinr, h, attach.ho_source)
    target = candidate_sinr(cand, sinr, h, attach.ho_target)
    broken = attach.ho_ok & (rng.random(len(h)) < handover_failure(source, target))
    attach.ho_ok = attach.ho_ok & ~broken
    gone = np.concatenate([t[lost], h[broken]])  # T300 or T304 expired: back to RRC_IDLE
    cells = np.concatenate([attach.rrc_cell[lost], attach.ho_target[broken]])
    attach.connected[gone] = False
    attach.new_connection[gone] = False
    attach.serving[gone] = -1
    _retry(attach, gone, cells, rrc_failure(candidate_sinr(cand, sinr, gone, cells), cells,
                                            collision, util), rng)  # fmt: skip


def _retry(
    attach: Attach, who: IntArray, cells: IntArray, p_fail: FloatArray, rng: np.random.Generator
) -> None:
    """A terminal whose attempt failed tries once more within the step (in place).

    T300 and T304 run for about a second (TS 38.331 §7.1.1), a tenth of a step: after a failed
    setup the UE sends a new RRCSetupRequest, after a failed handover it re-establishes on the
    target (§5.3.7; counted as an RRC setup, the twin has no re-establishment counters). The
    second attempt fails as often as a setup on that cell; a second failure waits a step.
    """
    again = rng.random(len(who)) >= p_fail
    attach.rrc_terminal = np.concatenate([attach.rrc_terminal, who])
    attach.rrc_cell = np.concatenate([attach.rrc_cell, cells])
    attach.rrc_ok = np.concatenate([attach.rrc_ok, again])
    back = who[again]
    attach.connected[back] = True
    attach.new_connection[back] = True
    attach.serving[back] = cells[again]


def power_on_times(world: World, first_s: FloatArray, rng: np.random.Generator) -> FloatArray:
    """When each terminal is switched on: its drawn moment, never for a spare device."""
    return np.where(spare_terminals(world, rng), np.inf, first_s)
