"""Period reports: accumulated counters as TS 28.552 measurements per managed element.

Units follow TS 28.552: throughput kbit/s, PDCP/RLC/air-interface delays in 0.1 ms, energy
kWh [K]. Counters starting `VS.` are vendor-specific, named the way vendors name them. A value
that is not known (no traffic to average over, a function that is down) is None, which the
PM file writer turns into NIL; an element that cannot be reached at the end of the period
produces no report at all (None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from openipn.twin.sim.core import CAUSES
from openipn.twin.sim.counters import mean
from openipn.twin.sim.geometry import BoolArray, FloatArray
from openipn.twin.sim.naming import (
    cell_cu_ldn,
    cell_du_ldn,
    cuup_ldn,
    element_ldn,
    function_ldn,
    n3_ldn,
)
from openipn.twin.sim.report_base import (
    MICROSECONDS,
    TENTH_MS,
    Measurement,
    ReportContext,
    Value,
)
from openipn.twin.sim.report_base import dbm as _dbm
from openipn.twin.sim.report_base import rounded as _r
from openipn.twin.sim.report_base import tenths as _tenths
from openipn.twin.sim.report_base import whole as _i
from openipn.twin.sim.report_infra import clocks, edges, transport
from openipn.twin.sim.report_radio import INFO_SUFFIX, INFOS, RadioDistributions

__all__ = ["Measurement", "PeriodReport", "ReportContext", "Value", "build_report"]


@dataclass(frozen=True)
class PeriodReport:
    """What each managed element reports for one granularity period (None: no report)."""

    begin: dt.datetime
    end: dt.datetime
    elements: dict[str, list[Measurement] | None]
    periods: dict[str, int] = field(default_factory=dict)  # measInfoId -> its own granPeriod (s)


def build_report(ctx: ReportContext, begin: dt.datetime, end: dt.datetime) -> PeriodReport:
    """The period report of every managed element."""
    world = ctx.world
    per_element: dict[str, list[Measurement]] = {name: [] for name in world.elements.names}
    for element, measurement in _all(ctx):
        per_element[element].append(measurement)
    elements: dict[str, list[Measurement] | None] = {
        name: per_element[name] if ctx.reachable[i] else None
        for i, name in enumerate(world.elements.names)
    }
    periods = {} if ctx.radio is None else dict.fromkeys(INFOS, ctx.radio.seconds)
    return PeriodReport(begin, end, elements, periods)


def _all(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    yield from _cells(ctx)
    yield from _gnbs(ctx)
    yield from _core(ctx)
    yield from _upfs(ctx)
    yield from transport(ctx)
    yield from clocks(ctx)
    yield from edges(ctx)


def _slice_values(
    ctx: ReportContext, base: str, row: np.ndarray, allowed: BoolArray
) -> dict[str, Value]:
    slices = ctx.world.slices
    return {f"{base}.{slices.snssai[s]}": _i(row[s]) for s in np.flatnonzero(allowed).tolist()}


CELL_KEYS = (
    "conn", "rrc_att", "rrc_succ", "ho_intra_req", "ho_intra_succ", "ho_inter_req",
    "ho_inter_succ", "prb_dl", "prb_ul", "prb_avail", "thp_dl", "thp_dl_n", "thp_ul", "thp_ul_n",
    "air_dl", "air_ul", "rlc_dl", "delay_n", "delay_ul_n", "active_dl", "ul_intf_mw", "ul_sinr",
    "ul_sinr_n", "ue_att", "ue_succ", "pdcp_vol_dl", "pdcp_vol_ul",
)  # fmt: skip
CELL_SLICE_KEYS = ("drb_att", "drb_succ", "thp_dl_s", "thp_dl_s_n", "pdu_req", "pdu_succ")


@dataclass
class CellStats:
    """Per-cell period values, ready to be written per cell."""

    sums: dict[str, FloatArray]
    means: dict[str, list[float | None]]
    conn_max: FloatArray
    steps: FloatArray


def _cell_stats(ctx: ReportContext) -> CellStats:
    world, acc = ctx.world, ctx.acc
    n, ns = len(world.cells), len(world.slices)
    steps = acc.sum("cell.steps", (n,))
    sums = {k: acc.sum(f"cell.{k}", (n,)) for k in CELL_KEYS}
    sums |= {k: acc.sum(f"cell.{k}", (n, ns)) for k in CELL_SLICE_KEYS}
    means = {
        k: mean(sums[k], steps) for k in ("conn", "prb_dl", "prb_ul", "prb_avail", "active_dl")
    }
    means["ul_intf_mw"] = mean(sums["ul_intf_mw"], steps)
    for key, count in (
        ("thp_dl", "thp_dl_n"), ("thp_ul", "thp_ul_n"), ("air_dl", "delay_n"),
        ("air_ul", "delay_ul_n"), ("rlc_dl", "delay_n"), ("ul_sinr", "ul_sinr_n"),
    ):  # fmt: skip
        means[key] = mean(sums[key], sums[count])
    return CellStats(sums, means, acc.max("cell.conn", (n,)), steps)


def _cells(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    world, stats = ctx.world, _cell_stats(ctx)
    radio = None if ctx.radio is None else RadioDistributions(ctx.radio)
    for c in range(len(world.cells)):
        element = world.elements.names[world.gnbs.me[world.cells.gnb[c]]]
        du_ldn, cu_ldn = cell_du_ldn(world, c), cell_cu_ldn(world, c)
        yield element, ("NRCellDU", du_ldn, _cell_du(ctx, stats, c))
        yield element, ("NRCellCU", cu_ldn, _cell_cu(ctx, stats, c))
        if radio is not None:
            for cls, ldn in (("NRCellDU", du_ldn), ("NRCellCU", cu_ldn)):
                yield element, (cls + INFO_SUFFIX, ldn, radio.counters(c, cls))


def _cell_du(ctx: ReportContext, stats: CellStats, c: int) -> dict[str, Value]:
    m, s = stats.means, stats.sums
    avail = m["prb_avail"][c]
    du: dict[str, Value] = {
        "RRU.PrbUsedDl": _r(m["prb_dl"][c]),
        "RRU.PrbUsedUl": _r(m["prb_ul"][c]),
        "RRU.PrbAvailDl": _r(avail),
        "RRU.PrbAvailUl": _r(avail),
        "RRU.PrbTotDl": _pct(m["prb_dl"][c], avail),
        "RRU.PrbTotUl": _pct(m["prb_ul"][c], avail),
        "DRB.UEThpDl": _r(m["thp_dl"][c]),
        "DRB.UEThpUl": _r(m["thp_ul"][c]),
        "DRB.RlcSduDelayDl": _tenths(m["rlc_dl"][c]),
        "DRB.AirIfDelayDl": _tenths(m["air_dl"][c]),
        "DRB.AirIfDelayUl": _tenths(m["air_ul"][c]),
        "DRB.MeanActiveUeDl": _r(m["active_dl"][c]),
        "VS.UlInterferencePerPrbMean": _dbm(m["ul_intf_mw"][c]),
        "VS.UlSinrMean": _r(m["ul_sinr"][c]),
    }
    world = ctx.world
    for sl in np.flatnonzero(world.cells.slices[c]).tolist():
        count = s["thp_dl_s_n"][c, sl]
        value = s["thp_dl_s"][c, sl] / count if count > 0 else None
        du[f"DRB.UEThpDl.{world.slices.snssai[sl]}"] = _r(value)
    return du


def _cell_cu(ctx: ReportContext, stats: CellStats, c: int) -> dict[str, Value]:
    s, allowed = stats.sums, ctx.world.cells.slices[c]
    return {
        "RRC.ConnEstabAtt": _i(s["rrc_att"][c]),
        "RRC.ConnEstabSucc": _i(s["rrc_succ"][c]),
        "RRC.ConnMean": _r(stats.means["conn"][c]),
        "RRC.ConnMax": _i(stats.conn_max[c]) if stats.steps[c] > 0 else None,
        "DRB.EstabAtt": _i(s["drb_att"][c].sum()),
        "DRB.EstabSucc": _i(s["drb_succ"][c].sum()),
        **_slice_values(ctx, "DRB.EstabAtt", s["drb_att"][c], allowed),
        **_slice_values(ctx, "DRB.EstabSucc", s["drb_succ"][c], allowed),
        # TS 28.552 §5.1.1.16 (NG signalling connections) and §5.1.1.5 (PDU session resource
        # setup per S-NSSAI) [K: not verified against the spec text]; see ng_counts.py.
        "UECNTX.ConnEstabAtt": _i(s["ue_att"][c]),
        "UECNTX.ConnEstabSucc": _i(s["ue_succ"][c]),
        "SM.PDUSessionSetupReq": _i(s["pdu_req"][c].sum()),
        "SM.PDUSessionSetupSucc": _i(s["pdu_succ"][c].sum()),
        **_slice_values(ctx, "SM.PDUSessionSetupReq", s["pdu_req"][c], allowed),
        **_slice_values(ctx, "SM.PDUSessionSetupSucc", s["pdu_succ"][c], allowed),
        # TS 28.552 §5.1.2.1.1.1/.2: PDCP SDU volume in Mbit (the spec's _Filter suffix left
        # off, as files in the field write it); DL from N3, UL from the air.
        "DRB.PdcpSduVolumeDL": _r(s["pdcp_vol_dl"][c]),
        "DRB.PdcpSduVolumeUL": _r(s["pdcp_vol_ul"][c]),
        "MM.HoExeIntraReq": _i(s["ho_intra_req"][c]),
        "MM.HoExeIntraSucc": _i(s["ho_intra_succ"][c]),
        "MM.HoExeInterReq": _i(s["ho_inter_req"][c]),
        "MM.HoExeInterSucc": _i(s["ho_inter_succ"][c]),
    }


def _pct(used: float | None, avail: float | None) -> Value:
    """TS 28.552 RRU.PrbTot: integer percentage, floor(used / available * 100)."""
    if used is None or not avail:
        return None
    return int(np.floor(used / avail * 100.0))


def _gnbs(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    world, acc = ctx.world, ctx.acc
    n, ns = len(world.gnbs), len(world.slices)
    pdcp = acc.sum("gnb.pdcp_dl", (n, ns))
    count = acc.sum("gnb.pdcp_n", (n, ns))
    energy = acc.sum("gnb.energy_wh", (n,))
    seconds = acc.sum("gnb.seconds", (n,))
    per_element_energy: dict[int, list[float]] = {}
    for g in range(n):
        me = int(world.gnbs.me[g])
        total = count[g].sum()
        values: dict[str, Value] = {
            "DRB.PdcpSduDelayDl": _r(pdcp[g].sum() / total * TENTH_MS) if total > 0 else None
        }
        for sl in range(ns):
            values[f"DRB.PdcpSduDelayDl.{world.slices.snssai[sl]}"] = (
                _r(pdcp[g, sl] / count[g, sl] * TENTH_MS) if count[g, sl] > 0 else None
            )
        yield world.elements.names[me], ("GNBCUUPFunction", cuup_ldn(world, g), values)
        held = per_element_energy.setdefault(me, [0.0, 0.0])
        held[0] += float(energy[g])
        held[1] += float(seconds[g])
    for me, (wh, secs) in per_element_energy.items():
        values = {
            "PEE.Energy": round(wh / 1000.0, 6),  # kWh, TS 28.552 §5.1.1.19 [K]
            "PEE.AvgPower": _r(wh * 3600.0 / secs) if secs > 0 else None,
        }
        yield world.elements.names[me], ("ManagedElement", element_ldn(world, me), values)


def _core(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    world = ctx.world
    steps = ctx.acc.sum("core.steps", (len(world.core),))
    for f in world.amfs() + world.smfs():
        if world.core.me[f] < 0:
            continue
        element = world.elements.names[world.core.me[f]]
        amf = world.core.kind[f] == "AMF"
        values = (
            _amf_values(ctx, f, float(steps[f])) if amf else _smf_values(ctx, f, float(steps[f]))
        )
        if not (ctx.core_up[f] and steps[f] > 0):
            values = dict.fromkeys(values)
        ldn = function_ldn(world, world.core.kind[f], world.core.names[f])
        yield element, ("AMFFunction" if amf else "SMFFunction", ldn, values)


def _row(ctx: ReportContext, name: str, f: int) -> FloatArray:
    table = ctx.acc.sum(f"core.{name}", (len(ctx.world.core), len(ctx.world.slices)))
    return np.asarray(table[f], dtype=np.float64)


def _gauges(ctx: ReportContext, f: int, steps: float, key: str, base: str) -> dict[str, Value]:
    """`<base>Mean` and `<base>Max` in total and per S-NSSAI (TS 28.552 status inspection)."""
    total = _row(ctx, key, f)
    peak = ctx.acc.max(f"core.{key}", (len(ctx.world.core), len(ctx.world.slices)))[f]
    values: dict[str, Value] = {
        f"{base}Mean": _r(total.sum() / steps) if steps else None,
        f"{base}Max": _i(peak.sum()),
    }
    for s, snssai in enumerate(ctx.world.slices.snssai):
        values[f"{base}Mean.{snssai}"] = _r(total[s] / steps) if steps else None
        values[f"{base}Max.{snssai}"] = _i(peak[s])
    return values


def _per_slice(ctx: ReportContext, f: int, pairs: tuple[tuple[str, str], ...]) -> dict[str, Value]:
    everything = np.ones(len(ctx.world.slices), dtype=bool)
    values: dict[str, Value] = {}
    for base, key in pairs:
        row = _row(ctx, key, f)
        values[base] = _i(row.sum())
        values.update(_slice_values(ctx, base, row, everything))
    return values


AMF_COUNTERS = (
    ("RM.RegInitReq", "reg_init_req"), ("RM.RegInitSucc", "reg_init_succ"),
    ("RM.RegMobReq", "reg_mob_req"), ("RM.RegMobSucc", "reg_mob_succ"),
    ("RM.RegPeriodReq", "reg_period_req"), ("RM.RegPeriodSucc", "reg_period_succ"),
)  # fmt: skip
SMF_COUNTERS = (
    ("SM.PduSessionCreationReq", "sess_req"), ("SM.PduSessionCreationSucc", "sess_succ"),
)  # fmt: skip


def _amf_values(ctx: ReportContext, f: int, steps: float) -> dict[str, Value]:
    acc, n = ctx.acc, len(ctx.world.core)
    values = _per_slice(ctx, f, AMF_COUNTERS)
    fails = acc.sum("core.reg_fail", (n, len(CAUSES)))[f]
    values["RM.RegInitFail"] = _i(fails.sum())
    values.update({f"RM.RegInitFail.{int(c)}": _i(fails[i]) for i, c in enumerate(CAUSES)})
    values["AMF.AuthReq"] = _i(acc.sum("core.auth_req", (n,))[f])
    values["AMF.AuthFail"] = _i(acc.sum("core.auth_fail", (n, len(CAUSES)))[f].sum())
    values.update(_gauges(ctx, f, steps, "registered", "RM.RegisteredSubNbr"))
    return values


def _smf_values(ctx: ReportContext, f: int, steps: float) -> dict[str, Value]:
    values = _per_slice(ctx, f, SMF_COUNTERS)
    values["SM.PduSessionCreationFail"] = _i(
        ctx.acc.sum("core.sess_fail", (len(ctx.world.core),))[f]
    )
    values.update(_gauges(ctx, f, steps, "sessions", "SM.SessionNbr"))
    return values


def _upfs(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    world, acc = ctx.world, ctx.acc
    n, ns = len(world.upfs), len(world.slices)
    steps = acc.sum("upf.steps", (n,))
    load, delay = acc.sum("upf.load", (n,)), acc.sum("upf.delay", (n,))
    for u in range(n):
        if world.upfs.me[u] < 0:
            continue
        element = world.elements.names[world.upfs.me[u]]
        name = world.upfs.names[u]
        values: dict[str, Value] = {}
        for base, key in (
            ("GTP.InDataOctN3UPF", "in_oct"), ("GTP.OutDataOctN3UPF", "out_oct"),
            ("GTP.InDataPktN3UPF", "in_pkt"), ("GTP.OutDataPktN3UPF", "out_pkt"),
        ):  # fmt: skip
            row = acc.sum(f"upf.{key}", (n, ns))[u]
            values[base] = _i(row.sum())
            values.update(_slice_values(ctx, base, row, world.upf_slices[u]))
        known = bool(ctx.upf_up[u]) and steps[u] > 0
        if not known:
            values = dict.fromkeys(values)
        function: dict[str, Value] = {
            "VS.UpfLoadMean": _r(load[u] / steps[u] * 100.0) if known else None,
            "VS.UpfProcDelayMean": _r(delay[u] / steps[u] * MICROSECONDS) if known else None,
        }
        yield element, ("EP_N3", n3_ldn(world, name), values)
        yield element, ("UPFFunction", function_ldn(world, "upf", name), function)
