"""Every fault type declares what it does to the radio measurements, and does it (issue 10).

One healthy run of the warmed-up example plant is the baseline; each fault type runs from the
same state against a target derived from that baseline (the busiest cell, its gNB, the link
and switch feeding it ...). Measurement errors are drawn from a hash of (terminal, step)
(measure.py), so a terminal connected to the same cell in both runs reports the same error
twice: the paired difference is what the fault changed, not noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pytest
from sim_kit import (
    Run,
    busiest_cell,
    centre_mean,
    check_sinr_falls_at,
    check_unknown_pci_near,
    check_weaker_signal,
    counts,
    document,
    run,
    warm_plant,
)

from openipn.model.topology import behind
from openipn.twin.sim.fault_params import Params
from openipn.twin.sim.faults import CATALOGUE, Fault
from openipn.twin.sim.geometry import FloatArray, IntArray, points_in_polygon
from openipn.twin.sim.measure import Family
from openipn.twin.sim.world import World

STEPS = 18  # three minutes: terminals leave a lost cell, load settles, a PM period fills
NOISE_DB = 1.0  # paired terminal medians: a fault without radio effect moves them less
PM_NOISE_DB = 1.5  # a cell's distributions: bursts connect other terminals in each run
LOAD_DB = 0.3  # a load change moves the paired median SINR at least this much


class RadioEffect(StrEnum):
    """What a fault does to what terminals measure and cells count."""

    NONE = "none"  # connected terminals measure what they measured healthy
    SINR_DOWN_AT_TARGET = "sinr_down_at_target"  # noise rises in the target cell
    UNKNOWN_PCI_NEAR = "unknown_pci_near"  # a false base station is heard near the target
    TARGET_OFF_AIR = "target_off_air"  # its terminals move to weaker cells; nobody hears it
    TARGET_BARRED = "target_barred"  # same, but it still radiates, stronger than their server
    SERVING_PCI_AMONG_NEIGHBOURS = "serving_pci_among_neighbours"  # a PCI collision
    LOAD_UP = "load_up"  # more traffic: SINR and RSRQ fall, RSRP stays
    LOAD_DOWN = "load_down"  # less traffic: SINR and RSRQ rise, RSRP stays
    NOBODY_MEASURES = "nobody_measures"  # every cell barred: no terminal connected to report
    TERMINAL_SILENT = "terminal_silent"  # the target terminal stops reporting; others as before


RADIO_EFFECT: dict[str, RadioEffect] = {
    "gnb_down": RadioEffect.TARGET_OFF_AIR,
    "cell_outage": RadioEffect.TARGET_OFF_AIR,
    "cell_sleeping": RadioEffect.TARGET_BARRED,  # radiates its SSB, admits nobody
    "transport_link_down": RadioEffect.TARGET_BARRED,  # no NG-C: the cut-off gNB bars its cells
    "switch_down": RadioEffect.TARGET_BARRED,
    "transport_congestion": RadioEffect.NONE,  # losses upstream lighten the air by well < 1 dB
    "interference": RadioEffect.SINR_DOWN_AT_TARGET,
    "upf_overload": RadioEffect.NONE,  # a third of its downlink lost: well under upf_down's
    "upf_down": RadioEffect.LOAD_DOWN,  # sessions released: their traffic leaves the air
    "amf_down": RadioEffect.NOBODY_MEASURES,
    "edge_node_down": RadioEffect.LOAD_DOWN,  # the dead server sends no downlink
    "ptp_sync_loss": RadioEffect.NONE,  # the twin's gNBs drift together: no TDD misalignment
    "pci_conflict": RadioEffect.SERVING_PCI_AMONG_NEIGHBOURS,
    "capacity_surge": RadioEffect.LOAD_UP,
    "certificate_expiry": RadioEffect.NONE,
    "terminal_fault": RadioEffect.TERMINAL_SILENT,
    "rogue_gnb": RadioEffect.UNKNOWN_PCI_NEAR,
    "sim_clone": RadioEffect.NONE,
    "registration_storm": RadioEffect.NONE,
    "data_exfiltration": RadioEffect.NONE,  # uplink only: UEs measure the downlink
    # Illegal ME (TS 24.501 §5.5.1.2.5 cause #6): the UE holds its USIM invalid until switched
    # off and the network releases its RRC connection, so it sends no measurement report.
    "imei_mismatch": RadioEffect.TERMINAL_SILENT,
}

# Fault types whose radio effect the twin does not produce yet (issue 10 item 7).
NOT_YET: dict[str, str] = {}  # fault type -> why the twin does not model its effect yet


@dataclass(frozen=True)
class Plan:
    """Targets derived from the healthy baseline: one object of each kind a fault may hit."""

    targets: dict[str, str]  # target kind -> object name; "cell" is the busiest cell
    area_cells: IntArray  # the cells of the busiest cell's area
    params: dict[str, Params]  # fault type -> parameters

    @property
    def cell(self) -> str:
        """The busiest cell: every cell fault's target, the others' point of reference."""
        return self.targets["cell"]

    def fault(self, fault_type: str) -> Fault:
        """The fault of this type on the first target kind it accepts that the plan has."""
        kinds = [k for k in CATALOGUE[fault_type].kinds if k in self.targets]
        assert kinds, f"{fault_type}: the plan has no target of kind {CATALOGUE[fault_type].kinds}"
        target = f"{kinds[0]}:{self.targets[kinds[0]]}"
        return Fault(f"radio-{fault_type}", fault_type, target, self.params.get(fault_type, {}))


def _feeding_link(world: World, gnb: str) -> tuple[str, str]:
    """The link whose loss cuts the gNB off, and the transport node at its other end."""
    for i, name in enumerate(world.links.names):
        ends = (world.links.a[i], world.links.b[i])
        if gnb in ends and gnb in behind(document(), link=name):
            other = ends[1] if ends[0] == gnb else ends[0]
            assert other in world.transport.index, f"{name} feeds {gnb} from {other}"
            return name, other
    raise AssertionError(f"no single link feeds {gnb}")


def _area_cells(world: World, c: int) -> tuple[str, IntArray]:
    """The area holding cell `c`, and every cell in it."""
    x, y = world.cells.pos[:, 0], world.cells.pos[:, 1]
    for name, polygon in zip(world.areas.names, world.areas.polygons, strict=True):
        inside = points_in_polygon(x, y, polygon)
        if inside[c]:
            return name, np.flatnonzero(inside)
    raise AssertionError(f"{world.cells.names[c]} lies in no area")


def _most_used(anchor: IntArray, names: list[str]) -> str:
    """The object (UPF, edge node) the most terminals use."""
    return names[int(np.argmax(np.bincount(anchor[anchor >= 0])))]


def _steady_parked_terminal(base: Run, c: int) -> str:
    """A parked terminal on cell `c` at the end, connected in the most baseline steps."""
    world = base.sim.world
    steps = np.sum([r.terminals.connected for r in base.results], axis=0)
    mine = (base.last.terminals.cell == c) & ~world.terminals.mobile
    assert mine.any(), f"no parked terminal on {world.cells.names[c]}"
    return world.terminals.names[int(np.argmax(np.where(mine, steps, -1)))]


def _heard_pci(base: Run, c: int) -> int:
    """The co-channel PCI the terminals of cell `c` list most often as a neighbour."""
    cells = base.sim.world.cells
    listed = np.concatenate([r.terminals.nbr_pci[r.terminals.cell == c] for r in base.results])
    co_channel = {
        int(p) for p, f in zip(cells.pci, cells.arfcn, strict=True) if f == cells.arfcn[c]
    }
    heard = [p for p in listed.ravel().tolist() if p in co_channel and p != cells.pci[c]]
    assert heard, f"the terminals of {cells.names[c]} hear no co-channel neighbour"
    return int(np.bincount(heard).argmax())


def plan_of(base: Run) -> Plan:
    """Every fault type's target, from the baseline's busiest cell outwards."""
    world = base.sim.world
    cell = busiest_cell(base)
    c = world.cells.index[cell]
    gnb = world.gnbs.names[world.cells.gnb[c]]
    link, switch = _feeding_link(world, gnb)
    area, area_cells = _area_cells(world, c)
    targets = {
        "cell": cell,
        "gnb": gnb,
        "managed_element": world.elements.names[world.gnbs.me[world.gnbs.index[gnb]]],
        "link": link,
        "transport_node": switch,
        "area": area,
        "terminal": _steady_parked_terminal(base, c),
        "upf": _most_used(world.terminals.upf, world.upfs.names),
        "edge_node": _most_used(world.terminals.edge, world.edges.names),
        "amf": world.core.names[world.amfs()[0]],
        "ptp_grandmaster": world.grandmasters.names[0],
    }
    # The default PCI (the nearest co-channel cell's) may belong to a sector nobody here hears.
    params: dict[str, Params] = {"pci_conflict": {"pci": float(_heard_pci(base, c))}}
    return Plan(targets, area_cells, params)


@pytest.fixture(scope="module")
def baseline() -> Run:
    """The warmed-up plant run healthy: what every faulted run is compared with."""
    return run(warm_plant(), STEPS)


@pytest.fixture(scope="module")
def plan(baseline: Run) -> Plan:
    """The targets, derived once from the baseline."""
    return plan_of(baseline)


# -- the checks, one per effect -----------------------------------------------------------------


FIELDS = {"rsrp": "rsrp_dbm", "rsrq": "rsrq_db", "sinr": "sinr_db"}  # TerminalView columns


def paired(base: Run, hit: Run, cells: IntArray | None = None) -> dict[str, FloatArray]:
    """Hit minus baseline per (step, terminal) on the same cell in both runs (of `cells`)."""
    found: dict[str, list[FloatArray]] = {name: [] for name in FIELDS}
    for before, after in zip(base.results, hit.results, strict=True):
        b, a = before.terminals, after.terminals
        same = b.connected & a.connected & (b.cell == a.cell)
        if cells is not None:
            same &= np.isin(b.cell, cells)
        for name, column in FIELDS.items():
            found[name].append(getattr(a, column)[same] - getattr(b, column)[same])
    return {name: np.concatenate(values) for name, values in found.items()}


def medians(base: Run, hit: Run, cells: IntArray | None = None) -> dict[str, float]:
    """The median paired difference of RSRP, RSRQ and SINR (dB)."""
    found = paired(base, hit, cells)
    assert found["rsrp"].size, "no terminal stayed on its cell"
    return {name: float(np.median(values)) for name, values in found.items()}


def silent(r: Run, cell: str) -> bool:
    """The cell counts no measurement: it reports none, or its histograms are empty."""
    world = r.sim.world
    element = world.elements.names[world.gnbs.me[world.cells.gnb[world.cells.index[cell]]]]
    if r.report.elements.get(element) is None:
        return True
    return all(counts(r, cell, f).sum() == 0 for f in Family)


def clashing(r: Run, step: int) -> IntArray:
    """Connected terminals that list their serving cell's PCI as a neighbour's."""
    view = r.results[step].terminals
    serving = r.sim.world.cells.pci[np.maximum(view.cell, 0)]
    return np.flatnonzero(view.connected & (view.nbr_pci == serving[:, None]).any(axis=1))


def check_none(base: Run, hit: Run, plan: Plan) -> None:
    """Terminals that stay on their cell measure what they did; the busiest cell counts alike."""
    stayed = paired(base, hit)["rsrp"].size
    connected = sum(int(r.terminals.connected.sum()) for r in base.results)
    assert stayed > 0.5 * connected  # the fault left most terminals where they were
    moved = medians(base, hit)
    assert abs(moved["rsrp"]) <= NOISE_DB and abs(moved["sinr"]) <= NOISE_DB, moved
    for family in (Family.RSRP, Family.SINR):
        assert centre_mean(hit, plan.cell, family) == pytest.approx(
            centre_mean(base, plan.cell, family), abs=PM_NOISE_DB
        )
    # Neighbour lists name the site's cells, each PCI once (no rogue, no collision).
    known = set(hit.sim.world.cells.pci.tolist()) | {-1}
    assert set(hit.last.terminals.nbr_pci.ravel().tolist()) <= known
    assert all(clashing(hit, step).size == 0 for step in range(STEPS))


def check_sinr_down(base: Run, hit: Run, plan: Plan) -> None:
    """The target cell's SINR, RSRQ and CQI distributions fall; its RSRP stays."""
    check_sinr_falls_at(base, hit, plan.cell)


