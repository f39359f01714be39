"""What terminals get this step: scheduled throughput, transport and UPF load, latency."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, bincount
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.latency import (
    UPF_BASE_MS,
    UPF_CAPACITY_BPS,
    PathLoad,
    path_load,
    ptp_jitter_ms,
    upf_delay,
)
from openipn.twin.sim.network import Connectivity
from openipn.twin.sim.packets import (
    Queues,
    both_directions,
    delay_critical,
    draws,
    part_means,
    sample,
    scheduler_queue,
    within,
)
from openipn.twin.sim.radio import link_adaptation
from openipn.twin.sim.scheduler import Schedule, schedule
from openipn.twin.sim.traffic import Demand
from openipn.twin.sim.world import World

PDCP_PROCESSING_MS = 0.1


@dataclass
class Service:
    """Per terminal, per cell, per link and per UPF results of one step."""

    dl: Schedule
    ul: Schedule
    served_dl_bps: FloatArray
    served_ul_bps: FloatArray
    air_dl_ms: FloatArray
    air_ul_ms: FloatArray
    rlc_dl_ms: FloatArray
    pdcp_dl_ms: FloatArray
    latency_dl_ms: FloatArray  # NaN without a working path
    latency_ul_ms: FloatArray
    reliability: FloatArray
    links: PathLoad
    link_ab_bps: FloatArray
    link_ba_bps: FloatArray
    upf_load: FloatArray
    upf_drop: FloatArray
    upf_in_bps: FloatArray  # (upf, slice) uplink arriving on N3
    upf_out_bps: FloatArray  # (upf, slice) downlink sent on N3
    n3_ul: FloatArray  # per terminal, share of its served uplink that arrives on N3
    n3_dl: FloatArray  # per terminal, share of its served downlink the UPF sends on N3
    carried: BoolArray  # has a working end-to-end path


def _pair_traffic(
    world: World, conn: Connectivity, serving: IntArray, active: BoolArray
) -> tuple[IntArray, BoolArray]:
    gnb = world.cells.gnb[np.maximum(serving, 0)]
    upf = world.terminals.upf
    n_upf = max(len(world.upfs), 1)
    has = active & (serving >= 0) & (upf >= 0)
    reach = np.zeros(len(serving), dtype=bool)
    if len(world.upfs):
        reach[has] = conn.gnb_upf[gnb[has], upf[has]]
    return gnb * n_upf + np.maximum(upf, 0), reach


def _transport(
    world: World,
    conn: Connectivity,
    imp: Impairments,
    pair: IntArray,
    reach: BoolArray,
    served: tuple[FloatArray, FloatArray],
) -> tuple[PathLoad, FloatArray, FloatArray]:
    """Load the gNB <-> UPF paths; per link the octets each way (a -> b, b -> a)."""
    n_pairs = len(world.gnbs) * max(len(world.upfs), 1)
    dl_pair = bincount(pair[reach], weights=served[0][reach], minlength=n_pairs)
    ul_pair = bincount(pair[reach], weights=served[1][reach], minlength=n_pairs)
    extra = np.zeros(len(world.links))
    for name, load in imp.link_load.items():
        if name in world.links.index:
            extra[world.links.index[name]] += load
    capacity = world.links.capacity_mbps
    links = path_load(np.maximum(dl_pair, ul_pair), conn.path_pair, conn.path_link, capacity, extra)
    forward = conn.path_dir > 0
    ab = np.where(forward, dl_pair[conn.path_pair], ul_pair[conn.path_pair])
    ba = np.where(forward, ul_pair[conn.path_pair], dl_pair[conn.path_pair])
    n_links = len(world.links)
    link_ab = bincount(conn.path_link, weights=ab, minlength=n_links)
    return links, link_ab, bincount(conn.path_link, weights=ba, minlength=n_links)


def serve(
    world: World,
    conn: Connectivity,
    imp: Impairments,
    serving: IntArray,
    active: BoolArray,
    demand: Demand,
    sinr_dl: FloatArray,
    sinr_ul: FloatArray,
    unsynced_s: FloatArray,
    step: int = 0,
) -> Service:
    """Schedule, carry through transport and UPF, and time every terminal's packets."""
    critical = delay_critical(world.terminals.five_qi)
    se_dl, bler_dl = link_adaptation(sinr_dl, critical)
    se_ul, bler_ul = link_adaptation(sinr_ul, critical)
    edge = world.terminals.edge
    edge_ok = (edge < 0) | (conn.edge_up[np.maximum(edge, 0)] if len(world.edges) else True)
    # A dead edge application server sends nothing, so its terminals get no downlink; their
    # uplink still crosses the radio and N3 and is lost beyond the UPF (N6).
    dl_demand = np.where(edge_ok, demand.dl_bps, 0.0)
    dl = schedule(world, serving, active, dl_demand, (se_dl, bler_dl), "dl", critical)
    ul = schedule(world, serving, active, demand.ul_bps, (se_ul, bler_ul), "ul", critical)
    served_dl, served_ul = dl_demand * dl.served, demand.ul_bps * ul.served
    pair, reach = _pair_traffic(world, conn, serving, active)
    links, link_ab, link_ba = _transport(world, conn, imp, pair, reach, (served_dl, served_ul))
    load, drop = _upf_load(world, imp, reach, served_dl, served_ul)
    upf = np.maximum(world.terminals.upf, 0)
    n3_ul = np.where(reach, links.survive[pair], 0.0)
    n3_dl = np.where(reach & edge_ok, 1.0 - drop[upf], 0.0) if len(world.upfs) else n3_ul * 0.0
    upf_in = _per_upf_slice(world, served_ul * n3_ul)
    upf_out = _per_upf_slice(world, served_dl * n3_dl)
    paths = _paths(world, conn, serving, links, pair, load, unsynced_s)
    timing = _latency(world, serving, (dl, ul), (bler_dl, bler_ul), paths, step, critical)
    survive = links.survive[pair] * (1.0 - drop[upf])
    carried = reach & edge_ok
    within_budget = timing["ok_dl"] * timing["ok_ul"]
    share = np.minimum(
        np.where(demand.dl_bps > 0, dl.served, 1.0), np.where(demand.ul_bps > 0, ul.served, 1.0)
    )
    return Service(
        dl=dl,
        ul=ul,
        served_dl_bps=served_dl,
        served_ul_bps=served_ul,
        air_dl_ms=timing["air_dl"],
        air_ul_ms=timing["air_ul"],
        rlc_dl_ms=timing["rlc_dl"],
        pdcp_dl_ms=timing["rlc_dl"] + PDCP_PROCESSING_MS,
        latency_dl_ms=np.where(carried, timing["dl"], np.nan),
        latency_ul_ms=np.where(carried, timing["ul"], np.nan),
        reliability=np.where(carried, within_budget * share * survive, 0.0),
        links=links,
        link_ab_bps=link_ab,
        link_ba_bps=link_ba,
        upf_load=load,
        upf_drop=drop,
        upf_in_bps=upf_in,
        upf_out_bps=upf_out,
        n3_ul=n3_ul,
        n3_dl=n3_dl,
        carried=carried,
    )


