"""Each fault type's symptoms, asserted on what the twin emits (reports, metrics, alarms).

Every test runs the same warmed-up plant healthy and faulted from the same state, so each
difference is the fault's doing.
"""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import (
    Run,
    amf,
    baseline_and_fault,
    cell_counters,
    counters,
    document,
    gauge,
    number,
    run,
    smf,
    warm_plant,
)

from openipn.model.topology import behind
from openipn.twin.sim.faults import CATALOGUE, Fault, FaultError, impairments_at

URLLC, EMBB = "02000001", "01000002"  # plant slices as TS 28.552 subcounter qualifiers


def fault(kind: str, target: str, **params: float | str) -> Fault:
    return Fault(f"t-{kind}", kind, target, params)


def test_gnb_down_silences_the_gnb_and_its_switch_reports_the_port() -> None:
    base, hit = baseline_and_fault(fault("gnb_down", "gnb:gnb-ws1-01"), steps=6)
    assert "me-gnb-ws1-01" not in hit.last.reachable
    assert hit.report.elements["me-gnb-ws1-01"] is None
    assert gauge(base.metrics, "amf-1", "gnb") - gauge(hit.metrics, "amf-1", "gnb") == 1
    assert {a.source for a in hit.alarms} & {"me-gnb-ws1-01"} == set()
    ports = hit.raised("LINK_DOWN")
    assert [(a.source, a.object) for a in ports] == [
        ("me-tsn-ws1", "ManagedElement=me-tsn-ws1,EP_RP=acc-gnb-ws1-01")
    ]


@pytest.mark.parametrize("link", ["acc-gnb-ws2-03", "tsn-ws1/acc-gnb-ws1-04"])
def test_transport_link_down_cuts_off_the_gnbs_behind_it(link: str) -> None:
    name = link if "/" not in link else "acc-gnb-ws1-04"
    target = f"link:{link}" if "/" not in link else "link:gnb-ws1-04/tsn-ws1"
    base, hit = baseline_and_fault(fault("transport_link_down", target), steps=6)
    behind_link = behind(document(), link=name)
    gnbs = {n for n in behind_link if n.startswith("gnb-")}
    assert gnbs  # the access link isolates its gNB
    lost = {f"me-{g}" for g in gnbs}
    assert lost.isdisjoint(hit.last.reachable) and all(hit.report.elements[e] is None for e in lost)
    assert gauge(base.metrics, "amf-1", "gnb") - gauge(hit.metrics, "amf-1", "gnb") == len(gnbs)
    assert {a.source for a in hit.raised("LINK_DOWN")} == {"me-tsn-ws" + name[-4]}


def test_a_ring_link_failure_costs_no_gnb_but_both_ends_alarm() -> None:
    base, hit = baseline_and_fault(fault("transport_link_down", "link:tsn-ws1/tsn-ws2"), steps=3)
    assert hit.last.reachable == base.last.reachable
    assert gauge(hit.metrics, "amf-1", "gnb") == len(hit.sim.world.gnbs)
    assert {a.source for a in hit.raised("LINK_DOWN")} == {"me-tsn-ws1", "me-tsn-ws2"}


def test_switch_down_takes_down_the_gnbs_behind_it() -> None:
    base, hit = baseline_and_fault(fault("switch_down", "switch:tsn-ws1"), steps=6)
    lost = {f"me-{n}" for n in behind(document(), node="tsn-ws1")} | {"me-tsn-ws1"}
    assert set(base.last.reachable) - hit.last.reachable == lost
    gnbs_lost = {n for n in behind(document(), node="tsn-ws1") if n.startswith("gnb-")}
    assert gnbs_lost
    assert gauge(hit.metrics, "amf-1", "gnb") == len(hit.sim.world.gnbs) - len(gnbs_lost)
    assert {a.source for a in hit.raised("LINK_DOWN")} == {"me-tsn-ws2", "me-tsn-ws3"}
    assert not lost & {a.source for a in hit.alarms}
    # the AMF released the UEs of the lost gNBs; those that found another cell register again
    assert amf(base.report)["RM.RegInitReq"] == 0 < number(amf(hit.report)["RM.RegInitReq"])


