"""Transport, UPF and clock parts of the latency: queueing and drops under load, PTP jitter.

The radio parts and the per-packet draw are in packets.py (docs/latency-model.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import FloatArray, IntArray, bincount

BURST_BYTES = 64_000  # transport queueing uses bursts of this size (M/M/1 per link)
SWITCH_BUFFER_MS = 2.0
UPF_BASE_MS = 0.05
UPF_QUEUE_CAP_MS = 20.0
UPF_CAPACITY_BPS = 10e9  # user-plane throughput of one UPF before it saturates

# PTP holdover: the local clock drifts, TSN gates and TDD timing slip, jitter grows linearly.
PTP_JITTER_MS_PER_S = 0.002
PTP_JITTER_CAP_MS = 5.0


def link_delay(utilisation: FloatArray, capacity_mbps: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Queueing delay (ms) and drop share of each transport link at its utilisation."""
    service_ms = BURST_BYTES * 8.0 / (capacity_mbps * 1e6) * 1e3
    rho = np.clip(utilisation, 0.0, 0.999)
    wait = np.minimum(service_ms * rho / (1.0 - rho), SWITCH_BUFFER_MS)
    over = utilisation >= 1.0
    drop = np.where(over, 1.0 - 1.0 / np.maximum(utilisation, 1.0), 0.0)
    return np.where(over, SWITCH_BUFFER_MS, wait), drop


def upf_delay(load: FloatArray) -> tuple[FloatArray, FloatArray]:
    """UPF processing delay (ms) and drop share at a load factor (1 = saturated)."""
    rho = np.clip(load, 0.0, 0.999)
    wait = np.minimum(UPF_BASE_MS * (1.0 + rho / (1.0 - rho)), UPF_QUEUE_CAP_MS)
    over = load >= 1.0
    drop = np.where(over, 1.0 - 1.0 / np.maximum(load, 1.0), 0.0)
    return np.where(over, UPF_QUEUE_CAP_MS, wait), drop


def ptp_jitter_ms(seconds_unsynced: FloatArray) -> FloatArray:
    """Extra latency from time error that grows while a node runs in holdover."""
    return np.minimum(np.maximum(seconds_unsynced, 0.0) * PTP_JITTER_MS_PER_S, PTP_JITTER_CAP_MS)


def ptp_time_error_ns(seconds_unsynced: FloatArray) -> FloatArray:
    """Time error of a node's clock after running in holdover so long (the jitter's cause)."""
    return ptp_jitter_ms(seconds_unsynced) * 1e6


@dataclass
class PathLoad:
    """Per (gNB, UPF) pair: added queueing delay (ms) and survival share, per link: use."""

    delay_ms: FloatArray
    survive: FloatArray
    link_util: FloatArray
    link_drop: FloatArray
    link_bps: FloatArray
    link_delay_ms: FloatArray  # egress queueing delay on each link


def path_load(
    pair_bps: FloatArray,
    path_pair: IntArray,
    path_link: IntArray,
    capacity_mbps: FloatArray,
    extra_util: FloatArray,
) -> PathLoad:
    """Load each link with the traffic of the paths crossing it; queueing and drops per path."""
    n_links = len(capacity_mbps)
    link_bps = bincount(path_link, weights=pair_bps[path_pair], minlength=n_links)
    util = link_bps / (capacity_mbps * 1e6) + extra_util
    delay, drop = link_delay(util, capacity_mbps)
    n_pairs = len(pair_bps)
    pair_delay = bincount(path_pair, weights=delay[path_link], minlength=n_pairs)
    keep = bincount(
        path_pair, weights=np.log1p(-np.minimum(drop[path_link], 0.999999)), minlength=n_pairs
    )
    return PathLoad(pair_delay, np.exp(keep), util, drop, link_bps, delay)
