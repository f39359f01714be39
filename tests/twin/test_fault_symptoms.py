"""Every fault type, injected into the running twin, seen only in what it emits.

Each case runs the small plant with one fault from minute 10 to 20 and compares what came over
the wire (VES events at a real collector, TS 32.435 files read back with the codec, /metrics
scraped and NETCONF read over their sockets) with the quiet baseline before the fault and
with the same windows of a healthy run of the same seed. Symptoms that docs/faults.md or the
issue promise are asserted here, configuration and state symptoms (NETCONF, change
notifications) at the end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from wire_kit import (
    AFTER,
    BASELINE,
    FAULT,
    FAULT_AT,
    FAULT_END,
    RUN_FOR,
    SETTLED,
    STEP_S,
    Collector,
    Window,
    Wire,
    cell_object,
    document,
    element_of,
    element_of_node,
    fault_spec,
    instant,
    observe,
    read_pm,
    snssai,
    source_of,
    window,
)

from openipn.codecs.ves import CONFIG_CHANGE_TYPE, Domain
from openipn.model.radio import Gnb
from openipn.model.topology import behind
from openipn.twin.sim.faults import CATALOGUE

pytestmark = pytest.mark.slow  # 22 twin runs of 25 simulated minutes: about 40 s
T = TypeVar("T")
Check = Callable[[Wire, Wire], None]  # (the faulted run, the healthy run)
URLLC, URLLC_LABEL = snssai("urllc-control")  # the AGVs' slice
CELLS = ("gnb-ws1-01-c1", "gnb-ws1-01-c2", "gnb-ws1-02-c1")  # every cell of the plant
FIRST_STEP = FAULT.begin + dt.timedelta(seconds=STEP_S)
BEFORE_HOLDOVER = window(10, 14)  # PTP lost, the 300 s holdover not over yet
AMF = ("me-core-1", "AMFFunction=amf-1")  # (element, LDN suffix) of PM objects
SMF = ("me-core-1", "SMFFunction=smf-1")
N3 = ("me-upf-1", "EP_N3=1")


@dataclass(frozen=True)
class Case:
    """A fault to inject, the symptoms to find, and elements to read over NETCONF meanwhile."""

    target: str
    check: Check
    netconf: tuple[str, ...] = ()
    params: dict[str, float | str] = field(default_factory=dict)


# --- readings --------------------------------------------------------------------------------


def only(items: Iterable[T]) -> T:
    """The one item there must be."""
    found = list(items)
    assert len(found) == 1, f"expected exactly one, got {found}"
    return found[0]


def number(value: float | None) -> float:
    """A mean that must be known."""
    assert value is not None, "expected a value, got NIL in every period"
    return value


def gnbs_behind(*, link: str | None = None, node: str | None = None) -> set[str]:
    """Managed elements of the gNBs that lose the core when a link or node fails (site file)."""
    gnbs = {g.name for g in document().objects("gnbs") if isinstance(g, Gnb)}
    return {element_of_node(n) for n in behind(document(), link=link, node=node) & gnbs}


def silent(hit: Wire, elements: set[str]) -> None:
    """The elements heartbeat and report before and after the fault, and say nothing during."""
    for element in elements:
        source = source_of(element)
        assert hit.heartbeats(BASELINE)[source] == 5 and hit.heartbeats(FAULT)[source] == 0
        assert hit.heartbeats(AFTER)[source] == 3, f"{source} did not come back"
        assert len(hit.files(element, BASELINE)) == 5 and hit.files(element, FAULT) == []
        assert hit.of(Domain.FAULT, source, FAULT) == [], f"{source} spoke while down"


def drop(hit: Wire, nf: str, name: str, **labels: str) -> float:
    """How much a gauge fell from the baseline scrape to the scrape during the fault."""
    return hit.at(FAULT_AT).value(nf, name, **labels) - hit.at(FAULT_END).value(nf, name, **labels)


def cell(wire: Wire, name: str, cls: str, counter: str, within: Window = SETTLED) -> float | None:
    """Mean of a cell counter over the periods of a window."""
    return wire.mean(*cell_object(name, cls), counter, within)


def delta(hit: Wire, calm: Wire, element: str, suffix: str, counter: str) -> float:
    """How far a counter's mean over the settled fault window moved from the healthy run's."""
    return number(hit.mean(element, suffix, counter, SETTLED)) - number(
        calm.mean(element, suffix, counter, SETTLED)
    )


def cells_total(wire: Wire, cls: str, counter: str, within: Window = FAULT) -> float:
    """A counter summed over every cell and every period of a window."""
    return math.fsum(wire.total(*cell_object(name, cls), counter, within) for name in CELLS)


# --- one check per fault type ----------------------------------------------------------------


def gnb_down(hit: Wire, calm: Wire) -> None:
    silent(hit, {"me-gnb-ws1-02"})
    assert drop(hit, "amf-1", "gnb") == 1 and hit.at(RUN_FOR).value("amf-1", "gnb") == 2
    assert hit.raised("LINK_DOWN", FAULT) == {
        ("tsn-ws1", "ManagedElement=me-tsn-ws1,EP_RP=acc-gnb-ws1-02")
    }
    # its terminals re-establish RRC on gnb-ws1-01's cells and register again
    assert cells_total(calm, "NRCellCU", "RRC.ConnEstabAtt") == 0
    assert cells_total(hit, "NRCellCU", "RRC.ConnEstabAtt") > 0
    assert hit.total(*AMF, "RM.RegInitReq", FAULT) > 0 == calm.total(*AMF, "RM.RegInitReq", FAULT)
    assert hit.raised("HIGH_UL_INTERFERENCE") == set()  # no stale measurement at its restart


def transport_link_down(hit: Wire, calm: Wire) -> None:
    lost = gnbs_behind(link="acc-gnb-ws1-01")
    assert lost == {"me-gnb-ws1-01"}
    silent(hit, lost)
    assert drop(hit, "amf-1", "gnb") == len(lost)
    assert hit.raised("LINK_DOWN", FAULT) == {
        ("tsn-ws1", "ManagedElement=me-tsn-ws1,EP_RP=acc-gnb-ws1-01")
    }


def switch_down(hit: Wire, calm: Wire) -> None:
    lost = gnbs_behind(node="tsn-ws1")
    assert lost == {"me-gnb-ws1-01", "me-gnb-ws1-02"}
    silent(hit, lost | {"me-tsn-ws1"})
    assert drop(hit, "amf-1", "gnb") == len(lost)
    assert hit.at(FAULT_END).value("amf-1", "ran_ue") == 0  # every terminal was behind it
    assert {s for s, _ in hit.raised("LINK_DOWN", FAULT)} == {"cs-1", "cs-2"}  # ring neighbours


def cell_outage(hit: Wire, calm: Wire) -> None:
    alarm = only(hit.alarms(FAULT, condition="CELL_UNAVAILABLE"))
    assert alarm.source_name == "gnb-ws1-01" and str(alarm.severity) == "CRITICAL"
    assert alarm.last == FIRST_STEP
    assert hit.raised("CELL_UNAVAILABLE") == {
        ("gnb-ws1-01", "ManagedElement=me-gnb-ws1-01,GNBDUFunction=1,NRCellDU=1")
    }
    assert number(cell(calm, "gnb-ws1-01-c1", "NRCellCU", "RRC.ConnMean")) > 3
    assert cell(hit, "gnb-ws1-01-c1", "NRCellCU", "RRC.ConnMean") == 0
    assert cell(hit, "gnb-ws1-01-c1", "NRCellDU", "DRB.MeanActiveUeDl") == 0
    assert cell(hit, "gnb-ws1-01-c1", "NRCellDU", "RRU.PrbAvailDl") == 0  # not radiating
    assert cell(hit, "gnb-ws1-01-c1", "NRCellDU", "DRB.UEThpDl") is None  # NIL
    assert hit.heartbeats(FAULT)["gnb-ws1-01"] == 10
    assert cells_total(hit, "NRCellCU", "RRC.ConnEstabAtt") > 0  # neighbours take its UEs


def cell_sleeping(hit: Wire, calm: Wire) -> None:
    assert hit.of(Domain.FAULT) == []  # no alarm, anywhere, ever
    assert number(cell(calm, "gnb-ws1-01-c1", "NRCellCU", "RRC.ConnMean")) > 3
    for cls, counter in (("NRCellCU", "RRC.ConnMean"), ("NRCellDU", "DRB.MeanActiveUeDl")):
        assert cell(hit, "gnb-ws1-01-c1", cls, counter) == 0
    assert cell(hit, "gnb-ws1-01-c1", "NRCellDU", "RRU.PrbUsedUl") == 0
    assert cell(hit, "gnb-ws1-01-c1", "NRCellDU", "RRU.PrbAvailDl") == 273  # "in service"
    netconf = hit.netconf["me-gnb-ws1-01"]
    assert netconf.cell("gnb-ws1-01-c1", "administrativeState") == "UNLOCKED"
    assert netconf.cell("gnb-ws1-01-c1", "operationalState") == "ENABLED"
    assert number(cell(hit, "gnb-ws1-01-c1", "NRCellCU", "RRC.ConnMean", AFTER)) > 3


def transport_congestion(hit: Wire, calm: Wire) -> None:
    assert hit.of(Domain.FAULT) == []
    port = "EP_RP=ring-cs-1-tsn-ws1"
    for element in ("me-cs-1", "me-tsn-ws1"):  # both ends of the congested ring link
        assert number(calm.mean(element, port, "VS.IfUtilMean", SETTLED)) < 10
        assert hit.mean(element, port, "VS.IfUtilMean", SETTLED) == 100
        assert calm.total(element, port, "VS.IfDiscardOctets", FAULT) == 0
        assert hit.total(element, port, "VS.IfDiscardOctets", FAULT) > 0
        for counter in ("VS.IfDelayMean", "VS.IfDelayMax"):  # egress queueing, in µs
            assert number(calm.mean(element, port, counter, SETTLED)) < 100
            assert number(hit.mean(element, port, counter, SETTLED)) >= 1000  # 2 ms buffer full
    uplink = (*N3, "GTP.InDataOctN3UPF", SETTLED)  # lost on the way to the UPF
    assert number(hit.mean(*uplink)) < 0.95 * number(calm.mean(*uplink))
    packets = (*N3, "GTP.InDataPktN3UPF", SETTLED)  # packets are lost with their octets
    assert number(hit.mean(*packets)) < 0.95 * number(calm.mean(*packets))


def interference(hit: Wire, calm: Wire) -> None:
    def rise(counter: str) -> float:
        return delta(hit, calm, *cell_object("gnb-ws1-02-c1", "NRCellDU"), counter)

    assert rise("VS.UlInterferencePerPrbMean") > 10  # dB, for 20 dB injected
    assert rise("VS.UlSinrMean") < -5 and rise("DRB.UEThpUl") < 0
    assert rise("RRU.PrbUsedUl") > 0 and rise("DRB.AirIfDelayUl") > 0  # lower MCS, more HARQ
    assert hit.raised("HIGH_UL_INTERFERENCE", FAULT) == {
        ("gnb-ws1-02", "ManagedElement=me-gnb-ws1-02,GNBDUFunction=1,NRCellDU=1")
    }


def upf_overload(hit: Wire, calm: Wire) -> None:
    assert hit.raised("UPF_OVERLOAD", FAULT) == {
        ("upf-1", "ManagedElement=me-upf-1,UPFFunction=upf-1")
    }
    load = ("me-upf-1", "UPFFunction=upf-1", "VS.UpfLoadMean", SETTLED)
    assert number(calm.mean(*load)) < 10 and hit.mean(*load) == 150
    delay = ("me-upf-1", "UPFFunction=upf-1", "VS.UpfProcDelayMean", SETTLED)  # µs
    assert number(calm.mean(*delay)) < 100 and number(hit.mean(*delay)) >= 10_000  # queue full
    req, succ = f"SM.PduSessionCreationReq.{URLLC}", f"SM.PduSessionCreationSucc.{URLLC}"
    assert calm.total(*SMF, req, FAULT) == 0
    assert hit.total(*SMF, succ, FAULT) < hit.total(*SMF, req, FAULT)
    metrics = hit.at(FAULT_END)
    assert metrics.value("smf-1", "fivegs_smffunction_sm_pdusessioncreationsucc") < (
        metrics.value("smf-1", "fivegs_smffunction_sm_pdusessioncreationreq")
    )
    downlink = (*N3, "GTP.OutDataOctN3UPF", SETTLED)  # a third dropped (1 - 1/load)
    assert number(hit.mean(*downlink)) < 0.75 * number(calm.mean(*downlink))


def upf_down(hit: Wire, calm: Wire) -> None:
    assert hit.raised("NF_UNAVAILABLE", FAULT) == {
        ("upf-1", "ManagedElement=me-upf-1,UPFFunction=upf-1")
    }
    assert hit.heartbeats(FAULT)["upf-1"] == 10  # the server stays up and manageable
    assert hit.at(FAULT_AT).exposes("upf-1") and not hit.at(FAULT_END).exposes("upf-1")
    assert hit.at(RUN_FOR).exposes("upf-1")
    n3 = hit.counter(*N3, "GTP.InDataOctN3UPF", FAULT)
    assert len(n3) == 10 and set(n3) == {None}  # NIL, never a made-up number
    assert hit.total(*SMF, f"SM.PduSessionCreationReq.{URLLC}", FAULT) > 0
    assert hit.total(*SMF, f"SM.PduSessionCreationSucc.{URLLC}", FAULT) == 0
    assert calm.total(*SMF, "SM.PduSessionCreationFail", FAULT) == 0
    assert hit.total(*SMF, "SM.PduSessionCreationFail", FAULT) > 0
    assert drop(hit, "smf-1", "pfcp_peers_active") == 1
    sessions = "fivegs_smffunction_sm_sessionnbr"
    assert hit.at(FAULT_END).value("smf-1", sessions, snssai=URLLC_LABEL) == 0


def amf_down(hit: Wire, calm: Wire) -> None:
    assert hit.raised("NF_UNAVAILABLE", FAULT) == {
        ("core-1", "ManagedElement=me-core-1,AMFFunction=amf-1")
    }
    assert hit.at(FAULT_AT).exposes("amf-1") and not hit.at(FAULT_END).exposes("amf-1")
    registrations = hit.counter(*AMF, "RM.RegInitReq", FAULT)
    assert len(registrations) == 10 and set(registrations) == {None}
    gnbs = {s for s, _ in hit.raised("NG_INTERFACE_FAILURE", FAULT)}
    assert gnbs == {"gnb-ws1-01", "gnb-ws1-02"}
    assert hit.at(FAULT_END).value("smf-1", "fivegs_smffunction_sm_sessionnbr") == 0
    for name in CELLS:  # barred cells keep nobody
        assert cell(hit, name, "NRCellCU", "RRC.ConnMean") == 0
    again = window(20, 22)  # everyone registers again (a timed-out attempt is retried)
    assert hit.total(*AMF, "RM.RegInitSucc", again) == 20 <= hit.total(*AMF, "RM.RegInitReq", again)


def edge_node_down(hit: Wire, calm: Wire) -> None:
    assert hit.raised("NF_UNAVAILABLE", FAULT) == {
        ("mec-1", "ManagedElement=me-mec-1,EASFunction=mec-1")
    }
    users = ("me-mec-1", "EASFunction=mec-1", "VS.EasActiveUeMean", FAULT)
    assert calm.mean(*users) == 20 and set(hit.counter(*users)) == {None}
    for counter in ("GTP.InDataOctN3UPF", "GTP.InDataPktN3UPF"):  # the UEs keep sending ...
        assert number(hit.mean(*N3, counter, SETTLED)) > 0.9 * number(
            calm.mean(*N3, counter, SETTLED)
        )
    for counter in ("GTP.OutDataOctN3UPF", "GTP.OutDataPktN3UPF"):  # ... the dead server not
        assert number(calm.mean(*N3, counter, SETTLED)) > 0 == hit.total(*N3, counter, SETTLED)
    for counter in ("RM.RegisteredSubNbrMean", "RM.RegInitReq"):  # the core looks normal
        assert hit.counter(*AMF, counter, FAULT) == calm.counter(*AMF, counter, FAULT)
    assert hit.counter(*SMF, "SM.SessionNbrMean", FAULT) == calm.counter(
        *SMF, "SM.SessionNbrMean", FAULT
    )


def ptp_sync_loss(hit: Wire, calm: Wire) -> None:
    clock = ("me-gm-1", "PtpClock=gm-1", "VS.PtpClockClass")
    assert set(calm.counter(*clock, FAULT)) == {6}  # locked (ITU-T G.8275.1 clockClass)
    assert set(hit.counter(*clock, BEFORE_HOLDOVER)) == {7}  # holdover: degraded ...
    assert hit.alarms(BEFORE_HOLDOVER) == []  # ... and no alarm yet
    for node in ("gm-1", "tsn-ws1", "gnb-ws1-01"):  # but the time error grows (ns) ...
        error = (element_of_node(node), f"PtpClock={node}", "VS.PtpTimeErrorMax")
        assert set(calm.counter(*error, FAULT)) == {0}
        grown = hit.counter(*error, BEFORE_HOLDOVER)
        assert grown == sorted(grown) and number(grown[0]) > 0, grown
    for name in CELLS:  # ... and misaligned slots lengthen the air interface delay (0.1 ms)
        for counter in ("DRB.AirIfDelayUl", "DRB.AirIfDelayDl"):
            before = number(cell(calm, name, "NRCellDU", counter, BEFORE_HOLDOVER))
            assert number(cell(hit, name, "NRCellDU", counter, BEFORE_HOLDOVER)) >= before + 1
    assert set(hit.counter(*clock, SETTLED)) == {248}  # free-running
    every_clock = {"gm-1", "cs-1", "cs-2", "tsn-ws1", "gnb-ws1-01", "gnb-ws1-02"}
    assert {s for s, _ in hit.raised("LOSS_OF_SYNC", FAULT)} == every_clock
    assert {e.last for e in hit.alarms(FAULT)} == {FAULT.begin + dt.timedelta(seconds=300)}


def ho_failures(wire: Wire) -> float:
    """Handover executions that did not succeed, over every cell in the fault window."""
    return math.fsum(
        cells_total(wire, "NRCellCU", f"MM.HoExe{kind}Req")
        - cells_total(wire, "NRCellCU", f"MM.HoExe{kind}Succ")
        for kind in ("Intra", "Inter")
    )


def pci_conflict(hit: Wire, calm: Wire) -> None:
    pushed = only(hit.notifications(CONFIG_CHANGE_TYPE, FAULT))
    assert pushed.source_name == "gnb-ws1-02" and pushed.last == FIRST_STEP
    assert pushed.notification is not None
    assert set(pushed.notification.additional.values()) <= {"120", "121"}  # a neighbour's PCI
    reverted = only(hit.notifications(CONFIG_CHANGE_TYPE, window(20, 25)))
    assert reverted.notification is not None
    assert set(reverted.notification.additional.values()) == {"123"}  # its own again
    assert hit.netconf["me-gnb-ws1-02"].cell("gnb-ws1-02-c1", "nRPCI") in {"120", "121"}
    assert hit.of(Domain.FAULT) == []
    assert ho_failures(calm) == 0 < ho_failures(hit)
    assert cells_total(calm, "NRCellCU", "RRC.ConnEstabAtt") == 0
    failed = cells_total(hit, "NRCellCU", "RRC.ConnEstabAtt") - cells_total(
        hit, "NRCellCU", "RRC.ConnEstabSucc"
    )
    assert failed > 10


def capacity_surge(hit: Wire, calm: Wire) -> None:
    assert hit.of(Domain.FAULT) == []
    for counter in ("RRU.PrbUsedUl", "RRU.PrbUsedDl", "RRU.PrbTotUl"):
        assert cells_total(hit, "NRCellDU", counter, SETTLED) > 1.5 * cells_total(
            calm, "NRCellDU", counter, SETTLED
        )
    for name in CELLS:  # slower uplink on every cell (the surge fills the uplink; the small
        # site's downlink stays lightly loaded, so its RLC delay moves within the noise of the
        # terminal mix: test_sim_packets asserts that delay's growth with load)
        assert delta(hit, calm, *cell_object(name, "NRCellDU"), "DRB.UEThpUl") < 0
    volume = (*N3, "GTP.InDataOctN3UPF", SETTLED)
    assert number(hit.mean(*volume)) > 2 * number(calm.mean(*volume))


def certificate_expiry(hit: Wire, calm: Wire) -> None:
    alarm = only(hit.alarms(FAULT, condition="CERTIFICATE_EXPIRED"))
    assert alarm.source_name == "gnb-ws1-01" and alarm.alarm is not None
    assert str(alarm.alarm.event_type) == "SECURITY_SERVICE_OR_MECHANISM_VIOLATION"
    assert alarm.alarm.probable_cause == "keyExpired"  # X.736
    assert dict(alarm.alarm.additional)["objectInstance"] == "ManagedElement=me-gnb-ws1-01"
    assert hit.heartbeats(FAULT)["gnb-ws1-01"] == 10 and len(hit.files("me-gnb-ws1-01", FAULT))
    refused, other = hit.netconf["me-gnb-ws1-01"], hit.netconf["me-gnb-ws1-02"]
    assert refused.xml is None and other.xml is not None, refused  # only its sessions fail
    volume = (*N3, "GTP.InDataOctN3UPF", FAULT)  # user traffic is unaffected
    assert hit.counter(*volume) == calm.counter(*volume)


def terminal_fault(hit: Wire, calm: Wire) -> None:
    assert hit.of(Domain.FAULT) == []
    assert drop(hit, "amf-1", "ran_ue") == 1
    registered = "fivegs_amffunction_rm_registeredsubnbr"
    assert drop(hit, "amf-1", registered, snssai=URLLC_LABEL) == 1
    assert drop(hit, "smf-1", "fivegs_smffunction_sm_sessionnbr", snssai=URLLC_LABEL) == 1
    for where, counter in ((AMF, "RM.RegisteredSubNbrMean"), (SMF, "SM.SessionNbrMean")):
        slice_counter = (*where, f"{counter}.{URLLC}", SETTLED)
        assert hit.mean(*slice_counter) == number(calm.mean(*slice_counter)) - 1
    assert hit.at(RUN_FOR).value("amf-1", "ran_ue") == 20


def rogue_gnb(hit: Wire, calm: Wire) -> None:
    assert calm.total(*AMF, "RM.RegInitReq", FAULT) == 0  # a settled network registers nobody
    req, succ = hit.total(*AMF, "RM.RegInitReq", FAULT), hit.total(*AMF, "RM.RegInitSucc", FAULT)
    assert req > succ > 0  # registrations cut off by the false station
    assert cells_total(hit, "NRCellCU", "RRC.ConnEstabAtt") > 10
    for name in CELLS:  # its signal drowns the real cells' downlink
        assert number(cell(hit, name, "NRCellDU", "DRB.UEThpDl")) < 0.8 * number(
            cell(calm, name, "NRCellDU", "DRB.UEThpDl")
        )


def sim_clone(hit: Wire, calm: Wire) -> None:
    for counter in ("AMF.AuthFail", "RM.RegInitReq"):
        assert calm.total(*AMF, counter, FAULT) == 0
    registrations = hit.total(*AMF, "RM.RegInitReq", FAULT)
    assert registrations >= 10 * 10  # two places, each registering every step or so
    assert hit.total(*AMF, "AMF.AuthReq", FAULT) == 2 * registrations  # resync, then again
    synch = hit.at(FAULT_END).value("amf-1", "fivegs_amffunction_amf_authfail", cause="21")
    assert synch >= 100  # TS 24.501 cause #21: synch failure
    assert cell(hit, "gnb-ws1-02-c1", "NRCellCU", "RRC.ConnEstabAtt") == 6  # the clone's cell


def registration_storm(hit: Wire, calm: Wire) -> None:
    per_minute = 150 * 60  # the default rate
    for value in hit.counter(*AMF, "RM.RegInitReq", SETTLED):
        assert isinstance(value, int) and 0.8 * per_minute < value < 1.2 * per_minute
    assert hit.total(*AMF, "RM.RegInitFail.7", SETTLED) > 0.8 * per_minute * 6  # cause #7
    assert hit.at(FAULT_END).value("amf-1", "fivegs_amffunction_rm_reginitfail", cause="7") > 5000
    assert cells_total(calm, "NRCellCU", "RRC.ConnEstabAtt") == 0
    for name in CELLS:
        assert number(cell(hit, name, "NRCellCU", "RRC.ConnEstabAtt")) > 100


def data_exfiltration(hit: Wire, calm: Wire) -> None:
    assert hit.of(Domain.FAULT) == []
    per_minute = 0.5 * 100e6 * 60 / 8  # at least half of the 100 Mbit/s default, in octets
    volume = (*N3, f"GTP.InDataOctN3UPF.{URLLC}", SETTLED)
    assert number(hit.mean(*volume)) - number(calm.mean(*volume)) > per_minute
    name = "fivegs_ep_n3_gtp_indatavolumeqosleveln3upf"

    def grown(wire: Wire) -> float:
        return wire.at(FAULT_END).value("upf-1", name) - wire.at(FAULT_AT).value("upf-1", name)

    assert grown(hit) - grown(calm) > per_minute * 10
    assert cells_total(hit, "NRCellDU", "RRU.PrbUsedUl", SETTLED) > 1.5 * cells_total(
        calm, "NRCellDU", "RRU.PrbUsedUl", SETTLED
    )


def imei_mismatch(hit: Wire, calm: Wire) -> None:
    assert calm.total(*AMF, "RM.RegInitFail.6", FAULT) == 0  # TS 24.501 #6: illegal ME
    assert hit.total(*AMF, "RM.RegInitFail.6", FAULT) > 0
    assert hit.at(FAULT_END).value("amf-1", "fivegs_amffunction_rm_reginitfail", cause="6") >= 1
    assert drop(hit, "amf-1", "ran_ue") == 1


CASES: dict[str, Case] = {
    "gnb_down": Case("gnb:gnb-ws1-02", gnb_down),
    "cell_outage": Case("cell:gnb-ws1-01-c1", cell_outage, ("me-gnb-ws1-01",)),
    "cell_sleeping": Case("cell:gnb-ws1-01-c1", cell_sleeping, ("me-gnb-ws1-01",)),
    "transport_link_down": Case("link:acc-gnb-ws1-01", transport_link_down),
    "switch_down": Case("transport_node:tsn-ws1", switch_down),
    "transport_congestion": Case("link:ring-cs-1-tsn-ws1", transport_congestion),
    "interference": Case("cell:gnb-ws1-02-c1", interference),
    "upf_overload": Case("upf:upf-1", upf_overload),
    "upf_down": Case("upf:upf-1", upf_down),
    "amf_down": Case("amf:amf-1", amf_down),
    "edge_node_down": Case("edge_node:mec-1", edge_node_down),
    "ptp_sync_loss": Case("ptp_grandmaster:gm-1", ptp_sync_loss),
    "pci_conflict": Case("cell:gnb-ws1-02-c1", pci_conflict, ("me-gnb-ws1-02",)),
    "capacity_surge": Case("area:WS1", capacity_surge),
    "certificate_expiry": Case(
        "managed_element:me-gnb-ws1-01", certificate_expiry, ("me-gnb-ws1-01", "me-gnb-ws1-02")
    ),
    "terminal_fault": Case("terminal:agv-ws1-001", terminal_fault),
    "rogue_gnb": Case("area:WS1", rogue_gnb),
    "sim_clone": Case("terminal:agv-ws1-001", sim_clone),
    "registration_storm": Case("amf:amf-1", registration_storm),
    "data_exfiltration": Case("terminal:agv-ws1-002", data_exfiltration),
    "imei_mismatch": Case("terminal:agv-ws1-003", imei_mismatch),
}


# --- the runs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    """One VES collector on 127.0.0.1 for every run of this module."""
    made = Collector()
    made.server.start()
    try:
        yield made
    finally:
        made.server.stop()


@pytest.fixture(scope="module")
def calm(collector: Collector, tmp_path_factory: pytest.TempPathFactory) -> Wire:
    """The healthy run: the same seed, no fault."""
    return observe(
        [], tmp_path_factory.mktemp("calm"), collector, ("me-gnb-ws1-01", "me-gnb-ws1-02")
    )


@pytest.fixture(scope="module")
def runs(collector: Collector, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Wire]:
    """The run with one fault of a type, made once per module."""
    made: dict[str, Wire] = {}

    def run(kind: str) -> Wire:
        if kind not in made:
            case = CASES[kind]
            spec = fault_spec(kind, case.target, **case.params)
            made[kind] = observe([spec], tmp_path_factory.mktemp(kind), collector, case.netconf)
        return made[kind]

    return run


# --- tests -----------------------------------------------------------------------------------


def test_every_fault_type_of_the_catalogue_has_a_case() -> None:
    assert set(CASES) == set(CATALOGUE) and len(CATALOGUE) == 21


def test_a_run_cut_short_is_the_start_of_the_full_run(tmp_path: Path, calm: Wire) -> None:
    """What the /metrics scrapes rest on: the same seed gives the same run, whatever its end."""
    instant((), FAULT_END, tmp_path)
    expected = [pm for pm in calm.pm if pm.end_time <= calm.at(FAULT_END).at]
    assert len(expected) == 9 * 20 and read_pm(tmp_path) == expected


def test_the_healthy_run_is_quiet(calm: Wire) -> None:
    assert calm.of(Domain.FAULT) == []
    assert set(calm.heartbeats(FAULT).values()) == {10} and len(calm.heartbeats(FAULT)) == 9
    for offset in (FAULT_AT, FAULT_END, RUN_FOR):
        assert calm.at(offset).value("amf-1", "gnb") == 2
        assert calm.at(offset).value("amf-1", "ran_ue") == 20


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_fault_symptoms_on_the_wire(kind: str, runs: Callable[[str], Wire], calm: Wire) -> None:
    hit = runs(kind)
    for element in sorted({element_of(pm) for pm in calm.pm}):  # nothing before the fault ...
        assert hit.files(element, BASELINE) == calm.files(element, BASELINE), element
    assert hit.of(Domain.FAULT, within=window(0, 10)) == []
    CASES[kind].check(hit, calm)  # ... its symptoms while it lasts ...
    opened = {(e.source_name, e.alarm) for e in hit.alarms()}
    closed = {(e.source_name, e.alarm) for e in hit.alarms(cleared=True)}
    assert opened == closed, "alarms left raised after the fault ended"  # ... and recovery
    assert hit.heartbeats(AFTER) == calm.heartbeats(AFTER)


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_no_check_passes_on_the_healthy_run(kind: str, calm: Wire) -> None:
    with pytest.raises(AssertionError):
        CASES[kind].check(calm, calm)


# --- configuration and state symptoms, seen over NETCONF and in change notifications -------


def the_change_names_the_cell_and_attribute_as_netconf_does(hit: Wire, calm: Wire) -> None:
    """The notification names the cell by the DN its PM counters and alarms use."""
    pushed = only(hit.notifications(CONFIG_CHANGE_TYPE, FAULT))
    assert pushed.notification is not None
    path = only(pushed.notification.additional)
    element, suffix = cell_object("gnb-ws1-02-c1", "NRCellDU")
    assert path == f"ManagedElement={element},GNBDUFunction=1{suffix}/attributes/nRPCI", path


def the_dead_cell_reads_disabled(hit: Wire, calm: Wire) -> None:
    assert hit.netconf["me-gnb-ws1-01"].cell("gnb-ws1-01-c1", "operationalState") == "DISABLED"


STATE_CHECKS: dict[str, tuple[str, Check]] = {
    # a fault's pushed configuration is notified with the DN and YANG leaf a NETCONF change uses
    "pci-notification-path": (
        "pci_conflict",
        the_change_names_the_cell_and_attribute_as_netconf_does,
    ),
    # a cell that does not radiate reads operationalState DISABLED (X.731, TS 28.541)
    "outage-opstate": ("cell_outage", the_dead_cell_reads_disabled),
}


@pytest.mark.parametrize("name", sorted(STATE_CHECKS))
def test_configuration_and_state_on_the_wire(
    name: str, runs: Callable[[str], Wire], calm: Wire
) -> None:
    kind, check = STATE_CHECKS[name]
    check(runs(kind), calm)
    with pytest.raises(AssertionError):
        check(calm, calm)
