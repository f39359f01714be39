"""User-plane latency per packet, from the parts a packet crosses (docs/latency-model.md).

One-way latency of a packet in one direction:

    L = fixed + A + n_harq * R + rlc * (R + T_rlc) + Q + X

fixed: processing (TS 38.214 §5.3 N1, §6.4 N2), transmission of one slot or mini-slot
(TS 38.211 §4.3.2), the grant delay of a dynamic uplink grant, transport propagation, UPF and
edge processing; A ~ U(0, window): waiting for the next transmission opportunity (slot or
mini-slot boundary in the TDD frame, or the next scheduling-request occasion, TS 38.321
§5.4.4); n_harq: HARQ retransmissions, P(n >= k) = BLER^k (TS 38.321 §5.3.2); rlc: all HARQ
attempts failed and RLC AM recovers the PDU (TS 38.322 §5.3); Q: scheduling queue, M/M/1
waiting time (zero with probability 1 - rho, else exponential of mean T / (1 - rho)); X:
transport and UPF queueing, exponential with the mean of their M/M/1 waits.

Each step every terminal sends one packet per direction (the value its report carries at that
instant); the share of its packets within the budget is computed in closed form from the same
distribution, so a 99.999 % target can be resolved without drawing 10^5 packets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, hash_uniform
from openipn.twin.sim.radio import TDD_SHARE

SYMBOLS_PER_SLOT = 14  # normal cyclic prefix, TS 38.211 §4.3.2
MINI_SLOT_SYMBOLS = 2  # PDSCH/PUSCH mapping type B of 2 symbols (TS 38.214 §5.1.2.1, §6.1.2.1)
# PDSCH processing N1 and PUSCH preparation N2 in symbols, per numerology mu = 0..3, for UE
# processing capability 1 and 2 (TS 38.214 Tables 5.3-1/5.3-2 and 6.4-1/6.4-2, dmrs position 0;
# capability 2 is not defined for mu = 3, capability 1 applies). Values recalled from the
# tables, not verified against the spec text. The gNB is assumed as fast as the UE.
N1 = np.array([[8.0, 10.0, 17.0, 20.0], [3.0, 4.5, 9.0, 20.0]])
N2 = np.array([[10.0, 12.0, 23.0, 36.0], [5.0, 5.5, 11.0, 36.0]])
# TDD frame: a 1 ms dl-UL-TransmissionPeriodicity (TS 38.331 TDD-UL-DL-Pattern) with the
# downlink and uplink shares the rate model uses (TDD_SHARE); a packet arriving in the other
# direction's part waits for its own.
TDD_PERIOD_MS = 1.0
# HARQ round trip in TDD periods: feedback (PUCCH/PDCCH) needs the other direction's part, so a
# retransmission goes one period later with capability 2, two with capability 1 (assumption).
HARQ_RTT_PERIODS = (2.0, 1.0)  # indexed by delay-critical
MAX_TRANSMISSIONS = 4  # initial + 3 HARQ retransmissions
GRANT_SLOTS = 1.0  # SR decoded, UL grant sent on the next PDCCH (TS 38.213 §9.2.4, §11.1)
# RLC AM recovery of a PDU that failed every HARQ attempt: t-Reassembly at the receiver, a
# STATUS PDU, then the retransmission (TS 38.322 §5.2.3.2.4, §5.3.3); t-Reassembly ms15 plus
# the exchange is an assumption of the twin.
RLC_RECOVERY_MS = 20.0
RHO_MAX = 0.98  # the M/M/1 queue is stable below 1; an overloaded cell stays at this rho
DELAY_CRITICAL_5QI = (82, 90)  # TS 23.501 Table 5.7.4-1: delay-critical GBR
# Outcome k = 0..MAX_TRANSMISSIONS - 1: k HARQ retransmissions; k = MAX_TRANSMISSIONS: every
# attempt failed, one more round trip and the RLC recovery.
OUTCOME_RTTS = np.arange(MAX_TRANSMISSIONS + 1, dtype=np.float64)
OUTCOME_RLC_MS = np.where(OUTCOME_RTTS < MAX_TRANSMISSIONS, 0.0, RLC_RECOVERY_MS)
STREAM = 0x1A7  # hash stream of the packet draws
DRAWS = 4  # uniforms per packet: access wait, HARQ, scheduling queue, transport queue


def delay_critical(five_qi: IntArray) -> BoolArray:
    """Flows that use mini-slots, configured grants, capability 2 and priority scheduling."""
    low, high = DELAY_CRITICAL_5QI
    return (five_qi >= low) & (five_qi <= high)


@dataclass
class Access:
    """Per terminal, one direction: the radio parts of its packets' latency, in ms."""

    fixed: FloatArray  # processing, grant delay and transmission
    window: FloatArray  # the access wait is uniform over [0, window)
    rtt: FloatArray  # one HARQ retransmission
    tx: FloatArray  # transmission unit: slot or mini-slot (the queue's service time)

    FIELDS = ("fixed", "window", "rtt", "tx")


