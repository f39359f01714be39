"""Per-packet latency: a continuous distribution whose tail follows load, radio and grant type."""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import Run, baseline_and_fault, busiest_cell, cell_counters, run, warm_plant

from openipn.twin.sim import packets
from openipn.twin.sim.faults import Fault
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.packets import Access, Queues
from openipn.twin.sim.radio import link_adaptation

N = 20_000


def _uniforms(n: int = N, step: int = 1) -> np.ndarray:
    return packets.draws(12345, n, step)[:n]


def _setup(
    critical: bool, direction: str, rho: float, bler: float, scs: float = 30.0
) -> tuple[Access, Queues, np.ndarray]:
    acc = packets.access(np.full(N, scs), np.full(N, critical), direction)
    busy, wait = packets.scheduler_queue(np.full(N, rho), acc.tx)
    queues = Queues(busy, wait, np.full(N, 0.01), np.full(N, 0.2))
    return acc, queues, np.full(N, bler)


def _latency(
    critical: bool, direction: str, rho: float, bler: float, scs: float = 30.0
) -> np.ndarray:
    acc, queues, p = _setup(critical, direction, rho, bler, scs)
    return packets.sample(acc, queues, p, _uniforms())


def test_tail_grows_with_load_on_the_same_draws() -> None:
    p99 = [np.percentile(_latency(False, "dl", rho, 0.1), 99) for rho in (0.2, 0.5, 0.8, 0.95)]
    assert np.all(np.diff(p99) > 0)
    assert p99[-1] > 3 * p99[0]


def test_tail_grows_as_sinr_falls() -> None:
    # Below the lowest MCS the BLER climbs; above, link adaptation holds it near its target.
    _, bler = link_adaptation(np.array([-10.0, -8.0, -6.5, 10.0]))
    p99 = [np.percentile(_latency(True, "ul", 0.3, float(b)), 99) for b in bler]
    assert p99[0] > p99[1] > p99[2] and p99[1] > p99[3]


def test_configured_grant_and_mini_slots_beat_dynamic_grants() -> None:
    for direction in ("dl", "ul"):
        critical, dynamic = (_latency(c, direction, 0.3, 0.1) for c in (True, False))
        assert np.median(critical) < np.median(dynamic)
        assert np.percentile(critical, 99) < np.percentile(dynamic, 99)


def test_wider_subcarriers_shorten_slots_and_latency() -> None:
    slow, fast = (np.median(_latency(False, "ul", 0.3, 0.1, scs)) for scs in (15.0, 30.0))
    assert fast < slow


def test_closed_form_share_within_budget_matches_the_draws() -> None:
    for critical, rho, bler, budget in ((True, 0.2, 0.1, 2.0), (False, 0.7, 0.3, 6.0)):
        acc, queues, p = _setup(critical, "ul", rho, bler)
        queues.transport = np.zeros(N)  # the closed form takes transport at its mean
        drawn = packets.sample(acc, queues, p, _uniforms())
        share = packets.within(acc, queues, p, np.full(N, budget))
        assert 0.02 < share[0] < 0.999
        assert share[0] == pytest.approx(np.mean(drawn <= budget), abs=0.01)
        assert np.mean(drawn) == pytest.approx(packets.means(acc, queues, p)[0], rel=0.03)


def test_residual_harq_failures_wait_for_rlc_recovery() -> None:
    drawn = _latency(True, "dl", 0.1, 0.5)
    late = drawn > packets.RLC_RECOVERY_MS
    assert np.mean(late) == pytest.approx(0.5**packets.MAX_TRANSMISSIONS, abs=0.01)


def _plant_latencies(steps: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sim = warm_plant()
    views = [sim.step(Impairments()).terminals for _ in range(steps)]
    latency = np.stack([v.latency_ms for v in views])
    sinr = np.stack([v.sinr_db for v in views])
    return latency, sinr, sim.world.terminals.five_qi


@pytest.mark.parametrize("critical", [False, True], ids=["other", "delay-critical"])
def test_plant_latency_is_a_continuous_distribution(critical: bool) -> None:
    # Per flow class: delay-critical flows (mini-slots, configured grants) form a faster
    # population of their own; within each class the bulk has no gaps or steps.
    latency, _, five_qi = _plant_latencies()
    mine = packets.delay_critical(five_qi) == critical
    known = latency[:, mine][~np.isnan(latency[:, mine])]
    low, high = np.percentile(known, [5, 95])
    width = 0.1 if critical else 0.5
    counts, _ = np.histogram(known, bins=np.arange(low, high + width, width))
    assert high - low > (0.5 if critical else 2.0) and (counts > 0).all()
    bulk = np.sort(known[(known >= low) & (known <= high)])
    assert np.max(np.diff(bulk)) < (0.05 if critical else 0.25)
    assert len(np.unique(known)) > 0.9 * known.size


def test_well_covered_delay_critical_terminal_sees_a_few_ms() -> None:
    latency, sinr, five_qi = _plant_latencies(12)
    critical = packets.delay_critical(five_qi)
    good = critical[None, :] & (sinr > 15.0) & ~np.isnan(latency)
    assert good.sum() > 50
    assert 0.3 < np.median(latency[good]) < 5.0
    often = good.sum(axis=0) >= 3
    per_terminal = np.nanstd(np.where(good, latency, np.nan)[:, often], axis=0)
    assert np.median(per_terminal) > 0.05  # it varies from packet to packet


def _cell_values(r: Run, name: str) -> dict[str, float]:
    out = {}
    for cell in r.sim.world.cells.names:
        value = cell_counters(r.sim, r.report, cell, "NRCellDU").get(name)
        if value is not None:
            out[cell] = float(value)
    return out


def test_air_interface_delay_counter_varies_by_cell_and_with_radio() -> None:
    interfered = busiest_cell(run(warm_plant(), 1))
    loud = Fault("f1", "interference", f"cell:{interfered}", {"level_db": 40.0})
    base, hit = baseline_and_fault(loud, steps=18)
    air = _cell_values(base, "DRB.AirIfDelayDl")
    assert len(air) > 5 and len(set(air.values())) > len(air) // 2
    # The interferer raises the noise at the cell's receiver: uplink SINR falls below what
    # link adaptation can absorb, BLER and HARQ retransmissions rise. (Downlink terminals
    # that can leave hand over; the mix of those that stay decides the downlink figure.)
    name = "DRB.AirIfDelayUl"
    assert _cell_values(hit, name)[interfered] > 1.2 * _cell_values(base, name)[interfered]


def test_rlc_delay_counter_grows_with_load() -> None:
    quiet = run(warm_plant(), 18)
    busy_sim = warm_plant()
    busy = run(busy_sim, 0)
    busy.results = [busy_sim.step(Impairments(load_factor={"WS2": 4.0})) for _ in range(18)]
    busy.report = busy_sim.collect_period(busy_sim.time)
    world, view = busy_sim.world, busy.results[-1].terminals
    in_area = (world.terminals.area == world.areas.index["WS2"]) & (view.cell >= 0)
    ws2 = sorted({world.cells.names[c] for c in view.cell[in_area]})
    calm, loaded = (_cell_values(r, "DRB.RlcSduDelayDl") for r in (quiet, busy))
    assert ws2 and np.mean([loaded[c] for c in ws2]) > np.mean([calm[c] for c in ws2])