def check_unknown_pci(base: Run, hit: Run, plan: Plan) -> None:
    """Terminals near the target list one PCI no cell of the site uses."""
    check_unknown_pci_near(base, hit, plan.cell)


def check_off_air(base: Run, hit: Run, plan: Plan) -> None:
    """Its terminals hear a weaker cell; nobody hears the target, nothing counts in it."""
    check_weaker_signal(base, hit, plan.cell)
    pci = hit.sim.world.cells.pci[hit.sim.world.cells.index[plan.cell]]
    assert (base.last.terminals.nbr_pci == pci).any()  # heard healthy
    assert not any((r.terminals.nbr_pci == pci).any() for r in hit.results)
    assert silent(hit, plan.cell) and not silent(base, plan.cell)


def check_barred(base: Run, hit: Run, plan: Plan) -> None:
    """Its terminals hear a weaker server and the target, still radiating, stronger."""
    check_weaker_signal(base, hit, plan.cell)
    world = hit.sim.world
    before, after = base.last.terminals, hit.last.terminals
    moved = (before.cell == world.cells.index[plan.cell]) & after.connected
    listed = after.nbr_pci[moved] == world.cells.pci[world.cells.index[plan.cell]]
    heard = np.where(listed, after.nbr_rsrp_dbm[moved], -np.inf).max(axis=1)
    assert listed.any(axis=1).mean() > 0.5  # the target still radiates its SSB
    # The sleeping or barred cell's signature: a neighbour stronger than the serving cell.
    assert (heard > after.rsrp_dbm[moved]).mean() > 0.5
    assert silent(hit, plan.cell) and not silent(base, plan.cell)


