"""A healthy plant is not perfect: background access failures and the RRC life of terminals."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
from sim_kit import START, amf, cells, document, ho_rate, number, registration_rate, rrc_rate

from openipn.twin.noise_plan import plan
from openipn.twin.noise_power import ShiftPower
from openipn.twin.noise_spec import Noise, ShiftEndPowerOff
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.report import PeriodReport

HOUR_STEPS = 360  # 10 s steps
REG = ("RM.RegInitReq", "RM.RegInitSucc", "RM.RegMobReq", "RM.RegMobSucc", "RM.RegPeriodReq")


@functools.cache
def hourly(load_scale: float = 1.0, hours: int = 2) -> tuple[Simulation, list[PeriodReport]]:
    """The healthy example plant run during a shift, one report per hour (run once, read only)."""
    sim = Simulation(document(), seed=5, start=START, load_scale=load_scale)
    reports = []
    for _ in range(hours):
        for _ in range(HOUR_STEPS):
            sim.step(Impairments())
        reports.append(sim.collect_period(sim.time))
    return sim, reports


def test_healthy_plant_success_rates_land_in_well_run_ranges() -> None:
    reports = hourly()[1]
    per_hour = [cells(r) for r in reports]
    everything = [c for found in per_hour for c in found]
    assert 99.5 <= rrc_rate(everything) <= 99.95
    ho = ho_rate(everything)
    assert 98.5 <= ho <= 99.9
    for report in reports[1:]:  # the first hour holds every initial registration
        assert 99.5 <= registration_rate(report) <= 99.95
    busy = [c for c in per_hour[-1] if c["RRC.ConnEstabAtt"] >= 200]
    assert len({round(rrc_rate([c]), 3) for c in busy}) > len(busy) // 2  # cells differ
    assert rrc_rate(per_hour[0]) != rrc_rate(per_hour[1])  # and hours differ


def test_more_load_means_fewer_successful_rrc_setups() -> None:
    nominal = rrc_rate(cells(hourly()[1][0]))
    heavy = rrc_rate(cells(hourly(1.6, hours=1)[1][0]))
    assert heavy < nominal


def test_idle_terminals_set_up_rrc_again_and_spares_never_register() -> None:
    sim, reports = hourly()
    steady = sim.traffic.duty >= 1.0
    in_use = np.isfinite(sim.power_on_s)
    bursty = in_use & ~steady
    assert bursty.any() and (~in_use).any()
    attempts = sum(c["RRC.ConnEstabAtt"] for c in cells(reports[0]))
    assert attempts > 10 * bursty.sum()  # each comes back many times an hour
    registered = sim.core.registered
    assert registered[bursty].mean() > 0.99 and not registered[~in_use].any()
    assert (registered & ~sim.connected)[bursty].any()  # RRC_IDLE yet registered
    assert sim.connected[steady & in_use].mean() > 0.99


def test_registered_count_moves_with_the_shift_and_stays_below_the_provisioned() -> None:
    doc = document()
    start = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)  # 21:00 in Shanghai: shift ends 22:00
    sim = Simulation(doc, seed=5, start=start, step_s=30.0)
    noise = Noise(shift_end_power_off=ShiftEndPowerOff(share=0.3))
    drawn = plan(noise, sim.world, sim.network, 5, start, dt.timedelta(hours=2))
    power = ShiftPower(sim, drawn.power_off)
    means = []
    for _ in range(4):  # half-hour periods
        for _ in range(60):
            power.update(sim.time)
            sim.step(Impairments(terminals_off=set(power.off)))
        means.append(number(amf(sim.collect_period(sim.time))["RM.RegisteredSubNbrMean"]))
    assert max(means) < len(sim.provisioned)
    assert means[-1] < means[1] - 0.5 * len(drawn.power_off)  # the night shift switched off


def test_active_means_traffic_to_send_not_merely_attached() -> None:
    sim, _ = hourly()
    steady = sim.traffic.duty >= 1.0
    in_use = np.isfinite(sim.power_on_s)
    view = sim.step(Impairments()).terminals
    assert view.active[steady & in_use].all() and not view.active[~in_use].any()
    bursty = in_use & ~steady
    assert 0 < view.active[bursty].sum() < bursty.sum()  # a few are in a burst
    idle = bursty & ~view.active & view.registered & ~view.connected
    assert idle.any() and np.isnan(view.latency_ms[idle]).all()
    names = [sim.world.terminals.names[i] for i in np.flatnonzero(steady & in_use)[:6]]
    hit = sim.step(Impairments(terminals_faulty=set(names[:3]), terminals_off=set(names[3:])))
    rows = [sim.world.terminals.index[n] for n in names]
    view = hit.terminals
    assert not view.connected[rows].any()  # both are dropped from their cells
    assert view.active[rows[:3]].all() and not view.active[rows[3:]].any()
