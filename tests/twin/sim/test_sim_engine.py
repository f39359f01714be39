"""The engine's emitted structures: determinism, reports, metrics, configuration changes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sim_kit import (
    START,
    Run,
    cell_counters,
    counters,
    document,
    gauge,
    number,
    run,
    warm_plant,
)

from openipn.model.topology import behind
from openipn.twin.sim.config import ConfigError
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.geometry import points_in_polygon
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.world import build_world


def _periods(seed: int, steps: int = 12) -> list[object]:
    sim = Simulation(document(), seed=seed, start=START)
    reports = []
    for _ in range(2):
        for _ in range(steps // 2):
            sim.step(Impairments())
        reports.append(sim.collect_period(sim.time))
    return [reports, sim.core_metrics()]


def test_same_seed_gives_identical_reports_and_metrics() -> None:
    assert _periods(11) == _periods(11)


def test_another_seed_gives_another_run() -> None:
    assert _periods(11) != _periods(12)


def test_world_places_terminals_in_their_areas_and_cells_at_their_gnb() -> None:
    world = build_world(document(), np.random.default_rng(3))
    for a, polygon in enumerate(world.areas.polygons):
        members = world.terminals.area == a
        pos = world.terminals.pos[members]
        assert points_in_polygon(pos[:, 0], pos[:, 1], polygon).all()
    small = build_world(document("small"), np.random.default_rng(3))
    assert small.cells.pos[0].tolist() == small.gnbs.pos[small.cells.gnb[0]].tolist()


def test_step_advances_the_clock_and_start_must_be_aware() -> None:
    sim = Simulation(document("small"), seed=1, start=START, step_s=5.0)
    assert sim.step(Impairments()).time == START + dt.timedelta(seconds=5)
    assert sim.now == START + dt.timedelta(seconds=5)
    with pytest.raises(ValueError, match="timezone"):
        Simulation(document("small"), seed=1, start=dt.datetime(2026, 1, 1))


def test_healthy_plant_reports_every_element_with_ts_28_552_names() -> None:
    result = run(warm_plant(), 6)
    assert result.last.reachable == set(result.sim.world.elements.names)
    assert all(m for m in result.report.elements.values())
    du = cell_counters(result.sim, result.report, "gnb-ws1-01-c1", "NRCellDU")
    cu = cell_counters(result.sim, result.report, "gnb-ws1-01-c1", "NRCellCU")
    assert number(du["RRU.PrbAvailDl"]) == 273
    assert 0 < number(du["RRU.PrbUsedUl"]) <= 273
    assert number(cu["RRC.ConnMean"]) > 0 and number(cu["RRC.ConnMax"]) >= number(
        cu["RRC.ConnMean"]
    )
    for name in ("DRB.UEThpDl", "DRB.PdcpSduDelayDl", "PEE.Energy", "GTP.InDataOctN3UPF"):
        assert any(
            name in values for ms in result.report.elements.values() for _, _, values in ms or []
        )
    n3 = counters(result.report, "me-upf-edge", "EP_N3=1")
    parts = [number(v) for k, v in n3.items() if k.startswith("GTP.InDataOctN3UPF.")]
    # integer counters, each rounded on its own: the sum of the parts is within n/2 of the total
    assert abs(number(n3["GTP.InDataOctN3UPF"]) - sum(parts)) <= len(parts) / 2


def test_unknown_values_are_none_not_zero() -> None:
    sim = warm_plant()
    result = run(sim, 12, None)
    sleeping = warm_plant()
    for _ in range(12):
        sleeping.step(Impairments(cells_sleeping={"gnb-ws1-01-c1"}))
    report = sleeping.collect_period(sleeping.time)
    healthy = cell_counters(sim, result.report, "gnb-ws1-01-c1", "NRCellDU")
    du = cell_counters(sleeping, report, "gnb-ws1-01-c1", "NRCellDU")
    assert healthy["DRB.UEThpDl"] is not None and healthy["DRB.AirIfDelayDl"] is not None
    assert du["DRB.UEThpDl"] is None and du["DRB.AirIfDelayDl"] is None  # no traffic: NIL
    assert du["RRU.PrbUsedDl"] == 0  # ... but a zero that is known stays a zero


def test_core_metrics_use_open5gs_names_and_labels() -> None:
    result = run(warm_plant(), 3)
    metrics, sim = result.metrics, result.sim
    assert set(metrics) == {"amf-1", "smf-1", "pcf-1", "upf-central", "upf-edge"}
    assert gauge(metrics, "amf-1", "gnb") == len(sim.world.gnbs)
    in_use = np.isfinite(sim.power_on_s)  # spare devices never switch on
    registered = gauge(metrics, "amf-1", "fivegs_amffunction_rm_reginitsucc")
    assert registered == in_use.sum() < len(in_use)
    assert 0 < gauge(metrics, "amf-1", "ran_ue") < registered  # the idle ones are not in the RAN
    urllc = gauge(
        metrics,
        "amf-1",
        "fivegs_amffunction_rm_registeredsubnbr",
        plmnid="99999",
        snssai="2-000001",
    )
    slices = sim.world.terminals.slice
    assert urllc == (in_use & (slices == sim.world.slices.label.index("2-000001"))).sum()
    embb = gauge(metrics, "smf-1", "fivegs_smffunction_sm_sessionnbr", snssai="1-000002")
    assert embb == (in_use & (slices == sim.world.slices.label.index("1-000002"))).sum()
    assert gauge(metrics, "upf-edge", "fivegs_ep_n3_gtp_indatapktn3upf") > 0


def test_reachability_matches_the_model_topology() -> None:
    for link in ("acc-gnb-ws1-01", "ring-cs-2-cs-1"):
        lost = behind(document(), link=link)
        result = run(warm_plant(), 2, None)
        imp = Impairments(links_down={link})
        got = result.sim.step(imp).reachable
        elements = result.sim.world.elements
        expected = {elements.names[result.sim.world.node_element[n]] for n in lost}
        assert set(elements.names) - got == expected


def test_locking_a_cell_empties_it_without_an_alarm() -> None:
    sim = warm_plant()
    changes = sim.apply_config(
        "me-gnb-ws1-01", {"gnb-ws1-01-c1": {"administrativeState": "LOCKED"}}
    )
    assert [(c.attribute, c.old, c.new) for c in changes] == [
        ("administrative_state", "UNLOCKED", "LOCKED")
    ]
    result = run(sim, 6)
    du = cell_counters(sim, result.report, "gnb-ws1-01-c1", "NRCellDU")
    cu = cell_counters(sim, result.report, "gnb-ws1-01-c1", "NRCellCU")
    assert number(du["RRU.PrbAvailDl"]) == 0 and number(cu["RRC.ConnMean"]) < 1
    assert result.alarms == [] or all(
        a.alarm_condition != "CELL_UNAVAILABLE" for a in result.alarms
    )
    steady = np.isfinite(sim.power_on_s) & (sim.traffic.duty >= 1.0)  # never RRC_IDLE
    assert result.last.terminals.connected[steady].mean() > 0.99  # neighbours took them
    assert not (result.last.terminals.cell == sim.world.cells.index["gnb-ws1-01-c1"]).any()


def test_more_transmit_power_widens_coverage() -> None:
    before = run(warm_plant(), 6)
    sim = warm_plant()
    sim.apply_config("me-gnb-ws2-02", {"gnb-ws2-02-c1": {"txPower": 34.0}})
    after = run(sim, 6)
    cell = sim.world.cells.index["gnb-ws2-02-c1"]

    def served(result: Run) -> int:  # terminal-steps: idle terminals make one step noisy
        return sum(int((r.terminals.cell == cell).sum()) for r in result.results)

    assert served(after) > served(before)


def test_config_changes_are_checked_and_all_or_nothing() -> None:
    sim = warm_plant()
    with pytest.raises(ConfigError, match="outside"):
        sim.apply_config("me-gnb-ws1-01", {"gnb-ws1-01-c1": {"pci": 5, "tx_power_dbm": 99}})
    assert sim.world.cells.pci[sim.world.cells.index["gnb-ws1-01-c1"]] != 5
    with pytest.raises(ConfigError, match="not managed"):
        sim.apply_config("me-gnb-ws1-02", {"gnb-ws1-01-c1": {"pci": 5}})
    with pytest.raises(ConfigError, match="no managed element"):
        sim.apply_config("me-nope", {})
    sim.apply_config("me-gnb-ws1-01", {"gnb-ws1-01-c1": {"nRPCI": 5}})
    assert sim.world.cells.pci[sim.world.cells.index["gnb-ws1-01-c1"]] == 5


def test_locking_a_upf_fails_its_sessions_without_an_alarm() -> None:
    sim = warm_plant()
    sim.apply_config("me-upf-edge", {"upf-edge": {"administrativeState": "LOCKED"}})
    result = run(sim, 12)
    assert result.raised("NF_UNAVAILABLE") == []
    assert gauge(result.metrics, "upf-edge", "fivegs_upffunction_upf_sessionnbr") == 0
    sessions = result.last.terminals.session
    anchored = sim.world.terminals.upf == sim.world.upfs.index["upf-edge"]
    in_use = np.isfinite(sim.power_on_s)  # spare devices never switch on
    assert not sessions[anchored].any() and sessions[~anchored & in_use].all()


def test_only_provisioned_subscribers_register() -> None:
    sim = Simulation(document("small"), seed=2, start=START, provisioned=set())
    nobody = run(sim, 9)
    assert not nobody.last.terminals.registered.any()
    amf_values = counters(nobody.report, "me-core-1", "AMFFunction=amf-1")
    assert number(amf_values["RM.RegInitFail.7"]) >= 20 and amf_values["RM.RegInitSucc"] == 0
    sim.set_provisioned({"imsi-999990009000001"})
    later = run(sim, 36)  # the back-off of earlier failures delays the next attempt
    registered = later.last.terminals.registered
    assert registered.sum() == 1 and registered[sim.world.terminals.index["agv-ws1-001"]]


def test_locking_an_access_link_cuts_off_its_gnb_without_a_link_alarm() -> None:
    sim = warm_plant()
    sim.apply_config("me-tsn-ws1", {"acc-gnb-ws1-01": {"administrativeState": "LOCKED"}})
    result = run(sim, 3)
    assert "me-gnb-ws1-01" not in result.last.reachable
    assert result.raised("LINK_DOWN") == []
    sim.apply_config("me-tsn-ws1", {"acc-gnb-ws1-01": {"administrativeState": "UNLOCKED"}})
    assert "me-gnb-ws1-01" in run(sim, 1).last.reachable
