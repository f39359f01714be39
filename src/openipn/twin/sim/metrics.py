"""Core functions' Prometheus metrics with the names and labels Open5GS exposes (standards §8).

Counters are cumulative since the function (re)started: a function that goes down loses them,
as a restarted Open5GS process does, and a function that is down exposes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.core import CAUSES, CoreEvents
from openipn.twin.sim.geometry import BoolArray, FloatArray
from openipn.twin.sim.world import World

Labels = dict[str, str]
Series = list[tuple[Labels, float]]
DEFAULT_QFI = "1"  # Open5GS maps the default QoS flow to QFI 1

AMF_TOTALS = (
    ("fivegs_amffunction_rm_reginitreq", "reg_init_req"),
    ("fivegs_amffunction_rm_reginitsucc", "reg_init_succ"),
    ("fivegs_amffunction_rm_regmobreq", "reg_mob_req"),
    ("fivegs_amffunction_rm_regmobsucc", "reg_mob_succ"),
    ("fivegs_amffunction_rm_regperiodreq", "reg_period_req"),
    ("fivegs_amffunction_rm_regperiodsucc", "reg_period_succ"),
)


@dataclass
class Gauges:
    """Current state the gauges report."""

    registered: FloatArray  # (core, slice) registered subscribers per AMF
    sessions: FloatArray  # (slice,) PDU sessions
    ran_ue: FloatArray  # per core function (AMF): connected UEs with NG context
    gnbs: FloatArray  # per core function (AMF): gNBs with an NG-C association
    upf_sessions: FloatArray  # per UPF
    upf_n4: BoolArray  # per UPF: PFCP association with the SMF
    core_up: BoolArray
    upf_up: BoolArray


class CoreMetrics:
    """Cumulative counters per core function and UPF."""

    def __init__(self, world: World) -> None:
        self.world = world
        n, ns = len(world.core), len(world.slices)
        self.core2 = {key: np.zeros((n, ns)) for _, key in AMF_TOTALS}
        self.core2.update(
            {k: np.zeros((n, ns)) for k in ("sess_req", "sess_succ", "am_assoc", "sm_assoc")}
        )
        self.core1 = {k: np.zeros(n) for k in ("auth_req", "sess_fail")}
        self.causes = {k: np.zeros((n, len(CAUSES))) for k in ("reg_fail", "auth_fail")}
        self.upf = {
            k: np.zeros(len(world.upfs)) for k in ("in_pkt", "out_pkt", "in_oct", "out_oct")
        }

    def add(
        self,
        events: CoreEvents,
        pcf: int,
        upf: dict[str, FloatArray],
        core_up: BoolArray,
        upf_up: BoolArray,
    ) -> None:
        """Fold one step in; counters of functions that are down start again from zero."""
        for key in self.core2:
            if hasattr(events, key):
                self.core2[key] += getattr(events, key)
        if pcf >= 0:
            self.core2["am_assoc"][pcf] += events.reg_init_succ.sum(axis=0)
            self.core2["sm_assoc"][pcf] += events.sess_succ.sum(axis=0)
        self.core1["auth_req"] += events.auth_req
        self.core1["sess_fail"] += events.sess_fail
        self.causes["reg_fail"] += events.reg_fail
        self.causes["auth_fail"] += events.auth_fail
        for key in self.upf:
            self.upf[key] += upf[key]
        for arrays in (self.core2, self.core1, self.causes):
            for array in arrays.values():
                array[~core_up] = 0.0
        for array in self.upf.values():
            array[~upf_up] = 0.0

    def export(self, gauges: Gauges) -> dict[str, dict[str, Series]]:
        """Metrics per running core function and UPF."""
        world = self.world
        out: dict[str, dict[str, Series]] = {}
        for f, kind in enumerate(world.core.kind):
            if not gauges.core_up[f]:
                continue
            if kind == "AMF":
                out[world.core.names[f]] = self._amf(f, gauges)
            elif kind == "SMF":
                out[world.core.names[f]] = self._smf(f, gauges)
            elif kind == "PCF":
                out[world.core.names[f]] = self._pcf(f)
        for u, name in enumerate(world.upfs.names):
            if gauges.upf_up[u]:
                out[name] = self._upf(u, gauges)
        return out

    def _slice_series(self, row: FloatArray) -> Series:
        labels = self.world.slices.label
        return [
            ({"plmnid": self.world.plmnid, "snssai": labels[s]}, float(row[s]))
            for s in range(len(labels))
        ]

    def _causes(self, row: FloatArray) -> Series:
        return [({"cause": str(int(c))}, float(row[i])) for i, c in enumerate(CAUSES) if row[i] > 0]

    def _amf(self, f: int, gauges: Gauges) -> dict[str, Series]:
        metrics: dict[str, Series] = {
            "ran_ue": [({}, float(gauges.ran_ue[f]))],
            "amf_session": [({}, float(gauges.sessions.sum()))],
            "gnb": [({}, float(gauges.gnbs[f]))],
        }
        for name, key in AMF_TOTALS:
            metrics[name] = [({}, float(self.core2[key][f].sum()))]
        metrics["fivegs_amffunction_rm_reginitfail"] = self._causes(self.causes["reg_fail"][f])
        metrics["fivegs_amffunction_amf_authreq"] = [({}, float(self.core1["auth_req"][f]))]
        metrics["fivegs_amffunction_amf_authreject"] = [({}, 0.0)]
        metrics["fivegs_amffunction_amf_authfail"] = self._causes(self.causes["auth_fail"][f])
        metrics["fivegs_amffunction_rm_registeredsubnbr"] = self._slice_series(gauges.registered[f])
        return metrics

    def _smf(self, f: int, gauges: Gauges) -> dict[str, Series]:
        return {
            "fivegs_smffunction_sm_pdusessioncreationreq": self._slice_series(
                self.core2["sess_req"][f]
            ),
            "fivegs_smffunction_sm_pdusessioncreationsucc": self._slice_series(
                self.core2["sess_succ"][f]
            ),
            "fivegs_smffunction_sm_sessionnbr": self._slice_series(gauges.sessions),
            "ues_active": [({}, float(gauges.sessions.sum()))],
            "pfcp_sessions_active": [({}, float(gauges.sessions.sum()))],
            "pfcp_peers_active": [({}, float(gauges.upf_n4.sum()))],
        }

    def _pcf(self, f: int) -> dict[str, Series]:
        return {
            "fivegs_pcffunction_pa_policyamassoreq": self._slice_series(self.core2["am_assoc"][f]),
            "fivegs_pcffunction_pa_policyamassosucc": self._slice_series(self.core2["am_assoc"][f]),
            "fivegs_pcffunction_pa_policysmassoreq": self._slice_series(self.core2["sm_assoc"][f]),
            "fivegs_pcffunction_pa_policysmassosucc": self._slice_series(self.core2["sm_assoc"][f]),
        }

    def _upf(self, u: int, gauges: Gauges) -> dict[str, Series]:
        qfi = {"qfi": DEFAULT_QFI}
        return {
            "fivegs_ep_n3_gtp_indatapktn3upf": [({}, float(self.upf["in_pkt"][u]))],
            "fivegs_ep_n3_gtp_outdatapktn3upf": [({}, float(self.upf["out_pkt"][u]))],
            "fivegs_ep_n3_gtp_indatavolumeqosleveln3upf": [(qfi, float(self.upf["in_oct"][u]))],
            "fivegs_ep_n3_gtp_outdatavolumeqosleveln3upf": [(qfi, float(self.upf["out_oct"][u]))],
            "fivegs_upffunction_upf_sessionnbr": [({}, float(gauges.upf_sessions[u]))],
            "pfcp_peers_active": [({}, 1.0 if gauges.upf_n4[u] else 0.0)],
        }
