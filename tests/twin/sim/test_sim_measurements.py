"""Radio measurements: what UEs report per terminal and per cell, and how faults move it."""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import (
    Run,
    baseline_and_fault,
    busiest_cell,
    cell_counters,
    check_sinr_falls_at,
    check_unknown_pci_near,
    check_weaker_signal,
    counts,
    run,
    warm_plant,
)

from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import Fault
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.measure import CQI_SINR_DB, Family
from openipn.twin.sim.report_radio import INFO_SUFFIX, JOB_PERIOD_S, NAMES, bin_names
from openipn.twin.sim.results import TerminalView

STEPS = 18


@pytest.fixture(scope="module")
def healthy() -> Run:
    """Three healthy minutes of the example plant after warm-up."""
    return run(warm_plant(), STEPS)


def test_healthy_indoor_values_are_plausible(healthy: Run) -> None:
    view = healthy.last.terminals
    on = view.connected
    assert on.any()
    assert np.isfinite(view.rsrp_dbm[on]).all() and np.isnan(view.rsrp_dbm[~on]).all()
    low, high = np.percentile(view.rsrp_dbm[on], [5, 95])
    assert -110.0 <= low < high <= -60.0
    low, high = np.percentile(view.sinr_db[on], [5, 95])
    assert -5.0 <= low < high <= 30.0
    assert (view.rsrq_db[on] <= 0.0).mean() > 0.95 and (view.rsrq_db[on] >= -20.0).all()
    # Every connected terminal hears some other cell of an indoor multi-cell plant.
    assert (view.nbr_pci[on, 0] >= 0).mean() > 0.9
    heard = view.nbr_pci[on] >= 0
    assert set(view.nbr_pci[on][heard].tolist()) <= set(healthy.sim.world.cells.pci.tolist())
    rsrp = view.nbr_rsrp_dbm[on]
    assert np.all(np.isnan(rsrp) == ~heard)


def test_neighbours_are_strongest_first_and_never_the_serving_cell(healthy: Run) -> None:
    view = healthy.last.terminals
    world = healthy.sim.world
    on = np.flatnonzero(view.connected)
    serving_pci = world.cells.pci[view.cell[on]]
    listed = view.nbr_pci[on]
    # No PCI collision in the healthy plant, so the serving PCI never shows as a neighbour.
    assert not (listed == serving_pci[:, None]).any()
    rsrp = view.nbr_rsrp_dbm[on]
    both = ~np.isnan(rsrp[:, 0]) & ~np.isnan(rsrp[:, 2])
    # Measurement error may swap close neighbours, never ones far apart.
    assert (rsrp[both, 0] >= rsrp[both, 2] - 12.0).all()


def test_reported_values_vary_around_the_truth_for_a_parked_terminal() -> None:
    sim = warm_plant()
    parked = np.flatnonzero(~sim.world.terminals.mobile)
    samples = []
    for _ in range(12):
        view = run_steps(sim, 1)
        samples.append(view.rsrp_dbm[parked])
    stacked = np.array(samples)
    steady = np.all(np.isfinite(stacked), axis=0)
    spread = stacked[:, steady].std(axis=0)
    assert steady.any() and 0.5 < float(np.median(spread)) < 5.0


def run_steps(sim: Simulation, steps: int) -> TerminalView:
    """The terminal view after `steps` healthy steps."""
    results = [sim.step(Impairments()) for _ in range(steps)]
    return results[-1].terminals


def test_every_histogram_counts_each_report_once(healthy: Run) -> None:
    sim = healthy.sim
    for cell in sim.world.cells.names:
        cu = cell_counters(sim, healthy.report, cell, "NRCellCU")
        mean = cu["RRC.ConnMean"]
        totals = {f: counts(healthy, cell, f).sum() for f in Family}
        assert len(set(totals.values())) == 1, (cell, totals)
        if mean is not None:
            assert totals[Family.RSRP] == pytest.approx(float(mean) * STEPS, abs=0.05)


def test_cqi_is_the_highest_index_the_reported_sinr_supports(healthy: Run) -> None:
    m = healthy.sim.measured
    on = m.cqi >= 0
    cqi, sinr = m.cqi[on], m.sinr_db[on]
    thresholds = np.concatenate([[-np.inf], CQI_SINR_DB, [np.inf]])  # CQI c needs [c], not [c+1]
    assert (sinr >= thresholds[cqi]).all() and (sinr < thresholds[cqi + 1]).all()
    cell = busiest_cell(healthy)
    found = counts(healthy, cell, Family.CQI)
    assert found.sum() > 0 and np.count_nonzero(found) >= 3  # a distribution, not a spike


def test_interference_lowers_sinr_and_cqi_of_the_target_cell() -> None:
    target = busiest_cell(run(warm_plant(), 1))
    base, hit = baseline_and_fault(Fault("i", "interference", f"cell:{target}"), steps=STEPS)
    check_sinr_falls_at(base, hit, target)


def test_a_rogue_cell_shows_as_an_unknown_pci_near_it() -> None:
    target = busiest_cell(run(warm_plant(), 1))
    base, hit = baseline_and_fault(Fault("r", "rogue_gnb", f"cell:{target}"), steps=STEPS)
    check_unknown_pci_near(base, hit, target)


def test_a_cell_outage_leaves_its_terminals_with_weaker_signal() -> None:
    target = busiest_cell(run(warm_plant(), 1))
    base, hit = baseline_and_fault(Fault("o", "cell_outage", f"cell:{target}"), steps=STEPS)
    check_weaker_signal(base, hit, target)


def test_distributions_travel_on_their_own_15_minute_job() -> None:
    sim = warm_plant()  # 03 minutes past the hour, radio job flushed
    reports, connected = [], 0
    while sim.time.minute != 30:
        for _ in range(6):  # one-minute PM files
            connected += int(sim.step(Impairments()).terminals.connected.sum())
        reports.append(sim.collect_period(sim.time))
        if sim.time.minute == 15:
            connected = 0  # the window that counts starts here
    carrying = [r for r in reports if r.periods]
    assert len(carrying) == 1 and carrying[0].end.minute == 30  # the :15 window began at :03
    report = carrying[0]
    assert set(report.periods.values()) == {JOB_PERIOD_S}
    bins = 0
    for measurements in report.elements.values():
        for info, _, values in measurements or []:
            if info in report.periods and NAMES[Family.RSRP][0] + INFO_SUFFIX == info:
                bins += sum(int(values[name]) for name in bin_names(Family.RSRP))
            else:
                assert not any(name.startswith("L1M.SS-RSRP") for name in values)
    assert bins == connected  # every connected terminal's report of the quarter hour, once