def check_pci_collision(base: Run, hit: Run, plan: Plan) -> None:
    """Terminals of the target hear its PCI twin: their serving PCI shows as a neighbour."""
    world = hit.sim.world
    c = world.cells.index[plan.cell]
    twins = np.flatnonzero(world.cells.pci == world.cells.pci[c])
    assert twins.size == 2  # the target and the cell whose PCI it was given
    assert all(clashing(base, s).size == 0 for s in range(STEPS))
    found = clashing(hit, -1)
    assert found.size >= 3 and np.isin(hit.last.terminals.cell[found], twins).all()


def check_load(sign: float) -> Callable[[Run, Run, Plan], None]:
    """SINR and RSRQ move with the load (+1: they rise, load fell); RSRP does not."""

    def check(base: Run, hit: Run, plan: Plan) -> None:
        cells = plan.area_cells if sign < 0 else None  # a surge loads the target's area
        found = paired(base, hit, cells)
        # Only terminals near the cells whose load changed see it (in a large plant, fewer
        # than half): the mean moves, and far more terminals move with the load than against.
        moved = {name: float(values.mean()) for name, values in found.items()}
        # Other cells' load is interference; the serving cell's enters the RSSI, so RSRQ
        # moves with it (TS 38.215 §5.1.3: RSRQ = N x RSRP / RSSI).
        assert sign * moved["sinr"] > LOAD_DB and sign * moved["rsrq"] > 0.0, moved
        along, against = (sign * found["sinr"] > 0).mean(), (sign * found["sinr"] < 0).mean()
        assert along > 0.2 and along > 4 * against, (along, against)
        rsrp = float(np.median(found["rsrp"]))
        assert abs(rsrp) <= NOISE_DB, moved  # path loss does not depend on load
        shift = centre_mean(hit, plan.cell, Family.SINR) - centre_mean(base, plan.cell, Family.SINR)
        assert sign * shift > 0.0

    return check


