"""Helpers for the simulation tests: example sites, a warmed-up plant, reports, radio checks."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from openipn.model.document import SiteDocument
from openipn.sitefile import parse_site_text
from openipn.twin.sim.alarms import AlarmEvent
from openipn.twin.sim.engine import Simulation, StepResult
from openipn.twin.sim.faults import Fault, impairments_at
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.measure import EDGES, Family
from openipn.twin.sim.report import PeriodReport, Value
from openipn.twin.sim.report_radio import NAMES, bin_names

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai: a shift is running
WARM_STEPS = 18  # three minutes: every terminal powers on, registers and gets a session
Metrics = dict[str, dict[str, list[tuple[dict[str, str], float]]]]


@functools.cache
def document(name: str = "plant") -> SiteDocument:
    """An example site, parsed once per test session (the simulation never mutates it)."""
    return parse_site_text((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


@functools.cache
def _warm(name: str, seed: int) -> Simulation:
    sim = Simulation(document(name), seed=seed, start=START)
    for _ in range(WARM_STEPS):
        sim.step(Impairments())
    sim.collect_period(sim.time, flush_radio=True)
    return sim


def warm_plant(name: str = "plant", seed: int = 5) -> Simulation:
    """A fresh copy of a simulation that has run healthy for three minutes."""
    return copy.deepcopy(_warm(name, seed))


@dataclass
class Run:
    """What a stretch of steps emitted."""

    sim: Simulation
    report: PeriodReport
    metrics: Metrics
    alarms: list[AlarmEvent] = field(default_factory=list)
    results: list[StepResult] = field(default_factory=list)

    @property
    def last(self) -> StepResult:
        """The last step's result."""
        return self.results[-1]

    def raised(self, condition: str) -> list[AlarmEvent]:
        """Raise events of one alarm condition."""
        return [a for a in self.alarms if a.alarm_condition == condition and not a.cleared]


def run(sim: Simulation, steps: int, faults: list[Fault] | None = None) -> Run:
    """Step under the given faults, then collect the period and the core metrics."""
    imp = impairments_at(faults or [], sim.world)
    results = [sim.step(imp) for _ in range(steps)]
    alarms = [a for r in results for a in r.alarms]
    report = sim.collect_period(sim.time, flush_radio=True)  # the radio job's bins too
    return Run(sim, report, sim.core_metrics(), alarms, results)


def baseline_and_fault(fault: Fault, steps: int = 18, name: str = "plant") -> tuple[Run, Run]:
    """The same warmed-up network run healthy and with the fault, from the same state."""
    return run(warm_plant(name), steps), run(warm_plant(name), steps, [fault])


def counters(report: PeriodReport, element: str, ldn_suffix: str) -> dict[str, Value]:
    """The counters of the object whose LDN ends with `ldn_suffix` in an element's report.

    An object's counters of every job (its measInfos of the period and of the radio job).
    """
    measurements = report.elements[element]
    assert measurements is not None, f"{element} produced no report"
    found: dict[str, Value] = {}
    for _, ldn, values in measurements:
        if ldn.endswith(ldn_suffix):
            found |= values
    if not found:
        raise KeyError(f"{element} reported nothing for ...{ldn_suffix}")
    return found


def cell_counters(sim: Simulation, report: PeriodReport, cell: str, cls: str) -> dict[str, Value]:
    """NRCellDU or NRCellCU counters of a cell, by cell name."""
    world = sim.world
    c = world.cells.index[cell]
    element = world.elements.names[world.gnbs.me[world.cells.gnb[c]]]
    return counters(report, element, f",{cls}={world.cells.local_id[c]}") if cls else {}


def amf(report: PeriodReport) -> dict[str, Value]:
    """The AMF's counters in the plant."""
    return counters(report, "me-core-1", "AMFFunction=amf-1")


def smf(report: PeriodReport) -> dict[str, Value]:
    """The SMF's counters in the plant."""
    return counters(report, "me-core-1", "SMFFunction=smf-1")


