"""Per-step samples of the counters a period report is built from (see report.py for names)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.core import CoreEvents, CoreState
from openipn.twin.sim.energy import cell_power_w, gnb_power_w
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray
from openipn.twin.sim.latency import ptp_time_error_ns, upf_delay
from openipn.twin.sim.mobility import Attach
from openipn.twin.sim.ng_counts import NgCounts
from openipn.twin.sim.physics import CellFlags, Uplink
from openipn.twin.sim.service import Service
from openipn.twin.sim.traffic import Demand
from openipn.twin.sim.world import World


@dataclass
class StepFacts:
    """Everything about one step that counters are sampled from."""

    step_s: float
    flags: CellFlags
    gnb_up: BoolArray
    core_up: BoolArray
    upf_up: BoolArray
    edge_up: BoolArray
    serving: IntArray
    connected: BoolArray
    attach: Attach
    rrc_att: FloatArray  # per cell, including staged (clone, storm) attempts
    rrc_succ: FloatArray
    drb_att: FloatArray  # (cell, slice)
    drb_succ: FloatArray
    events: CoreEvents
    core: CoreState
    smf: int
    demand: Demand
    active: BoolArray
    service: Service
    uplink: Uplink
    gm_class: FloatArray
    unsynced: dict[str, float]  # seconds each clock has run without a PTP reference
    ng: NgCounts  # UE-associated NG connections and PDU session resource setups per cell


def _bincount(index: IntArray, weights: FloatArray | None, size: int) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64)


def cell_sums(world: World, f: StepFacts) -> dict[str, FloatArray]:
    """Per-cell sums of one step: signalling and resources."""
    return _cell_signalling(world, f) | _cell_resources(world, f) | _cell_cu(world, f)


def _cell_cu(world: World, f: StepFacts) -> dict[str, FloatArray]:
    """NG signalling and PDCP SDU volumes (Mbit) per cell: what the CU counts."""
    n = len(world.cells)
    svc, cell = f.service, np.maximum(f.serving, 0)
    alive = f.gnb_up[np.maximum(world.cells.gnb, 0)].astype(np.float64)
    on = f.active & (f.serving >= 0)
    # DL SDUs reach the PDCP only over a working N3 path; UL SDUs are what the air delivered.
    dl = np.where(on & svc.carried, svc.served_dl_bps, 0.0) * (f.step_s / 1e6)
    ul = np.where(on, svc.served_ul_bps, 0.0) * (f.step_s / 1e6)
    return {
        "cell.ue_att": f.ng.ue_att,
        "cell.ue_succ": f.ng.ue_succ,
        "cell.pdu_req": f.ng.pdu_req,
        "cell.pdu_succ": f.ng.pdu_succ,
        "cell.pdcp_vol_dl": _bincount(cell, dl, n) * alive,
        "cell.pdcp_vol_ul": _bincount(cell, ul, n) * alive,
    }


def _cell_signalling(world: World, f: StepFacts) -> dict[str, FloatArray]:
    n = len(world.cells)
    alive = f.gnb_up[np.maximum(world.cells.gnb, 0)].astype(np.float64)
    ho_intra = world.cells.gnb[f.attach.ho_source] == world.cells.gnb[f.attach.ho_target]

    def ho(mask: BoolArray) -> FloatArray:
        return _bincount(f.attach.ho_source[mask], None, n)

    return {
        "cell.steps": alive,
        "cell.conn": _bincount(np.maximum(f.serving, 0)[f.connected], None, n),
        "cell.rrc_att": f.rrc_att,
        "cell.rrc_succ": f.rrc_succ,
        "cell.drb_att": f.drb_att,
        "cell.drb_succ": f.drb_succ,
        "cell.ho_intra_req": ho(ho_intra),
        "cell.ho_intra_succ": ho(ho_intra & f.attach.ho_ok),
        "cell.ho_inter_req": ho(~ho_intra),
        "cell.ho_inter_succ": ho(~ho_intra & f.attach.ho_ok),
        "cell.prb_avail": np.where(f.flags.radiating, world.cells.n_prb, 0.0) * alive,
        "cell.ul_intf_mw": f.uplink.interference_mw * alive,
    }


def _cell_resources(world: World, f: StepFacts) -> dict[str, FloatArray]:
    n, ns = len(world.cells), len(world.slices)
    svc, cell = f.service, np.maximum(f.serving, 0)
    alive = f.gnb_up[np.maximum(world.cells.gnb, 0)].astype(np.float64)
    has_dl = f.active & (f.demand.dl_bps > 0) & (svc.dl.served > 0)
    has_ul = f.active & (f.demand.ul_bps > 0) & (svc.ul.served > 0)
    slot = (cell * ns + world.terminals.slice)[has_dl]

    def per_cell(mask: BoolArray, weights: FloatArray | None = None) -> FloatArray:
        return _bincount(cell[mask], None if weights is None else weights[mask], n)

    return {
        "cell.prb_dl": svc.dl.prb_used * alive,
        "cell.prb_ul": svc.ul.prb_used * alive,
        "cell.thp_dl": per_cell(has_dl, svc.dl.ue_thp_bps / 1e3),
        "cell.thp_dl_n": per_cell(has_dl),
        "cell.thp_ul": per_cell(has_ul, svc.ul.ue_thp_bps / 1e3),
        "cell.thp_ul_n": per_cell(has_ul),
        "cell.thp_dl_s": _bincount(slot, svc.dl.ue_thp_bps[has_dl] / 1e3, n * ns).reshape(n, ns),
        "cell.thp_dl_s_n": _bincount(slot, None, n * ns).reshape(n, ns),
        "cell.air_dl": per_cell(has_dl, svc.air_dl_ms),
        "cell.rlc_dl": per_cell(has_dl, svc.rlc_dl_ms),
        "cell.delay_n": per_cell(has_dl),
        "cell.air_ul": per_cell(has_ul, svc.air_ul_ms),
        "cell.delay_ul_n": per_cell(has_ul),
        "cell.active_dl": per_cell(has_dl),
        "cell.ul_sinr": per_cell(has_ul, f.uplink.sinr_db),
        "cell.ul_sinr_n": per_cell(has_ul),
    }


def gnb_sums(world: World, f: StepFacts) -> dict[str, FloatArray]:
    """Per-gNB sums: CU-UP delay per slice and energy."""
    n, ns = len(world.gnbs), len(world.slices)
    cell = np.maximum(f.serving, 0)
    has_dl = f.active & (f.demand.dl_bps > 0) & (f.service.dl.served > 0)
    slot = (world.cells.gnb[cell] * ns + world.terminals.slice)[has_dl]
    cells = world.cells
    radio_w = cell_power_w(cells.tx_dbm, f.service.dl.utilisation, f.flags.radiating)
    gnb_w = gnb_power_w(radio_w, cells.gnb, f.gnb_up, n)
    up = f.gnb_up.astype(np.float64)
    return {
        "gnb.pdcp_dl": _bincount(slot, f.service.pdcp_dl_ms[has_dl], n * ns).reshape(n, ns),
        "gnb.pdcp_n": _bincount(slot, None, n * ns).reshape(n, ns),
        "gnb.energy_wh": gnb_w * f.step_s / 3600.0,
        "gnb.seconds": up * f.step_s,
    }


def core_sums(world: World, f: StepFacts) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Core signalling counts and registered/session gauges (sums and maxima)."""
    registered, sessions = core_gauges(world, f.core, f.smf)
    e = f.events
    sums = {
        f"core.{key}": getattr(e, key).astype(np.float64)
        for key in (
            "reg_init_req", "reg_init_succ", "reg_mob_req", "reg_mob_succ", "reg_period_req",
            "reg_period_succ", "sess_req", "sess_succ", "reg_fail", "auth_fail", "auth_req",
            "sess_fail",
        )
    }  # fmt: skip
    sums["core.registered"] = registered
    sums["core.sessions"] = sessions
    sums["core.steps"] = f.core_up.astype(np.float64)
    return sums, {"core.registered": registered, "core.sessions": sessions}