def test_cell_outage_raises_and_clears_cell_unavailable() -> None:
    sim = warm_plant()
    hit = run(sim, 6, [fault("cell_outage", "cell:gnb-ws1-01-c1")])
    [raised] = hit.raised("CELL_UNAVAILABLE")
    assert raised.source == "me-gnb-ws1-01" and raised.severity == "CRITICAL"
    assert raised.object == "ManagedElement=me-gnb-ws1-01,GNBDUFunction=1,NRCellDU=1"
    cu = cell_counters(sim, hit.report, "gnb-ws1-01-c1", "NRCellCU")
    assert number(cu["RRC.ConnMean"]) < 10 and cu["RRC.ConnMax"] is not None
    healed = run(sim, 1)
    assert [a.severity for a in healed.alarms if a.alarm_condition == "CELL_UNAVAILABLE"] == [
        "CLEARED"
    ]


def test_cell_sleeping_serves_nothing_and_raises_nothing() -> None:
    base, hit = baseline_and_fault(fault("cell_sleeping", "cell:gnb-ws1-01-c1"), steps=12)
    cell = "gnb-ws1-01-c1"
    assert number(cell_counters(base.sim, base.report, cell, "NRCellCU")["RRC.ConnMean"]) > 5
    after = run(hit.sim, 6, [fault("cell_sleeping", f"cell:{cell}")])
    assert cell_counters(hit.sim, after.report, cell, "NRCellCU")["RRC.ConnMean"] == 0
    du = cell_counters(hit.sim, after.report, cell, "NRCellDU")
    assert du["RRU.PrbAvailDl"] == 273  # it claims to be in service
    assert hit.alarms == [] or all("gnb-ws1-01" not in a.source for a in hit.alarms)


def test_transport_congestion_fills_the_port_and_adds_latency() -> None:
    base, hit = baseline_and_fault(fault("transport_congestion", "link:acc-gnb-ws2-01"), steps=6)
    port = counters(hit.report, "me-tsn-ws2", "EP_RP=acc-gnb-ws2-01")
    assert number(port["VS.IfUtilMean"]) == 100 and number(port["VS.IfDiscardOctets"]) > 0
    calm = counters(base.report, "me-tsn-ws2", "EP_RP=acc-gnb-ws2-01")
    assert number(calm["VS.IfDiscardOctets"]) == 0
    gnb = hit.sim.world.gnbs.index["gnb-ws2-01"]
    served = hit.sim.world.cells.gnb[np.maximum(hit.last.terminals.cell, 0)] == gnb
    served &= hit.last.terminals.cell >= 0
    assert np.nanmean(hit.last.terminals.latency_ms[served]) > np.nanmean(
        base.last.terminals.latency_ms[served]
    )


def test_interference_raises_the_uplink_interference_figures_and_an_alarm() -> None:
    base, hit = baseline_and_fault(fault("interference", "cell:gnb-ws2-01-c1"), steps=36)
    cell = "gnb-ws2-01-c1"
    before = cell_counters(base.sim, base.report, cell, "NRCellDU")
    after = cell_counters(hit.sim, hit.report, cell, "NRCellDU")
    rise = number(after["VS.UlInterferencePerPrbMean"]) - number(
        before["VS.UlInterferencePerPrbMean"]
    )
    assert rise > 10.0
    assert number(after["VS.UlSinrMean"]) < number(before["VS.UlSinrMean"])
    assert [a.source for a in hit.raised("HIGH_UL_INTERFERENCE")] == ["me-gnb-ws2-01"]


def test_upf_overload_fails_sessions_adds_latency_and_crosses_a_threshold() -> None:
    base, hit = baseline_and_fault(fault("upf_overload", "upf:upf-edge"), steps=24)
    assert [a.source for a in hit.raised("UPF_OVERLOAD")] == ["me-upf-edge"]
    assert (
        number(counters(hit.report, "me-upf-edge", "UPFFunction=upf-edge")["VS.UpfLoadMean"]) >= 100
    )
    sm = smf(hit.report)
    assert number(sm[f"SM.PduSessionCreationReq.{URLLC}"]) > number(
        sm[f"SM.PduSessionCreationSucc.{URLLC}"]
    )
    anchored = hit.sim.world.terminals.upf == hit.sim.world.upfs.index["upf-edge"]
    assert np.nanmedian(hit.last.terminals.latency_ms[anchored]) > 5 * np.nanmedian(
        base.last.terminals.latency_ms[anchored]
    )