def access(scs_khz: FloatArray, critical: BoolArray, direction: str) -> Access:
    """Radio timing of each terminal's packets at its cell's numerology and grant type."""
    mu = np.clip(np.rint(np.log2(scs_khz / 15.0)), 0, 3).astype(np.int64)
    slot = 1.0 / 2.0**mu  # TS 38.211 §4.3.2: 1 ms / 2^mu
    symbol = slot / SYMBOLS_PER_SLOT
    cap = critical.astype(np.int64)
    tx = np.where(critical, MINI_SLOT_SYMBOLS * symbol, slot)
    decode = N1[cap, mu] * symbol
    prepare = N2[cap, mu] * symbol
    rtt = np.where(critical, HARQ_RTT_PERIODS[1], HARQ_RTT_PERIODS[0]) * TDD_PERIOD_MS
    rtt = np.maximum(rtt, tx + decode + prepare)
    tdd_wait = (1.0 - TDD_SHARE[direction]) * TDD_PERIOD_MS
    if direction == "dl":
        return Access(prepare + tx + decode, tx + tdd_wait, rtt, tx)
    # Uplink: configured grant (TS 38.321 §5.8.2, TS 38.214 §6.1.2.3) for delay-critical flows,
    # else a scheduling request on the next SR occasion, one per TDD period, then the grant.
    dynamic = GRANT_SLOTS * slot * ~critical
    window = np.where(critical, tx + tdd_wait, TDD_PERIOD_MS)
    return Access(dynamic + prepare + tx + decode, window, rtt, tx)


@dataclass
class Queues:
    """Per terminal, one direction: scheduling queue (atom + exponential) and transport mean."""

    busy: FloatArray  # probability a packet waits in the scheduler (rho)
    wait: FloatArray  # mean wait when it does, T / (1 - rho)
    transport: FloatArray  # mean transport + UPF queueing (exponential)
    common: FloatArray  # fixed part beyond the radio: propagation, UPF and edge processing


def scheduler_queue(rho: FloatArray, tx: FloatArray) -> tuple[FloatArray, FloatArray]:
    """M/M/1 waiting: P(wait > 0) = rho, and the mean of a positive wait, T / (1 - rho)."""
    busy = np.clip(np.nan_to_num(rho), 0.0, RHO_MAX)
    return busy, tx / (1.0 - busy)


def draws(salt: int, n: int, step: int) -> FloatArray:
    """Uniforms in (0, 1] per packet, (2n, DRAWS): downlink packets of n terminals, then uplink."""
    key = np.arange(2 * n, dtype=np.int64)[:, None] * DRAWS + np.arange(DRAWS)
    return 1.0 - hash_uniform(salt, key, np.full(key.shape, step, np.int64), STREAM)


def _timing_table() -> FloatArray:
    """(fixed, window, rtt, tx) for every (direction, mu, delay-critical): shape (4, 16)."""
    scs = np.repeat(15.0 * 2.0 ** np.arange(4), 2)
    critical = np.tile([False, True], 4)
    rows = [access(scs, critical, d) for d in ("dl", "ul")]
    return np.array([np.concatenate([getattr(r, f) for r in rows]) for f in Access.FIELDS])


_TIMING = _timing_table()