def core_gauges(world: World, core: CoreState, smf: int) -> tuple[FloatArray, FloatArray]:
    """Registered subscribers per (AMF, slice) and PDU sessions per (SMF, slice)."""
    n, ns = len(world.core), len(world.slices)
    reg = core.registered & (core.amf >= 0)
    registered = _bincount(core.amf[reg] * ns + world.terminals.slice[reg], None, n * ns).reshape(
        n, ns
    )
    sessions = np.zeros((n, ns))
    if smf >= 0:
        sessions[smf] = _bincount(world.terminals.slice[core.session], None, ns)
    return registered, sessions


def upf_link_sums(world: World, f: StepFacts) -> dict[str, FloatArray]:
    """N3 volumes and packets per (UPF, slice), link octets and utilisation."""
    n_upf, ns = len(world.upfs), len(world.slices)
    svc = f.service
    to_bytes = f.step_s / 8.0
    upf = np.maximum(world.terminals.upf, 0)
    # Packets follow the octets: the share of each terminal's served traffic crossing N3.
    has = world.terminals.upf >= 0
    slot = (upf * ns + world.terminals.slice)[has]
    ul_pkt = (f.demand.ul_pps * svc.ul.served * svc.n3_ul)[has] * f.step_s
    dl_pkt = (f.demand.dl_pps * svc.dl.served * svc.n3_dl)[has] * f.step_s
    links = svc.links
    return {
        "upf.in_oct": svc.upf_in_bps * to_bytes,
        "upf.out_oct": svc.upf_out_bps * to_bytes,
        "upf.in_pkt": _bincount(slot, ul_pkt, n_upf * ns).reshape(n_upf, ns),
        "upf.out_pkt": _bincount(slot, dl_pkt, n_upf * ns).reshape(n_upf, ns),
        "upf.load": svc.upf_load * f.upf_up,
        "upf.steps": f.upf_up.astype(np.float64),
        "upf.delay": upf_delay(svc.upf_load)[0] * f.upf_up if len(svc.upf_load) else svc.upf_load,
        "link.delay": links.link_delay_ms,
        "link.ab_oct": svc.link_ab_bps * to_bytes,
        "link.ba_oct": svc.link_ba_bps * to_bytes,
        "link.util": np.minimum(links.link_util, 1.0),
        "link.drop_oct": (svc.link_ab_bps + svc.link_ba_bps) * links.link_drop * to_bytes,
        "edge.ues": _bincount(
            world.terminals.edge[f.core.session & (world.terminals.edge >= 0)],
            None,
            len(world.edges),
        )
        * f.edge_up,
    }


def clock_nodes(world: World) -> list[str]:
    """Every node with a PTP clock: gNBs, transport nodes, grandmasters (in that order)."""
    return [*world.gnbs.names, *world.transport.names, *world.grandmasters.names]


def delay_maxima(world: World, f: StepFacts) -> dict[str, FloatArray]:
    """Per-step values whose period maximum is reported: port delay, clock time error."""
    seconds = np.array([f.unsynced.get(n, 0.0) for n in clock_nodes(world)], dtype=np.float64)
    return {"link.delay": f.service.links.link_delay_ms, "clock.te_ns": ptp_time_error_ns(seconds)}
