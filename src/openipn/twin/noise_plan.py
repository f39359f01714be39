"""The benign events of a run, drawn up front from the scenario's seed and the site.

Everything here is deterministic: a separate random stream (`[seed, NOISE_STREAM]`) so that
turning noise on or off leaves the simulation's own draws unchanged. Targets come from the
site: any managed element for a transient alarm, a transport link whose loss cuts nothing
off for the flapping port, any cell for a planned change, the terminals whose traffic follows
the shifts for the power-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from openipn.model.alarms import EventType, PerceivedSeverity, ProbableCause
from openipn.model.radio import ElementRole
from openipn.twin.noise_spec import CountRange, DurationRange, Noise
from openipn.twin.sim.alarms import AlarmSpec
from openipn.twin.sim.network import Network, Outage
from openipn.twin.sim.traffic import PROFILES
from openipn.twin.sim.world import CLASSES, World

NOISE_STREAM = 0x6E6F6973  # "nois": the noise's own random stream beside the scenario seed
MAX_LINK_TRIALS = 64  # links tried when looking for a redundant one (each a topology solve)
POWER_JITTER_MIN = (0, 2, 4, 6, 8, 10)  # minutes after the shift ends (or starts) a person acts
PEOPLE = ("a.keller", "m.osei", "l.chen", "s.novak", "r.haddad", "j.moreau")  # change authors


class Benign(StrEnum):
    """The benign behaviours, as the truth file names them."""

    TRANSIENT_ALARM = "transient_alarm"
    FLAPPING_PORT = "flapping_port"
    LATE_PM_FILE = "late_pm_file"
    DUPLICATE_PM_FILE = "duplicate_pm_file"
    MISSING_PM_FILE = "missing_pm_file"
    CLOCK_SKEW = "clock_skew"
    PLANNED_CHANGE = "planned_change"
    SHIFT_END_POWER_OFF = "shift_end_power_off"
    MAINTENANCE_WINDOW = "maintenance_window"


# Alarms equipment raises and clears by itself within seconds, by the role of the element.
TRANSIENT: dict[str, AlarmSpec] = {
    ElementRole.GNB: AlarmSpec(
        "RU_TEMPERATURE_HIGH", "Radio unit temperature above threshold", PerceivedSeverity.MINOR,
        EventType.ENVIRONMENTAL_ALARM, ProbableCause.TEMPERATURE_UNACCEPTABLE,
        "Radio unit of {object} is warmer than its threshold",
    ),
    ElementRole.TRANSPORT: AlarmSpec(
        "PORT_INPUT_ERRORS", "Input errors above threshold", PerceivedSeverity.WARNING,
        EventType.COMMUNICATIONS_ALARM, ProbableCause.FRAMING_ERROR,
        "Frame check errors on a port of {object} above threshold",
    ),
    ElementRole.TIMING: AlarmSpec(
        "PTP_TIME_ERROR_HIGH", "PTP time error above threshold", PerceivedSeverity.WARNING,
        EventType.COMMUNICATIONS_ALARM, ProbableCause.TIMING_PROBLEM,
        "Time error of {object} briefly above its threshold",
    ),
}  # fmt: skip
PROCESSING = AlarmSpec(
    "CPU_LOAD_HIGH", "CPU load above threshold", PerceivedSeverity.MINOR,
    EventType.PROCESSING_ERROR_ALARM, ProbableCause.CPU_CYCLES_LIMIT_EXCEEDED,
    "CPU load of {object} briefly above its threshold",
)  # fmt: skip


@dataclass(frozen=True)
class TransientAlarm:
    """One alarm raised on an element and cleared by it."""

    element: str
    spec: AlarmSpec
    raised: dt.datetime
    cleared: dt.datetime


@dataclass(frozen=True)
class Flap:
    """A flapping episode: the link is down in each (start, end) interval."""

    link: str
    downs: tuple[tuple[dt.datetime, dt.datetime], ...]


@dataclass(frozen=True)
class PlannedChange:
    """A person changes a cell's power a little, at a time."""

    at: dt.datetime
    cell: str
    user: str


@dataclass
class Plan:
    """What benign events the run will see (the PM file fates are drawn per period)."""

    alarms: list[TransientAlarm] = field(default_factory=list)
    flaps: list[Flap] = field(default_factory=list)
    skew_us: dict[str, int] = field(default_factory=dict)  # element -> clock offset (µs)
    changes: list[PlannedChange] = field(default_factory=list)
    power_off: dict[int, int] = field(default_factory=dict)  # terminal -> jitter (minutes)


def noise_rng(seed: int) -> np.random.Generator:
    """The noise's random stream for a scenario seed."""
    return np.random.default_rng([seed, NOISE_STREAM])