def test_upf_down_fails_the_sessions_of_its_slices() -> None:
    base, hit = baseline_and_fault(fault("upf_down", "upf:upf-edge"), steps=12)
    assert [a.source for a in hit.raised("NF_UNAVAILABLE")] == ["me-upf-edge"]
    assert "me-upf-edge" in hit.last.reachable and "upf-edge" not in hit.metrics
    n3 = counters(hit.report, "me-upf-edge", "EP_N3=1")
    assert set(n3.values()) == {None}
    sm = smf(hit.report)
    assert number(sm[f"SM.PduSessionCreationReq.{URLLC}"]) > 0
    assert sm[f"SM.PduSessionCreationSucc.{URLLC}"] == 0
    assert gauge(hit.metrics, "smf-1", "fivegs_smffunction_sm_sessionnbr", snssai="2-000001") == 0
    assert gauge(base.metrics, "smf-1", "fivegs_smffunction_sm_sessionnbr", snssai="2-000001") > 0


def test_amf_down_stops_registration_and_bars_every_cell() -> None:
    base, hit = baseline_and_fault(fault("amf_down", "amf:amf-1"), steps=6)
    assert "amf-1" not in hit.metrics and "amf-1" in base.metrics
    assert set(amf(hit.report).values()) == {None}
    assert [a.source for a in hit.raised("NF_UNAVAILABLE")] == ["me-core-1"]
    assert len({a.source for a in hit.raised("NG_INTERFACE_FAILURE")}) == len(hit.sim.world.gnbs)
    assert int(hit.last.terminals.registered.sum()) == 0
    cu = cell_counters(hit.sim, hit.report, "gnb-ws2-01-c1", "NRCellCU")
    assert number(cu["RRC.ConnMean"]) < number(
        cell_counters(base.sim, base.report, "gnb-ws2-01-c1", "NRCellCU")["RRC.ConnMean"]
    )


def test_edge_node_down_breaks_its_applications() -> None:
    base, hit = baseline_and_fault(fault("edge_node_down", "edge:mec-1"), steps=6)
    assert [a.source for a in hit.raised("NF_UNAVAILABLE")] == ["me-mec-1"]
    eas = counters(hit.report, "me-mec-1", "EASFunction=mec-1")
    assert eas["VS.EasActiveUeMean"] is None
    assert number(counters(base.report, "me-mec-1", "EASFunction=mec-1")["VS.EasActiveUeMean"]) > 0
    users = hit.sim.world.terminals.edge == hit.sim.world.edges.index["mec-1"]
    assert (hit.last.terminals.reliability[users] == 0).all()
    assert np.isnan(hit.last.terminals.latency_ms[users]).all()


def test_ptp_loss_degrades_latency_before_any_alarm_then_alarms() -> None:
    base, early = baseline_and_fault(fault("ptp_sync_loss", "ptp:gm-1"), steps=18)
    assert early.alarms == [] or not early.raised("LOSS_OF_SYNC")
    motion = early.sim.world.terminals.five_qi == 82
    assert np.nanmean(early.last.terminals.latency_ms[motion]) > np.nanmean(
        base.last.terminals.latency_ms[motion]
    )
    assert counters(early.report, "me-gm-1", "PtpClock=gm-1")["VS.PtpClockClass"] == 7
    late = run(early.sim, 18, [fault("ptp_sync_loss", "ptp:gm-1")])
    sources = {a.source for a in late.raised("LOSS_OF_SYNC")}
    assert {"me-gm-1", "me-tsn-ws1", "me-cs-1"} <= sources
    assert counters(late.report, "me-gm-1", "PtpClock=gm-1")["VS.PtpClockClass"] == 248