def check_nobody(base: Run, hit: Run, plan: Plan) -> None:
    """No terminal connected, so no report and no sample in any cell."""
    assert base.last.terminals.connected.any()
    assert not hit.last.terminals.connected.any()
    assert np.isnan(hit.last.terminals.rsrp_dbm).all()
    assert all(silent(hit, cell) for cell in hit.sim.world.cells.names)


def check_terminal_silent(base: Run, hit: Run, plan: Plan) -> None:
    """The target reports nothing in the second half of the run; the others as before."""
    t = hit.sim.world.terminals.index[plan.targets["terminal"]]
    assert np.isfinite(base.last.terminals.rsrp_dbm[t])
    assert all(np.isnan(r.terminals.rsrp_dbm[t]) for r in hit.results[STEPS // 2 :])
    check_none(base, hit, plan)


CHECKS: dict[RadioEffect, Callable[[Run, Run, Plan], None]] = {
    RadioEffect.NONE: check_none,
    RadioEffect.SINR_DOWN_AT_TARGET: check_sinr_down,
    RadioEffect.UNKNOWN_PCI_NEAR: check_unknown_pci,
    RadioEffect.TARGET_OFF_AIR: check_off_air,
    RadioEffect.TARGET_BARRED: check_barred,
    RadioEffect.SERVING_PCI_AMONG_NEIGHBOURS: check_pci_collision,
    RadioEffect.LOAD_UP: check_load(-1.0),
    RadioEffect.LOAD_DOWN: check_load(+1.0),
    RadioEffect.NOBODY_MEASURES: check_nobody,
    RadioEffect.TERMINAL_SILENT: check_terminal_silent,
}


# -- the tests ------------------------------------------------------------------------------------


def test_every_fault_type_declares_its_radio_effect() -> None:
    assert sorted(set(CATALOGUE) - set(RADIO_EFFECT)) == []  # new types: declare the effect
    assert sorted(set(RADIO_EFFECT) - set(CATALOGUE)) == []  # no stale entry
    assert set(CHECKS) == set(RadioEffect) and set(NOT_YET) <= set(CATALOGUE)


def cases() -> list[object]:
    """Every catalogue fault type, those the twin does not model yet as strict xfails."""
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[name]))
        if name in NOT_YET
        else name
        for name in sorted(CATALOGUE)
    ]


@pytest.mark.parametrize("fault_type", cases())
def test_each_fault_type_moves_the_radio_measurements_it_should(
    fault_type: str, baseline: Run, plan: Plan
) -> None:
    effect = RADIO_EFFECT.get(fault_type)
    assert effect is not None, f"{fault_type}: declare its radio effect in RADIO_EFFECT"
    hit = run(warm_plant(), STEPS, [plan.fault(fault_type)])
    CHECKS[effect](baseline, hit, plan)
