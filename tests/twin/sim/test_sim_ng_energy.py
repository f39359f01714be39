"""Counters behind the energy, PDCP volume, NG signalling and gNB PDU session KPIs.

PEE.* per gNB ManagedElement from the EARTH power model by load; DRB.PdcpSduVolume* from the
bits served; UECNTX.* from the NG signalling; SM.PDUSessionSetup* from the gNB's PDU session
resource setups.
"""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import (
    START,
    Run,
    baseline_and_fault,
    cell_counters,
    counters,
    document,
    number,
    run,
    warm_plant,
)

from openipn.twin.sim.energy import (
    BASEBAND_W,
    TRX_P0_W,
    TRX_PER_CELL,
    TRX_SLEEP_W,
    cell_power_w,
    gnb_power_w,
)
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import Fault


def fault(kind: str, target: str, **params: float | str) -> Fault:
    return Fault(f"t-{kind}", kind, target, params)


def gnb_power(r: Run, gnb: str) -> float:
    world = r.sim.world
    element = world.elements.names[world.gnbs.me[world.gnbs.index[gnb]]]
    return number(counters(r.report, element, element)["PEE.AvgPower"])


def cells_of(r: Run, gnb: str) -> list[str]:
    world = r.sim.world
    g = world.gnbs.index[gnb]
    return [n for c, n in enumerate(world.cells.names) if world.cells.gnb[c] == g]


def test_power_model_rises_with_load_and_keeps_a_floor() -> None:
    tx = np.full(5, 24.0)
    load = np.array([0.0, 0.25, 0.5, 1.0, 1.0])
    on = np.array([True, True, True, True, False])
    watts = cell_power_w(tx, load, on)
    assert np.all(np.diff(watts[:4]) > 0)  # more PRBs in use, more power
    assert watts[0] == TRX_PER_CELL * TRX_P0_W  # idle but radiating
    assert 0 < watts[4] < watts[0]  # off air: sleep power, never zero
    gnb = gnb_power_w(watts, np.array([0, 0, 1, 1, -1]), np.array([True, False]), 2)
    assert gnb[0] == watts[0] + watts[1] + BASEBAND_W and gnb[1] == 0.0  # powered off: none


def test_energy_follows_load_in_the_plant() -> None:
    light = Simulation(document(), seed=5, start=START, load_scale=0.2)
    heavy = Simulation(document(), seed=5, start=START, load_scale=1.0)
    quiet, busy = run(light, 18), run(heavy, 18)
    world = light.world
    for element in {world.elements.names[m] for m in world.gnbs.me}:
        low = number(counters(quiet.report, element, element)["PEE.Energy"])
        high = number(counters(busy.report, element, element)["PEE.Energy"])
        assert high >= low > 0
    assert any(gnb_power(busy, g) > gnb_power(quiet, g) for g in world.gnbs.names)


def test_a_sleeping_cell_draws_idle_power_and_an_outage_sleep_power() -> None:
    cell = "gnb-ws1-01-c1"
    gnb = "gnb-ws1-01"
    base, asleep = baseline_and_fault(fault("cell_sleeping", f"cell:{cell}"))
    _, out = baseline_and_fault(fault("cell_outage", f"cell:{cell}"))
    n_cells = len(cells_of(base, gnb))
    idle_floor = BASEBAND_W + n_cells * TRX_PER_CELL * TRX_P0_W
    # A sleeping cell keeps radiating and idling: its gNB draws about what it did (its
    # terminals' load moves to neighbours, some of them sister cells), no saving to notice.
    assert idle_floor <= gnb_power(asleep, gnb)
    assert gnb_power(asleep, gnb) == pytest.approx(gnb_power(base, gnb), rel=0.02)
    saved = TRX_PER_CELL * (TRX_P0_W - TRX_SLEEP_W)
    assert gnb_power(out, gnb) < gnb_power(asleep, gnb) - 0.9 * saved
    assert gnb_power(out, gnb) > BASEBAND_W


def test_pdcp_volume_is_the_bits_served() -> None:
    r = run(warm_plant(), 18)
    world, step_s = r.sim.world, r.sim.step_s
    served = {"DL": np.zeros(len(world.cells)), "UL": np.zeros(len(world.cells))}
    for result in r.results:
        v = result.terminals
        on = v.connected & v.session & (v.cell >= 0)
        for key, bps in (("DL", v.throughput_dl_bps), ("UL", v.throughput_ul_bps)):
            served[key] += np.bincount(v.cell[on], bps[on] * step_s / 1e6, len(world.cells))
    for c, name in enumerate(world.cells.names):
        cu = cell_counters(r.sim, r.report, name, "NRCellCU")
        for key, total in served.items():
            assert number(cu[f"DRB.PdcpSduVolume{key}"]) == round(total[c], 3)
    assert served["DL"].sum() > 0 and served["UL"].sum() > 0


def _cu_sum(r: Run, name: str) -> float:
    world = r.sim.world
    return sum(
        number(cell_counters(r.sim, r.report, cell, "NRCellCU")[name]) for cell in world.cells.names
    )


def test_ng_connections_and_pdu_setups_follow_the_signalling() -> None:
    fresh = Simulation(document(), seed=5, start=START)
    r = run(fresh, 12)  # every terminal powers on, registers and asks for a session
    registrations = number(counters(r.report, "me-core-1", "AMFFunction=amf-1")["RM.RegInitReq"])
    assert _cu_sum(r, "UECNTX.ConnEstabAtt") >= registrations > 0
    assert _cu_sum(r, "UECNTX.ConnEstabSucc") == _cu_sum(r, "UECNTX.ConnEstabAtt")  # healthy
    assert _cu_sum(r, "SM.PDUSessionSetupReq") == _cu_sum(r, "DRB.EstabAtt") > 0
    sessions = number(
        counters(r.report, "me-core-1", "SMFFunction=smf-1")["SM.PduSessionCreationSucc"]
    )
    assert _cu_sum(r, "SM.PDUSessionSetupReq") >= sessions


def test_an_overloaded_amf_leaves_ng_connections_unanswered() -> None:
    base, hit = baseline_and_fault(fault("registration_storm", "area:WS2"), steps=12)
    assert _cu_sum(base, "UECNTX.ConnEstabSucc") == _cu_sum(base, "UECNTX.ConnEstabAtt")
    assert _cu_sum(hit, "UECNTX.ConnEstabSucc") < _cu_sum(hit, "UECNTX.ConnEstabAtt")