def test_pci_conflict_is_a_configuration_change_that_breaks_handovers() -> None:
    sim = warm_plant()
    target = "gnb-ws1-02-c1"
    hit = run(sim, 30, [fault("pci_conflict", f"cell:{target}")])
    [change] = hit.results[0].config_changes
    cells = sim.world.cells
    assert change.object == target and change.attribute == "pci"
    same = (cells.pci == change.new) & (cells.arfcn == cells.arfcn[cells.index[target]])
    assert same.sum() == 2  # now it shares its PCI with a co-channel neighbour
    base = run(warm_plant(), 30)

    def failures(result: Run) -> float:
        total = 0.0
        for ms in result.report.elements.values():
            for cls, _, v in ms or []:
                if cls == "NRCellCU":
                    total += number(v["MM.HoExeInterReq"]) - number(v["MM.HoExeInterSucc"])
                    total += number(v["MM.HoExeIntraReq"]) - number(v["MM.HoExeIntraSucc"])
        return total

    assert failures(hit) > failures(base)
    reverted = run(sim, 1)
    assert [c.new for c in reverted.results[0].config_changes] == [change.old]


def test_capacity_surge_loads_the_area_cells() -> None:
    base, hit = baseline_and_fault(fault("capacity_surge", "area:WS2"), steps=6)
    world = hit.sim.world
    ws2 = [c for c in world.cells.names if c.startswith("gnb-ws2")]

    def used(result: Run) -> float:
        return sum(
            number(cell_counters(result.sim, result.report, c, "NRCellDU")["RRU.PrbUsedUl"])
            for c in ws2
        )

    assert used(hit) > 1.5 * used(base)


def test_certificate_expiry_alarms_and_refuses_management_sessions() -> None:
    base, hit = baseline_and_fault(fault("certificate_expiry", "element:me-gnb-ws1-01"), steps=2)
    [raised] = hit.raised("CERTIFICATE_EXPIRED")
    assert (
        raised.source == "me-gnb-ws1-01"
        and raised.event_type == "SECURITY_SERVICE_OR_MECHANISM_VIOLATION"
    )
    assert hit.last.sessions_refused == {"me-gnb-ws1-01"} and base.last.sessions_refused == set()
    assert "me-gnb-ws1-01" in hit.last.reachable


def test_terminal_fault_takes_the_terminal_off_the_network() -> None:
    base, hit = baseline_and_fault(fault("terminal_fault", "terminal:agv-ws1-001"), steps=6)
    i = hit.sim.world.terminals.index["agv-ws1-001"]
    assert not hit.last.terminals.connected[i] and not hit.last.terminals.registered[i]
    assert (
        gauge(base.metrics, "amf-1", "amf_session") - gauge(hit.metrics, "amf-1", "amf_session")
        == 1
    )
    reg = f"RM.RegisteredSubNbrMean.{URLLC}"
    assert number(amf(hit.report)[reg]) < number(amf(base.report)[reg])


def test_rogue_gnb_causes_failed_registrations_near_it() -> None:
    base, hit = baseline_and_fault(fault("rogue_gnb", "cell:gnb-ws2-01-c1"), steps=18)
    assert amf(base.report)["RM.RegInitReq"] == 0  # a settled network registers nobody
    assert number(amf(hit.report)["RM.RegInitReq"]) > number(amf(hit.report)["RM.RegInitSucc"])
    # terminals near it fail to register (connected alone moves with idle terminals' bursts)
    assert int(hit.last.terminals.registered.sum()) < int(base.last.terminals.registered.sum())
    rogue = impairments_at([fault("rogue_gnb", "cell:gnb-ws2-01-c1")], hit.sim.world).security[0]
    assert int(dict(rogue.params)["pci"]) not in hit.sim.world.cells.pci.tolist()


def test_sim_clone_registers_one_supi_from_two_places() -> None:
    base, hit = baseline_and_fault(fault("sim_clone", "terminal:agv-ws1-001"), steps=6)
    a = amf(hit.report)
    assert number(a["RM.RegInitReq"]) >= 2 * 6 - 1 and number(a["AMF.AuthFail"]) >= 5
    assert gauge(hit.metrics, "amf-1", "fivegs_amffunction_amf_authfail", cause="21") >= 5
    far = str(
        dict(
            impairments_at([fault("sim_clone", "terminal:agv-ws1-001")], hit.sim.world)
            .security[0]
            .params
        )["cell"]
    )
    assert number(cell_counters(hit.sim, hit.report, far, "NRCellCU")["RRC.ConnEstabAtt"]) >= 6
    assert amf(base.report)["AMF.AuthFail"] == 0


