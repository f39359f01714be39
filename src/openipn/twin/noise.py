"""Benign noise at run time: what the twin adds, step by step, to a well-run plant's life.

The runner routes through `NoiseRuntime`: the impairments of each step (a flapping redundant
port, a maintenance window, terminals switched off between shifts), the events after it
(transient alarms, planned changes, maintenance state changes), every PM file (on time, late,
twice or never) and every VES event (an element's skewed clock). Each occurrence becomes a
`benign` line of the truth file. With the scenario's noise off every method is a pass-through.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openipn.codecs import ves
from openipn.codecs.ves_state import State, state_change_event
from openipn.twin.adapters import fault_event
from openipn.twin.noise_plan import Benign, TransientAlarm, noise_rng, plan
from openipn.twin.noise_power import ShiftPower
from openipn.twin.noise_spec import Noise
from openipn.twin.scenario import Scenario
from openipn.twin.sim.alarms import alarm_event
from openipn.twin.sim.config import ConfigChange
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import FaultError
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.naming import element_ldn
from openipn.twin.sim.results import StepResult
from openipn.twin.sim.targets import Target, TargetError, element_of, resolve
from openipn.twin.truth import TruthWriter

PLANNED_STEP_DB = 0.5  # a planned power trim: half a dB down, or back to the planned value
DUPLICATE_AFTER = dt.timedelta(seconds=30)  # a file announced twice: the repeat follows soon

# A maintenance window takes its target out of service the way the matching outage would.
MAINTAIN: dict[str, Callable[[Impairments, str], None]] = {
    "gnb": lambda imp, name: imp.nodes_down.add(name),
    "transport_node": lambda imp, name: imp.nodes_down.add(name),
    "upf": lambda imp, name: imp.nodes_down.add(name),
    "amf": lambda imp, name: imp.nodes_down.add(name),
    "core_function": lambda imp, name: imp.nodes_down.add(name),
    "edge_node": lambda imp, name: imp.nodes_down.add(name),
    "cell": lambda imp, name: imp.cells_out.add(name),
    "link": lambda imp, name: imp.links_down.add(name),
}


class NoiseError(FaultError):
    """A noise section that cannot run on this site (a maintenance target ...)."""


@dataclass(frozen=True)
class Wire:
    """How the noise reaches the wire: the runner's emitters."""

    emit: Callable[[dict[str, Any]], None]
    source: Callable[[str], ves.EventSource]
    sequence: Callable[[], int]
    announce: Callable[[list[ConfigChange], dt.datetime, str | None], None]
    deliver: Callable[[str, str, bytes, dt.datetime], None]  # element, file name, data, at


@dataclass(order=True)
class Pending:
    """A PM file to (re)deliver later."""

    due: dt.datetime
    order: int
    element: str = field(compare=False)
    name: str = field(compare=False)
    data: bytes = field(compare=False)


@dataclass(frozen=True)
class Window:
    """A maintenance window resolved against the site."""

    target: Target
    element: str
    start: dt.datetime
    end: dt.datetime