def both_directions(scs_khz: FloatArray, critical: BoolArray) -> Access:
    """Downlink then uplink radio timing of n terminals, stacked as 2n rows (table look-up)."""
    mu = np.clip(np.rint(np.log2(scs_khz / 15.0)), 0, 3).astype(np.int64)
    key = 2 * mu + critical
    fixed, window, rtt, tx = _TIMING[:, np.concatenate([key, key + 8])]
    return Access(fixed, window, rtt, tx)


def sample(acc: Access, q: Queues, bler: FloatArray, u: FloatArray) -> FloatArray:
    """Latency of one packet per terminal; u holds DRAWS uniforms in (0, 1] per terminal."""
    p = np.clip(bler, 1e-12, 1.0 - 1e-9)
    failures = np.minimum(np.floor(np.log(u[:, 1]) / np.log(p)), MAX_TRANSMISSIONS)
    rlc = failures >= MAX_TRANSMISSIONS
    retx = np.minimum(failures, MAX_TRANSMISSIONS - 1)
    recovery = np.where(rlc, acc.rtt + RLC_RECOVERY_MS, 0.0)
    with np.errstate(divide="ignore"):
        queue = q.wait * np.maximum(np.log(q.busy) - np.log(u[:, 2]), 0.0)
    link = -q.transport * np.log(u[:, 3])
    radio = acc.fixed + u[:, 0] * acc.window + retx * acc.rtt + recovery
    latency: FloatArray = radio + queue + link + q.common
    return latency


def within(acc: Access, q: Queues, bler: FloatArray, budget: FloatArray) -> FloatArray:
    """Share of packets whose latency is within the budget (closed form, see module doc).

    Conditioned on the HARQ outcome, L - fixed - outcome delay = A + Q, whose CDF is exact;
    transport queueing enters with its mean (it is small beside the radio parts).
    """
    p = np.clip(bler, 0.0, 1.0)
    weight = np.empty((len(p), MAX_TRANSMISSIONS + 1))
    weight[:, 0] = 1.0
    for k in range(1, MAX_TRANSMISSIONS + 1):
        weight[:, k] = weight[:, k - 1] * p
    weight[:, :MAX_TRANSMISSIONS] *= (1.0 - p)[:, None]
    start = acc.fixed + q.common + q.transport
    slack = (budget - start)[:, None] - (acc.rtt[:, None] * OUTCOME_RTTS + OUTCOME_RLC_MS)
    cdf = _uniform_plus_queue(slack, acc.window[:, None], q.busy[:, None], q.wait[:, None])
    share: FloatArray = np.einsum("ij,ij->i", weight, cdf)
    return share


def _uniform_plus_queue(
    t: FloatArray, a: FloatArray, busy: FloatArray, m: FloatArray
) -> FloatArray:
    """P(U + W <= t), U ~ U(0, a), W = 0 w.p. 1 - busy, else exponential of mean m."""
    t = np.maximum(t, 0.0)
    head = np.minimum(t, a)
    tail = m * (np.exp((head - t) / m) - np.exp(-t / m))
    cdf: FloatArray = (head - busy * tail) / a
    return cdf


def part_means(acc: Access, q: Queues, bler: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean air part (processing, transmission, HARQ) and RLC part (+ access, queue, recovery).

    What DRB.AirIfDelay* and DRB.RlcSduDelayDl average: a gNB averages thousands of packets per
    period, so the counters take the distribution's means, not the one drawn packet.
    """
    p = np.clip(bler, 0.0, 1.0)
    retx = np.zeros_like(p)
    for k in range(1, MAX_TRANSMISSIONS):
        retx = retx + p**k
    air = acc.fixed + retx * acc.rtt
    recovery = p**MAX_TRANSMISSIONS * (acc.rtt + RLC_RECOVERY_MS)
    return air, air + acc.window / 2.0 + q.busy * q.wait + recovery


def means(acc: Access, q: Queues, bler: FloatArray) -> FloatArray:
    """Mean one-way latency of the terminals' packets (for checks and capacity planning)."""
    return part_means(acc, q, bler)[1] + q.transport + q.common