def test_registration_storm_spikes_initial_registrations() -> None:
    base, hit = baseline_and_fault(
        fault("registration_storm", "area:WS2", rate_per_s=50.0), steps=6
    )
    assert amf(base.report)["RM.RegInitReq"] == 0
    a = amf(hit.report)
    assert 0.8 * 50 * 60 < number(a["RM.RegInitReq"]) < 1.2 * 50 * 60
    assert number(a["RM.RegInitFail.7"]) > 0.8 * 50 * 60
    assert gauge(hit.metrics, "amf-1", "fivegs_amffunction_rm_reginitfail", cause="7") > 2000
    ws2 = number(
        cell_counters(hit.sim, hit.report, "gnb-ws2-01-c1", "NRCellCU")["RRC.ConnEstabAtt"]
    )
    assert ws2 > 100


def test_a_registration_storm_beyond_amf_capacity_fails_legitimate_registrations() -> None:
    base, hit = baseline_and_fault(fault("registration_storm", "area:WS2"), steps=12)
    assert amf(base.report)["RM.RegMobSucc"] == amf(base.report)["RM.RegMobReq"]
    assert number(amf(hit.report)["RM.RegMobSucc"]) < number(amf(hit.report)["RM.RegMobReq"])


def test_data_exfiltration_shows_as_uplink_volume_at_the_upf() -> None:
    exfil = fault("data_exfiltration", "terminal:ar-office-001", rate_mbps=100.0)
    base, hit = baseline_and_fault(exfil, steps=6)
    key = f"GTP.InDataOctN3UPF.{EMBB}"  # the headset's slice, anchored at the central UPF
    extra = number(counters(hit.report, "me-upf-central", "EP_N3=1")[key]) - number(
        counters(base.report, "me-upf-central", "EP_N3=1")[key]
    )
    assert extra > 0.5 * 100e6 * 60 / 8
    volume = "fivegs_ep_n3_gtp_indatavolumeqosleveln3upf"
    assert gauge(hit.metrics, "upf-central", volume) > gauge(base.metrics, "upf-central", volume)


def test_imei_mismatch_is_rejected_as_an_illegal_me() -> None:
    base, hit = baseline_and_fault(fault("imei_mismatch", "terminal:agv-ws1-002"), steps=6)
    assert (
        number(amf(hit.report)["RM.RegInitFail.6"]) >= 1
        and amf(base.report)["RM.RegInitFail.6"] == 0
    )
    assert gauge(hit.metrics, "amf-1", "fivegs_amffunction_rm_reginitfail", cause="6") >= 1
    assert not hit.last.terminals.registered[hit.sim.world.terminals.index["agv-ws1-002"]]


def test_every_catalogue_entry_is_tested() -> None:
    tested = {
        name.removeprefix("test_").split("_")[0] for name in globals() if name.startswith("test_")
    }
    missing = {t for t in CATALOGUE if not any(t.startswith(prefix) for prefix in tested)}
    assert missing == set() and len(CATALOGUE) == 21


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (Fault("f9", "meteor_strike", "cell:gnb-ws1-01-c1"), "'f9': unknown type"),
        (Fault("f9", "cell_outage", "gnb:gnb-ws1-01"), "'f9' .*target kind 'gnb' not accepted"),
        (Fault("f9", "cell_outage", "cell:nope"), "'f9' .*no cell named 'nope'"),
        (Fault("f9", "transport_link_down", "link:a/b"), "'f9' .*no link"),
        (Fault("f9", "cell_outage", "nonsense"), "'f9' .*kind:name"),
        (Fault("f9", "interference", "cell:gnb-ws1-01-c1", {"level_db": "loud"}), "'f9'.*number"),
        (Fault("f9", "interference", "cell:gnb-ws1-01-c1", {"volume": 3}), "'f9'.*unknown param"),
    ],
)
def test_bad_faults_are_rejected_naming_the_fault(bad: Fault, message: str) -> None:
    with pytest.raises(FaultError, match=message):
        impairments_at([bad], warm_plant().world)
