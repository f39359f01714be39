"""Radio measurements: what UEs report per terminal and per cell, and how faults move it."""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import Run, baseline_and_fault, cell_counters, run, warm_plant

from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import Fault
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.measure import CQI_SINR_DB, EDGES, Family
from openipn.twin.sim.report_radio import NAMES, bin_names
from openipn.twin.sim.results import TerminalView

STEPS = 18


@pytest.fixture(scope="module")
def healthy() -> Run:
    """Three healthy minutes of the example plant after warm-up."""
    return run(warm_plant(), STEPS)


def counts(r: Run, cell: str, family: Family) -> np.ndarray:
    """One family's bin counts of a cell in the run's period report."""
    values = cell_counters(r.sim, r.report, cell, NAMES[family][0])
    return np.array([values[name] for name in bin_names(family)], dtype=float)


def centre_mean(r: Run, cell: str, family: Family) -> float:
    """Mean of a distribution, each bin at its lower edge (bin 0 at the first edge)."""
    edges = EDGES[family]
    lower = np.concatenate([[edges[0]], edges])
    found = counts(r, cell, family)
    return float((found * lower).sum() / found.sum())


def busiest_cell(r: Run) -> str:
    """The cell serving the most terminals at the end of the run."""
    view = r.last.terminals
    served = np.bincount(view.cell[view.cell >= 0], minlength=len(view.cell_names))
    return view.cell_names[int(np.argmax(served))]


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
    # dB for SINR and RSRQ (the RSSI rises with the noise), CQI indices for CQI.
    for family, shift in ((Family.SINR, 3.0), (Family.RSRQ, 1.0), (Family.CQI, 1.0)):
        assert counts(hit, target, family).sum() > 0
        assert centre_mean(hit, target, family) < centre_mean(base, target, family) - shift
    assert centre_mean(hit, target, Family.RSRP) == pytest.approx(
        centre_mean(base, target, Family.RSRP), abs=3.0
    )  # the signal is as strong as before; only the noise rose


def test_a_rogue_cell_shows_as_an_unknown_pci_near_it() -> None:
    target = busiest_cell(run(warm_plant(), 1))
    base, hit = baseline_and_fault(Fault("r", "rogue_gnb", f"cell:{target}"), steps=STEPS)
    known = set(base.sim.world.cells.pci.tolist()) | {-1}
    assert set(base.last.terminals.nbr_pci.ravel().tolist()) <= known
    view = hit.last.terminals
    unknown = ~np.isin(view.nbr_pci, list(known))
    seeing = np.flatnonzero(unknown.any(axis=1))
    assert seeing.size > 0 and view.connected[seeing].all()
    assert len(set(view.nbr_pci[unknown].tolist())) == 1  # one rogue, one PCI
    world = hit.sim.world
    where = world.cells.pos[world.cells.index[target], :2]
    near = np.hypot(view.x - where[0], view.y - where[1])
    assert np.median(near[seeing]) < np.median(near[view.connected])


def test_a_cell_outage_leaves_its_terminals_with_weaker_signal() -> None:
    target = busiest_cell(run(warm_plant(), 1))
    base, hit = baseline_and_fault(Fault("o", "cell_outage", f"cell:{target}"), steps=STEPS)
    world = base.sim.world
    before, after = base.last.terminals, hit.last.terminals
    moved = (before.cell == world.cells.index[target]) & after.connected
    assert moved.sum() >= 3
    drop = before.rsrp_dbm[moved] - after.rsrp_dbm[moved]
    # They now hear a farther cell: weaker for nearly all (measurement error blurs a few).
    assert (drop > 0).mean() > 0.8 and float(np.median(drop)) > 1.0
    assert target not in {after.cell_names[c] for c in after.cell[after.cell >= 0]}