def _upf_load(
    world: World,
    imp: Impairments,
    reach: BoolArray,
    served_dl: FloatArray,
    served_ul: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Load factor and drop share of each UPF (traffic or an imposed load, the larger)."""
    n_upf = len(world.upfs)
    upf = np.maximum(world.terminals.upf, 0)
    traffic = bincount(upf[reach], weights=(served_dl + served_ul)[reach], minlength=n_upf)
    imposed = np.array([imp.upf_load.get(name, 0.0) for name in world.upfs.names])
    load = np.maximum(traffic / UPF_CAPACITY_BPS, imposed) if n_upf else np.zeros(0)
    _, drop = upf_delay(load)
    return load, drop


def _per_upf_slice(world: World, bps: FloatArray) -> FloatArray:
    """Per-terminal rates summed per (anchor UPF, slice); terminals without a UPF add zero."""
    n_upf, n_slices = len(world.upfs), len(world.slices)
    upf = world.terminals.upf
    has = upf >= 0
    cell = upf[has] * n_slices + world.terminals.slice[has]
    total = bincount(cell, weights=bps[has], minlength=n_upf * n_slices)
    return total.reshape(n_upf, n_slices)


def _paths(
    world: World,
    conn: Connectivity,
    serving: IntArray,
    links: PathLoad,
    pair: IntArray,
    upf_load: FloatArray,
    unsynced_s: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per terminal: fixed delay beyond the radio, mean transport + UPF queueing, PTP jitter."""
    n = len(serving)
    gnb = world.cells.gnb[np.maximum(serving, 0)]
    upf = np.maximum(world.terminals.upf, 0)
    common, queued = np.zeros(n), np.zeros(n)
    if len(world.upfs):
        common = conn.path_ms[gnb, upf] + UPF_BASE_MS
        queued = links.delay_ms[pair] + upf_delay(upf_load)[0][upf] - UPF_BASE_MS
    edge = world.terminals.edge
    if len(world.edges):
        common = common + np.where(edge >= 0, world.edge_ms[np.maximum(edge, 0)], 0.0)
    jitter = ptp_jitter_ms(unsynced_s[gnb]) if len(unsynced_s) else np.zeros(n)
    return common, queued, jitter


def _priority_load(cell: IntArray, sched: Schedule, critical: BoolArray) -> FloatArray:
    """Load each terminal's packets queue behind: delay-critical flows are scheduled first."""
    return np.where(critical, sched.utilisation_first[cell], sched.utilisation[cell])


def _latency(
    world: World,
    serving: IntArray,
    schedules: tuple[Schedule, Schedule],
    blers: tuple[FloatArray, FloatArray],
    paths: tuple[FloatArray, FloatArray, FloatArray],
    step: int,
    critical: BoolArray,
) -> dict[str, FloatArray]:
    """One packet per terminal and direction, and the share of packets within the budget."""
    common, queued, jitter = paths
    n = len(serving)
    cell = np.maximum(serving, 0)
    app = world.terminals.app
    budget = np.where(app >= 0, world.apps.budget_ms[np.maximum(app, 0)], np.inf)
    acc = both_directions(world.cells.scs_khz[cell], critical)  # rows: DL of n, then UL of n
    rho = np.concatenate([_priority_load(cell, s, critical) for s in schedules])
    busy, wait = scheduler_queue(rho, acc.tx)
    # A gNB in PTP holdover transmits off the common TDD frame: its time error lengthens the
    # air part (the misaligned slots; a proxy, the twin has no cross-slot interference).
    acc.fixed = acc.fixed + np.concatenate([jitter, jitter])
    queues = Queues(busy, wait, np.concatenate([queued, queued]), np.concatenate([common, common]))
    bler = np.concatenate(blers)
    latency = sample(acc, queues, bler, draws(world.salt, n, step))
    ok = within(acc, queues, bler, np.concatenate([budget, budget]))
    air, rlc = part_means(acc, queues, bler)
    out: dict[str, FloatArray] = {}
    for d, name in enumerate(("dl", "ul")):
        rows = slice(d * n, (d + 1) * n)
        out[name], out[f"ok_{name}"] = latency[rows], ok[rows]
        out[f"air_{name}"], out[f"rlc_{name}"] = air[rows], rlc[rows]
    return out
