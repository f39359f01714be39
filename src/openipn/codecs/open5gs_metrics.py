"""Open5GS Prometheus metrics as data: names, types, labels and their TS 28.552 counterparts.

Facts come from standards.md §8 (Open5GS ``src/{amf,smf,upf,pcf}/metrics.c``); the help texts
are our own words. Serving quirks (§8.1): only ``GET /metrics`` serves metrics (``/metrics/``
fails), ``/`` is a health check, the default port is 9090. Open5GS registers every label-less
metric at start-up with value 0, while a labelled series appears once it is first counted.
Counters carry no ``_total`` suffix (Open5GS names are kept verbatim).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from openipn.codecs.prom_text import MetricFamily, MetricType, Sample, histogram_samples
from openipn.model.identifiers import PlmnId, Snssai

METRICS_PATH = "/metrics"  # standards.md §8.1: a trailing slash is not served
HEALTH_PATH = "/"
DEFAULT_PORT = 9090


class Open5gsNf(StrEnum):
    """Open5GS network functions that expose Prometheus metrics (5GC side)."""

    AMF = "AMF"
    SMF = "SMF"
    UPF = "UPF"
    PCF = "PCF"


class Collection(StrEnum):
    """TS 32.401 collection methods used by TS 28.552 measurements."""

    CC = "CC"  # cumulative counter: the measurement is the increase over the period
    SI = "SI"  # status inspection: a sampled gauge, reported as Mean and Max


@dataclass(frozen=True)
class Ts28552Ref:
    """The TS 28.552 measurement(s) an Open5GS metric feeds."""

    measurements: tuple[str, ...]
    method: Collection
    subcounter_label: str | None = None  # Open5GS label holding the 28.552 sub-counter key
    verified: bool = False  # True where standards.md §2.2 tags the name [V]

    @property
    def measurement(self) -> str:
        """The first (main) measurement name."""
        return self.measurements[0]


@dataclass(frozen=True)
class MetricSpec:
    """One Open5GS metric: owning NF, name, type, help, label names, 28.552 mapping."""

    nf: Open5gsNf
    name: str
    type: MetricType
    help: str
    labels: tuple[str, ...] = ()
    ts28552: Ts28552Ref | None = None
    buckets: tuple[float, ...] = ()  # histogram upper bounds, +Inf implied


@dataclass(frozen=True)
class HistogramValue:
    """Current state of a histogram: cumulative count per bucket bound, sum and count."""

    cumulative: tuple[float, ...]
    total: float = 0.0
    count: float = 0.0

    @classmethod
    def of(cls, bounds: Sequence[float], observations: Sequence[float]) -> HistogramValue:
        """Histogram state after the given observations."""
        cumulative = tuple(float(sum(1 for x in observations if x <= b)) for b in bounds)
        return cls(cumulative, float(sum(observations)), float(len(observations)))


LabelKey = tuple[str, ...] | str
MetricValue = float | Mapping[LabelKey, float] | HistogramValue

_A, _S, _U, _P = Open5gsNf.AMF, Open5gsNf.SMF, Open5gsNf.UPF, Open5gsNf.PCF
_C, _G, _H = MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM
_SLICE = ("plmnid", "snssai")
_CAUSE = ("cause",)


def _cc(measurement: str, sub: str | None = None, *, verified: bool = False) -> Ts28552Ref:
    return Ts28552Ref((measurement,), Collection.CC, sub, verified)


def _si(base: str, sub: str | None = None, *, verified: bool = False) -> Ts28552Ref:
    return Ts28552Ref((f"{base}Mean", f"{base}Max"), Collection.SI, sub, verified)


# Open5GS exponential buckets for the registration-time histogram: start 20, factor 2, 8 buckets.
_REGTIME_BUCKETS = tuple(20.0 * 2**k for k in range(8))
_AMF_RM = "fivegs_amffunction_rm_"
_SMF_SM = "fivegs_smffunction_sm_"
_UPF = "fivegs_upffunction_"
_N3 = "fivegs_ep_n3_gtp_"
_PCF_PA = "fivegs_pcffunction_pa_"

# standards.md §8.2 (metric names, types, labels) and §2.2 (28.552 names, [V]/[K] tags).
# fmt: off
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(_A, "ran_ue", _G, "UE contexts the AMF holds towards the RAN"),
    MetricSpec(_A, "amf_session", _G, "PDU sessions known to the AMF"),
    MetricSpec(_A, "gnb", _G, "Connected gNBs, one series per NGAP peer address", ("addr",)),
    MetricSpec(_A, f"{_AMF_RM}reginitreq", _C, "Initial registration requests received",
               ts28552=_cc("RM.RegInitReq", verified=True)),
    MetricSpec(_A, f"{_AMF_RM}reginitsucc", _C, "Initial registrations accepted",
               ts28552=_cc("RM.RegInitSucc")),
    MetricSpec(_A, f"{_AMF_RM}regmobreq", _C, "Mobility registration update requests received",
               ts28552=_cc("RM.RegMobReq")),
    MetricSpec(_A, f"{_AMF_RM}regmobsucc", _C, "Mobility registration updates accepted",
               ts28552=_cc("RM.RegMobSucc")),
    MetricSpec(_A, f"{_AMF_RM}regperiodreq", _C, "Periodic registration update requests received",
               ts28552=_cc("RM.RegPeriodReq")),
    MetricSpec(_A, f"{_AMF_RM}regperiodsucc", _C, "Periodic registration updates accepted",
               ts28552=_cc("RM.RegPeriodSucc")),
    MetricSpec(_A, f"{_AMF_RM}regemergreq", _C, "Emergency registration requests received",
               ts28552=_cc("RM.RegEmergReq")),
    MetricSpec(_A, f"{_AMF_RM}regemergsucc", _C, "Emergency registrations accepted",
               ts28552=_cc("RM.RegEmergSucc")),
    MetricSpec(_A, "fivegs_amffunction_mm_paging5greq", _C, "5G paging procedures started",
               ts28552=_cc("MM.Paging5GReq")),
    MetricSpec(_A, "fivegs_amffunction_mm_paging5gsucc", _C, "5G paging procedures that succeeded",
               ts28552=_cc("MM.Paging5GSucc")),
    MetricSpec(_A, "fivegs_amffunction_amf_authreq", _C, "Authentication requests sent to UEs",
               ts28552=_cc("AMF.AuthReq")),
    MetricSpec(_A, "fivegs_amffunction_amf_authreject", _C, "Authentication rejects sent to UEs",
               ts28552=_cc("AMF.AuthReject")),
    MetricSpec(_A, "fivegs_amffunction_mm_confupdate", _C, "UE configuration updates commanded",
               ts28552=_cc("MM.ConfUpdate")),
    MetricSpec(_A, "fivegs_amffunction_mm_confupdatesucc", _C, "UE configuration updates completed",
               ts28552=_cc("MM.ConfUpdateSucc")),
    # Unit not stated by the source; the twin treats observations as milliseconds.
    MetricSpec(_A, f"{_AMF_RM}regtime", _H, "Duration of registration procedures",
               buckets=_REGTIME_BUCKETS),
    MetricSpec(_A, f"{_AMF_RM}registeredsubnbr", _G, "Subscribers in RM-REGISTERED state",
               _SLICE, _si("RM.RegisteredSubNbr", "snssai", verified=True)),
    MetricSpec(_A, f"{_AMF_RM}reginitfail", _C, "Initial registrations rejected, by cause",
               _CAUSE, _cc("RM.RegInitFail", "cause")),
    MetricSpec(_A, f"{_AMF_RM}regmobfail", _C, "Mobility registration updates rejected, by cause",
               _CAUSE, _cc("RM.RegMobFail", "cause")),
    MetricSpec(_A, f"{_AMF_RM}regperiodfail", _C, "Periodic registration updates rejected",
               _CAUSE, _cc("RM.RegPeriodFail", "cause")),
    MetricSpec(_A, f"{_AMF_RM}regemergfail", _C, "Emergency registrations rejected, by cause",
               _CAUSE, _cc("RM.RegEmergFail", "cause")),
    MetricSpec(_A, "fivegs_amffunction_amf_authfail", _C, "Authentication failures from UEs",
               _CAUSE, _cc("AMF.AuthFail", "cause")),
    # SMF: label-less first, then by slice, by slice and 5QI, by cause (Open5GS order).
    MetricSpec(_S, "gtp_new_node_failed", _C, "GTP peer nodes that could not be allocated"),
    MetricSpec(_S, "gn_rx_parse_failed", _C, "GTPv1-C messages dropped as unparsable"),
    MetricSpec(_S, "gn_rx_createpdpcontextreq", _C, "GTPv1-C Create PDP Context Requests"),
    MetricSpec(_S, "gn_rx_deletepdpcontextreq", _C, "GTPv1-C Delete PDP Context Requests"),
    MetricSpec(_S, "s5c_rx_parse_failed", _C, "GTPv2-C messages dropped as unparsable"),
    MetricSpec(_S, "s5c_rx_createsession", _C, "GTPv2-C Create Session Requests"),
    MetricSpec(_S, "s5c_rx_deletesession", _C, "GTPv2-C Delete Session Requests"),
    MetricSpec(_S, f"{_SMF_SM}n4sessionestabreq", _C, "N4 session establishments requested",
               ts28552=_cc("SM.N4SessionEstabReq")),
    MetricSpec(_S, f"{_SMF_SM}n4sessionreport", _C, "N4 session reports received",
               ts28552=_cc("SM.N4SessionReport")),
    MetricSpec(_S, f"{_SMF_SM}n4sessionreportsucc", _C, "N4 session reports handled",
               ts28552=_cc("SM.N4SessionReportSucc")),
    MetricSpec(_S, "ues_active", _G, "UEs with at least one session at the SMF"),
    MetricSpec(_S, "bearers_active", _G, "Bearers / QoS flows active at the SMF"),
    MetricSpec(_S, "gtp1_pdpctxs_active", _G, "GTPv1 PDP contexts active (GGSN role)"),
    MetricSpec(_S, "gtp2_sessions_active", _G, "GTPv2 sessions active (PGW role)"),
    MetricSpec(_S, "gtp_peers_active", _G, "GTP peers known to the SMF"),
    MetricSpec(_S, "pfcp_sessions_active", _G, "PFCP sessions towards UPFs"),
    MetricSpec(_S, "pfcp_peers_active", _G, "PFCP peers (UPFs) associated"),
    MetricSpec(_S, f"{_SMF_SM}sessionnbr", _G, "PDU sessions active, by slice",
               _SLICE, _si("SM.SessionNbr", "snssai", verified=True)),
    MetricSpec(_S, f"{_SMF_SM}pdusessioncreationreq", _C, "PDU session creations requested",
               _SLICE, _cc("SM.PduSessionCreationReq", "snssai", verified=True)),
    MetricSpec(_S, f"{_SMF_SM}pdusessioncreationsucc", _C, "PDU session creations completed",
               _SLICE, _cc("SM.PduSessionCreationSucc", "snssai")),
    MetricSpec(_S, f"{_SMF_SM}qos_flow_nbr", _G, "QoS flows active, by slice and 5QI",
               ("plmnid", "snssai", "fiveqi")),
    MetricSpec(_S, f"{_SMF_SM}n4sessionestabfail", _C, "N4 session establishments failed",
               _CAUSE, _cc("SM.N4SessionEstabFail", "cause")),
    MetricSpec(_S, f"{_SMF_SM}pdusessioncreationfail", _C, "PDU session creations failed",
               _CAUSE, _cc("SM.PduSessionCreationFail", "cause")),
    # UPF
    MetricSpec(_U, f"{_N3}indatapktn3upf", _C, "GTP-U packets received on N3 (uplink)",
               ts28552=_cc("GTP.InDataPktN3UPF", verified=True)),
    MetricSpec(_U, f"{_N3}outdatapktn3upf", _C, "GTP-U packets sent on N3 (downlink)",
               ts28552=_cc("GTP.OutDataPktN3UPF", verified=True)),
    MetricSpec(_U, f"{_UPF}sm_n4sessionestabreq", _C, "N4 session establishments received",
               ts28552=_cc("SM.N4SessionEstabReq")),
    MetricSpec(_U, f"{_UPF}sm_n4sessionreport", _C, "N4 session reports sent",
               ts28552=_cc("SM.N4SessionReport")),
    MetricSpec(_U, f"{_UPF}sm_n4sessionreportsucc", _C, "N4 session reports acknowledged",
               ts28552=_cc("SM.N4SessionReportSucc")),
    MetricSpec(_U, f"{_UPF}upf_sessionnbr", _G, "PFCP sessions installed in the UPF"),
    MetricSpec(_U, "pfcp_peers_active", _G, "PFCP peers (SMFs) associated"),
    # Octets per QFI; 28.552 has no per-QFI sub-counter, so the platform sums over qfi.
    MetricSpec(_U, f"{_N3}indatavolumeqosleveln3upf", _C, "Octets received on N3, by QFI",
               ("qfi",), _cc("GTP.InDataOctN3UPF")),
    MetricSpec(_U, f"{_N3}outdatavolumeqosleveln3upf", _C, "Octets sent on N3, by QFI",
               ("qfi",), _cc("GTP.OutDataOctN3UPF")),
    MetricSpec(_U, f"{_UPF}sm_n4sessionestabfail", _C, "N4 session establishments refused",
               _CAUSE, _cc("SM.N4SessionEstabFail", "cause")),
    MetricSpec(_U, f"{_UPF}upf_qosflows", _G, "QoS flows installed in the UPF, by DNN", ("dnn",)),
    # PCF
    MetricSpec(_P, f"{_PCF_PA}policyamassoreq", _C, "AM policy association requests",
               _SLICE, _cc("PA.PolicyAMAssoReq", "snssai", verified=True)),
    MetricSpec(_P, f"{_PCF_PA}policyamassosucc", _C, "AM policy associations created",
               _SLICE, _cc("PA.PolicyAMAssoSucc", "snssai", verified=True)),
    MetricSpec(_P, f"{_PCF_PA}policysmassoreq", _C, "SM policy association requests",
               _SLICE, _cc("PA.PolicySMAssoReq", "snssai", verified=True)),
    MetricSpec(_P, f"{_PCF_PA}policysmassosucc", _C, "SM policy associations created",
               _SLICE, _cc("PA.PolicySMAssoSucc", "snssai", verified=True)),
    MetricSpec(_P, f"{_PCF_PA}sessionnbr", _G, "SM policy sessions active, by slice", _SLICE),
)
# fmt: on

# Reverse table for the platform: scraped metric name -> TS 28.552 measurement(s).
TO_TS28552: Mapping[str, Ts28552Ref] = MappingProxyType(
    {spec.name: spec.ts28552 for spec in METRICS if spec.ts28552 is not None}
)


def to_ts28552(metric_name: str) -> Ts28552Ref | None:
    """The TS 28.552 measurement an Open5GS metric maps to, or None when it has none."""
    return TO_TS28552.get(metric_name)


def specs_for(nf_type: str) -> tuple[MetricSpec, ...]:
    """The metrics one NF exposes, in Open5GS order; ValueError for NFs without metrics."""
    try:
        nf = Open5gsNf(nf_type.upper())
    except ValueError:
        known = ", ".join(Open5gsNf)
        raise ValueError(f"Open5GS exposes no metrics for {nf_type!r} (only {known})") from None
    return tuple(spec for spec in METRICS if spec.nf is nf)


def plmnid_label(plmn: PlmnId) -> str:
    """The ``plmnid`` label value: MCC then MNC digits, e.g. ``00101``."""
    return f"{plmn.mcc}{plmn.mnc}"


def snssai_label(snssai: Snssai) -> str:
    """The ``snssai`` label value as recent Open5GS prints it: ``1`` or ``1-000001``."""
    return f"{snssai.sst}-{snssai.sd}" if snssai.sd else str(snssai.sst)


def families_for(nf_type: str, values: Mapping[str, MetricValue]) -> list[MetricFamily]:
    """Families one NF's /metrics shows, given the twin's current values keyed by metric name.

    Label-less metrics default to 0 (Open5GS registers them at start-up); labelled metrics
    take a mapping from label values (a tuple in label order, or a string for one label) to
    the value; histograms take a HistogramValue.
    """
    specs = specs_for(nf_type)
    unknown = sorted(set(values) - {spec.name for spec in specs})
    if unknown:
        raise ValueError(f"not {nf_type.upper()} metrics: {unknown}")
    return [
        MetricFamily(spec.name, spec.type, spec.help, _samples(spec, values.get(spec.name)))
        for spec in specs
    ]


def _samples(spec: MetricSpec, value: MetricValue | None) -> list[Sample]:
    if spec.type is MetricType.HISTOGRAM:
        zero = HistogramValue(tuple(0.0 for _ in spec.buckets))
        return _histogram(spec, zero if value is None else value)
    if not spec.labels:
        if isinstance(value, Mapping | HistogramValue):
            raise TypeError(f"{spec.name} has no labels; give a number")
        return [_sample(spec, (), 0.0 if value is None else value)]
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise TypeError(f"{spec.name} is labelled by {spec.labels}; give a mapping")
    return [_sample(spec, key, number) for key, number in value.items()]


def _sample(spec: MetricSpec, key: LabelKey, value: float) -> Sample:
    key = (key,) if isinstance(key, str) else tuple(key)
    if len(key) != len(spec.labels):
        raise ValueError(f"{spec.name} needs label values for {spec.labels}, got {key}")
    number = float(value)
    if spec.type is MetricType.COUNTER and not number >= 0:
        raise ValueError(f"counter {spec.name} cannot be {number}")
    return Sample(spec.name, dict(zip(spec.labels, key, strict=True)), number)


def _histogram(spec: MetricSpec, value: MetricValue) -> list[Sample]:
    if not isinstance(value, HistogramValue):
        raise TypeError(f"{spec.name} is a histogram; give a HistogramValue")
    if math.isnan(value.count) or value.count < max(value.cumulative, default=0.0):
        raise ValueError(f"{spec.name}: count is below a bucket count")
    return histogram_samples(spec.name, spec.buckets, value.cumulative, value.total, value.count)