def _times(
    rng: np.random.Generator, rate: float, per: dt.timedelta, start: dt.datetime, span: dt.timedelta
) -> list[dt.datetime]:
    """Poisson arrivals at `rate` per `per` over the span, sorted."""
    count = int(rng.poisson(rate * span / per))
    offsets = np.sort(rng.uniform(0.0, span.total_seconds(), count))
    return [start + dt.timedelta(seconds=float(s)) for s in offsets]


def _duration(rng: np.random.Generator, spread: DurationRange) -> dt.timedelta:
    low, high = spread.low.total_seconds(), spread.high.total_seconds()
    return dt.timedelta(seconds=float(rng.uniform(low, high)))


def _count(rng: np.random.Generator, spread: CountRange) -> int:
    return int(rng.integers(spread.low, spread.high + 1))


def transient_spec(world: World, element: int) -> AlarmSpec:
    """The transient alarm an element of this role raises."""
    return TRANSIENT.get(world.elements.role[element], PROCESSING)


def redundant_links(world: World, network: Network, rng: np.random.Generator) -> list[str]:
    """Links with a managed element at an end whose loss leaves everything working."""
    links = world.links
    base = network.state(Outage(frozenset(), frozenset(), frozenset()))
    ported = [
        i
        for i in range(len(links))
        if max(world.node_element.get(links.a[i], -1), world.node_element.get(links.b[i], -1)) >= 0
    ]
    found = []
    for i in rng.permutation(ported)[:MAX_LINK_TRIALS].tolist():
        conn = network.state(Outage(frozenset(), frozenset({links.names[i]}), frozenset()))
        same = all(
            np.array_equal(getattr(conn, part), getattr(base, part))
            for part in ("element_reachable", "gnb_up", "gnb_upf", "upf_n4", "edge_up", "gm_up")
        )
        if same and np.array_equal(conn.gnb_synced, base.gnb_synced):
            found.append(links.names[i])
    return sorted(found)


def shift_bound_terminals(world: World) -> np.ndarray:
    """Terminals whose traffic follows the shifts fully (handhelds, machines, cameras on QC)."""
    weights = np.array([PROFILES[c].shift_weight for c in CLASSES])
    classes = world.terminals.app_class
    has_sim = world.terminals.has_sim
    return np.flatnonzero((weights[classes] >= 1.0) & has_sim) if len(classes) else classes


def plan(
    noise: Noise, world: World, network: Network, seed: int, start: dt.datetime, span: dt.timedelta
) -> Plan:
    """Draw every timed benign event of a run."""
    rng, out = noise_rng(seed), Plan()
    hour, day, n_elements = dt.timedelta(hours=1), dt.timedelta(days=1), len(world.elements)
    if (spec := noise.transient_alarms) is not None and n_elements:
        for at in _times(rng, spec.per_hour, hour, start, span):
            me = int(rng.integers(n_elements))
            clear = at + _duration(rng, spec.clear_after)
            out.alarms.append(
                TransientAlarm(world.elements.names[me], transient_spec(world, me), at, clear)
            )
    if (flapping := noise.flapping_port) is not None:
        candidates = redundant_links(world, network, rng)
        for at in _times(rng, flapping.per_day, day, start, span) if candidates else []:
            link, flaps = (
                candidates[int(rng.integers(len(candidates)))],
                _count(rng, flapping.flaps),
            )
            out.flaps.append(Flap(link, _flap_intervals(rng, at, flaps)))
    if (skew := noise.clock_skew) is not None and n_elements:
        chosen = rng.choice(n_elements, size=min(skew.elements, n_elements), replace=False)
        for me in sorted(chosen.tolist()):
            sign = 1 if rng.random() < 0.5 else -1
            offset_ms = float(rng.uniform(skew.max_ms / 2.0, skew.max_ms))
            out.skew_us[world.elements.names[me]] = sign * round(offset_ms * 1000)
    if (changes := noise.planned_changes) is not None and len(world.cells):
        for at in _times(rng, changes.per_day, day, start, span):
            cell = world.cells.names[int(rng.integers(len(world.cells)))]
            out.changes.append(PlannedChange(at, cell, PEOPLE[int(rng.integers(len(PEOPLE)))]))
    if (power := noise.shift_end_power_off) is not None:
        bound = shift_bound_terminals(world)
        count = min(len(bound), max(1, round(power.share * len(bound)))) if len(bound) else 0
        for t in sorted(rng.choice(bound, size=count, replace=False).tolist()) if count else []:
            out.power_off[int(t)] = POWER_JITTER_MIN[int(rng.integers(len(POWER_JITTER_MIN)))]
    return out


def _flap_intervals(
    rng: np.random.Generator, at: dt.datetime, flaps: int
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """`flaps` short downs (2..20 s) separated by short ups (5..40 s)."""
    downs, moment = [], at
    for _ in range(flaps):
        down = dt.timedelta(seconds=float(rng.uniform(2.0, 20.0)))
        downs.append((moment, moment + down))
        moment += down + dt.timedelta(seconds=float(rng.uniform(5.0, 40.0)))
    return tuple(downs)