def gauge(metrics: Metrics, nf: str, name: str, **labels: str) -> float:
    """One series' value from core_metrics()."""
    for found, value in metrics[nf][name]:
        if all(found.get(k) == v for k, v in labels.items()):
            return value
    raise KeyError(f"{nf} {name} {labels}")


def number(value: Value) -> float:
    """A counter that must be known."""
    assert value is not None, "expected a value, got NIL"
    return float(value)


# -- radio measurements (TS 28.552 bin counters, terminal reports) ----------------------------


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


def check_sinr_falls_at(base: Run, hit: Run, target: str) -> None:
    """The target cell's SINR, RSRQ and CQI distributions fall; its RSRP stays."""
    # dB for SINR and RSRQ (the RSSI rises with the noise), CQI indices for CQI.
    for family, shift in ((Family.SINR, 3.0), (Family.RSRQ, 1.0), (Family.CQI, 1.0)):
        assert counts(hit, target, family).sum() > 0
        assert centre_mean(hit, target, family) < centre_mean(base, target, family) - shift
    assert centre_mean(hit, target, Family.RSRP) == pytest.approx(
        centre_mean(base, target, Family.RSRP), abs=3.0
    )  # the signal is as strong as before; only the noise rose


def check_unknown_pci_near(base: Run, hit: Run, target: str) -> None:
    """Connected terminals near the target list one PCI no cell of the site uses."""
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


def check_weaker_signal(base: Run, hit: Run, target: str) -> None:
    """The target's terminals, served elsewhere now, hear a weaker serving cell."""
    world = base.sim.world
    before, after = base.last.terminals, hit.last.terminals
    moved = (before.cell == world.cells.index[target]) & after.connected
    assert moved.sum() >= 3
    drop = before.rsrp_dbm[moved] - after.rsrp_dbm[moved]
    # They now hear a farther cell: weaker for nearly all (measurement error blurs a few).
    assert (drop > 0).mean() > 0.8 and float(np.median(drop)) > 1.0
    assert target not in {after.cell_names[c] for c in after.cell[after.cell >= 0]}


CELL_KEYS = (
    "RRC.ConnEstabAtt", "RRC.ConnEstabSucc", "MM.HoExeIntraReq", "MM.HoExeIntraSucc",
    "MM.HoExeInterReq", "MM.HoExeInterSucc",
)  # fmt: skip


def cells(report: PeriodReport) -> list[dict[str, float]]:
    """The signalling counters of every NRCellCU of a report."""
    found = []
    for measurements in report.elements.values():
        for info, _, values in measurements or []:
            if info == "NRCellCU":
                found.append({k: number(values[k]) for k in CELL_KEYS})
    return found


def rate(found: list[dict[str, float]], succ: tuple[str, ...], att: tuple[str, ...]) -> float:
    """A success rate in per cent over the given cells."""
    total = sum(c[k] for c in found for k in att)
    return 100.0 * sum(c[k] for c in found for k in succ) / total


def rrc_rate(found: list[dict[str, float]]) -> float:
    """RRC setup success rate in per cent."""
    return rate(found, ("RRC.ConnEstabSucc",), ("RRC.ConnEstabAtt",))


def registration_rate(report: PeriodReport) -> float:
    """Registration success (initial, mobility, periodic) in per cent."""
    a = amf(report)
    req = sum(number(a[k]) for k in ("RM.RegInitReq", "RM.RegMobReq", "RM.RegPeriodReq"))
    ok = sum(number(a[k]) for k in ("RM.RegInitSucc", "RM.RegMobSucc", "RM.RegPeriodSucc"))
    return 100.0 * ok / req


def ho_rate(found: list[dict[str, float]]) -> float:
    """Handover execution success rate (intra- and inter-gNB) in per cent."""
    return rate(
        found, ("MM.HoExeIntraSucc", "MM.HoExeInterSucc"), ("MM.HoExeIntraReq", "MM.HoExeInterReq")
    )