class NoiseRuntime:
    """The scenario's benign noise, applied to one run."""

    def __init__(self, scenario: Scenario, sim: Simulation, wire: Wire) -> None:
        self.noise, self.sim, self.wire = scenario.noise, sim, wire
        self.windows = _windows(scenario, sim)
        self.plan = plan(
            self.noise, sim.world, sim.network, scenario.seed, scenario.start, scenario.duration
        )
        self.rng = noise_rng(scenario.seed + 1)  # PM file fates, drawn period by period
        self.power = ShiftPower(sim, self.plan.power_off)
        self.truth: TruthWriter | None = None
        self.pending: list[Pending] = []
        self.counter = 0
        self.phases: dict[int, int] = {}  # maintenance window -> 0 ahead, 1 open, 2 over
        self.planned_power: dict[int, float] = {}  # cell -> its power before the first change
        self.queued = 0
        self.clears: list[tuple[dt.datetime, int, TransientAlarm]] = []
        self.step = dt.timedelta(seconds=sim.step_s)

    # --- truth ---------------------------------------------------------------------------

    def begin(self, truth: TruthWriter) -> None:
        """Start recording to the run's truth file; the skewed clocks hold from the start."""
        self.truth = truth
        for element, skew in self.plan.skew_us.items():
            self._record(
                Benign.CLOCK_SKEW,
                f"managed_element:{element}",
                self.sim.now,
                None,
                skew_ms=skew / 1000,
            )

    def _record(
        self, kind: Benign, target: str, start: dt.datetime, end: dt.datetime | None, **params: Any
    ) -> None:
        self.counter += 1
        if self.truth is not None:
            self.truth.benign(f"benign-{self.counter:05d}", kind, target, start, end, params)

    def finish(self, end: dt.datetime | None) -> None:
        """End of run (`end` None: completed, else cut short then): open occurrences end.

        A completed run still sends what was due after its end (late files, clears); a run cut
        short (stopped, or aborted by an error) sends nothing more.
        """
        while self.clears and end is None:
            self._alarm(heapq.heappop(self.clears)[2], cleared=True)
        while self.pending and end is None:
            item = heapq.heappop(self.pending)
            self.wire.deliver(item.element, item.name, item.data, item.due)
        for terminal, since in self.power.finish():
            self._record(Benign.SHIFT_END_POWER_OFF, f"terminal:{terminal}", since, end)
        for i, window in enumerate(self.windows):
            if self.phases.get(i) == 1:
                self._record(Benign.MAINTENANCE_WINDOW, str(window.target), window.start, end)

    # --- each step -----------------------------------------------------------------------

    def impairments(self, imp: Impairments, now: dt.datetime) -> Impairments:
        """The faults' impairments plus the benign ones of the step starting at `now`."""
        until = now + self.step
        for flap in self.plan.flaps:
            if any(down < until and up > now for down, up in flap.downs):
                imp.links_down.add(flap.link)
        for window in self.windows:
            if window.start <= now < window.end:
                MAINTAIN[window.target.kind](imp, window.target.name)
        for terminal, since, end in self.power.update(until):
            self._record(Benign.SHIFT_END_POWER_OFF, f"terminal:{terminal}", since, end)
        imp.terminals_off |= self.power.off
        return imp

    def after_step(self, result: StepResult) -> None:
        """Events of the step just simulated: alarms, changes, maintenance, late PM files."""
        now = result.time
        self._alarms(result, now)
        self._flaps(now)
        self._changes(now)
        self._maintenance(now)
        while self.pending and self.pending[0].due <= now:
            item = heapq.heappop(self.pending)
            self.wire.deliver(item.element, item.name, item.data, item.due)

    def _alarms(self, result: StepResult, now: dt.datetime) -> None:
        """Raises due now from reachable elements; each clears itself when its time comes."""
        alarms = self.plan.alarms
        while alarms and alarms[0].raised <= now:
            alarm = alarms.pop(0)
            if alarm.element in result.reachable:  # an element that cannot report raises nothing
                self._alarm(alarm, cleared=False)
                heapq.heappush(self.clears, (alarm.cleared, id(alarm), alarm))
                target = f"managed_element:{alarm.element}"
                self._record(Benign.TRANSIENT_ALARM, target, alarm.raised, alarm.cleared,
                             alarm_condition=alarm.spec.condition)  # fmt: skip
        while self.clears and self.clears[0][0] <= now:
            self._alarm(heapq.heappop(self.clears)[2], cleared=True)

    def _alarm(self, alarm: TransientAlarm, *, cleared: bool) -> None:
        ldn = element_ldn(self.sim.world, self.sim.world.elements.index[alarm.element])
        moment = alarm.cleared if cleared else alarm.raised
        event: Any = alarm_event(
            alarm.spec, alarm.element, ldn, alarm.element, moment, cleared=cleared
        )
        self.wire.emit(fault_event(event, self.wire.source(alarm.element), self.wire.sequence()))

    def _flaps(self, now: dt.datetime) -> None:
        flaps = self.plan.flaps
        for flap in [f for f in flaps if f.downs[-1][1] <= now]:
            flaps.remove(flap)
            self._record(
                Benign.FLAPPING_PORT,
                f"link:{flap.link}",
                flap.downs[0][0],
                flap.downs[-1][1],
                flaps=len(flap.downs),
            )

    def _changes(self, now: dt.datetime) -> None:
        changes, world = self.plan.changes, self.sim.world
        while changes and changes[0].at <= now:
            change = changes.pop(0)
            c = world.cells.index[change.cell]
            current = float(world.cells.tx_dbm[c])
            planned = self.planned_power.setdefault(c, current)  # as the plan had it
            new = planned - PLANNED_STEP_DB if current >= planned else planned
            element = world.elements.names[int(world.gnbs.me[world.cells.gnb[c]])]
            applied = self.sim.apply_config(element, {change.cell: {"tx_power_dbm": new}})
            self.wire.announce(applied, now, change.user)
            self._record(
                Benign.PLANNED_CHANGE,
                f"cell:{change.cell}",
                now,
                now,
                user=change.user,
                attribute="tx_power_dbm",
                old=current,
                new=new,
            )

    def _maintenance(self, now: dt.datetime) -> None:
        for i, window in enumerate(self.windows):
            phase = self.phases.get(i, 0)
            if phase == 0 and window.start <= now:
                self._state(window.element, window.start, State.IN_SERVICE, State.MAINTENANCE)
                phase = 1
            if phase == 1 and window.end <= now:
                self._state(window.element, window.end, State.MAINTENANCE, State.IN_SERVICE)
                self._record(
                    Benign.MAINTENANCE_WINDOW, str(window.target), window.start, window.end
                )
                phase = 2
            self.phases[i] = phase

    def _state(self, element: str, at: dt.datetime, old: State, new: State) -> None:
        source = self.wire.source(element)
        self.wire.emit(
            state_change_event(
                source, at=at, sequence=self.wire.sequence(), old_state=old, new_state=new
            )
        )

    # --- PM files and clocks ---------------------------------------------------------------

    def pm_file(
        self, element: str, name: str, data: bytes, begin: dt.datetime, end: dt.datetime
    ) -> None:
        """Deliver one period's file now, late, twice, or never."""
        noise, target = self.noise, f"managed_element:{element}"
        draw = float(self.rng.random()) if _pm_noise(noise) else 1.0
        missing = noise.missing_pm_file.probability if noise.missing_pm_file else 0.0
        late = noise.late_pm_files.probability if noise.late_pm_files else 0.0
        twice = noise.duplicate_pm_files.probability if noise.duplicate_pm_files else 0.0
        if draw < missing:
            self._record(Benign.MISSING_PM_FILE, target, begin, end, file=name)
            return
        if draw < missing + late and noise.late_pm_files is not None:
            spread = noise.late_pm_files.delay
            delay = self.rng.uniform(spread.low.total_seconds(), spread.high.total_seconds())
            due = end + dt.timedelta(seconds=float(delay))
            self._queue(due, element, name, data)
            self._record(Benign.LATE_PM_FILE, target, end, due, file=name)
            return
        self.wire.deliver(element, name, data, end)
        if draw < missing + late + twice:
            self._queue(end + DUPLICATE_AFTER, element, name, data)
            self._record(Benign.DUPLICATE_PM_FILE, target, end, end + DUPLICATE_AFTER, file=name)

    def _queue(self, due: dt.datetime, element: str, name: str, data: bytes) -> None:
        self.queued += 1
        heapq.heappush(self.pending, Pending(due, self.queued, element, name, data))

    def skew(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event as an element with a skewed clock stamps it."""
        if not self.plan.skew_us:
            return event
        header = event["commonEventHeader"]
        offset = self.plan.skew_us.get(header.get("reportingEntityName", ""))
        if offset:
            header["startEpochMicrosec"] += offset
            header["lastEpochMicrosec"] += offset
        return event


def _pm_noise(noise: Noise) -> bool:
    return any((noise.missing_pm_file, noise.late_pm_files, noise.duplicate_pm_files))


def _windows(scenario: Scenario, sim: Simulation) -> list[Window]:
    """The declared maintenance windows, each checked against the site and the run."""
    found, problems = [], []
    for i, window in enumerate(scenario.noise.maintenance_windows):
        where = f"noise.maintenance_windows[{i}] ({window.target})"
        try:
            target = resolve(sim.world, window.target)
            if target.kind not in MAINTAIN:
                raise TargetError(
                    f"kind {target.kind!r} cannot be maintained; use one of "
                    f"{', '.join(sorted(MAINTAIN))}"
                )
            element = element_of(sim.world, target)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if window.at >= scenario.duration:
            problems.append(f"{where}: starts at {window.at}, after the run ends")
        start = scenario.start + window.at
        found.append(Window(target, element, start, start + window.duration))
    if problems:
        raise NoiseError("; ".join(problems))
    return found
