"""Terminals switched off between shifts: the benign power-off of shift-bound devices.

A chosen terminal goes off a few minutes (its jitter) after the site's shift pattern enters
its quiet hours and comes back the same few minutes after the next shift begins. Switching off
deregisters it at once (UE-initiated deregistration with "switch off", TS 24.501 §5.5.2.2):
the engine drops a terminal of `Impairments.terminals_off` from its cell and its AMF in the
same step. While off it neither attaches nor sends, nor wants to (its reports say `active`
false, so its silence is not an SLA miss). Profiles with no quiet hours switch nobody off.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from openipn.twin.sim.traffic import CURVES, LoadProfile, TrafficModel, shift_activity
from openipn.twin.sim.world import World


class PoweredSim(Protocol):
    """What the power-off reads and changes of the simulation."""

    world: World
    traffic: TrafficModel
    tz: dt.tzinfo


class ShiftPower:
    """Which chosen terminals are off now, and since when."""

    def __init__(self, sim: PoweredSim, jitter: dict[int, int]) -> None:
        self.sim = sim
        self.profile: LoadProfile = sim.traffic.profile
        self.enabled = bool(jitter) and CURVES[self.profile].outside < 1.0
        self.buckets: dict[int, list[int]] = {}
        for terminal, minutes in sorted(jitter.items()):
            self.buckets.setdefault(minutes, []).append(terminal)
        self.since: dict[int, dt.datetime] = {}
        self.off: set[str] = set()

    def _quiet(self, local: dt.datetime) -> bool:
        return shift_activity(local, self.profile) <= CURVES[self.profile].outside

    def update(self, now: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
        """Switch terminals off or on for `now`; the power-offs that ended (name, since, end)."""
        if not self.enabled:
            return []
        local = now.astimezone(self.sim.tz)
        wanted = {
            t
            for minutes, members in self.buckets.items()
            if self._quiet(local - dt.timedelta(minutes=minutes))
            for t in members
        }
        if wanted == self.since.keys():
            return []
        names = self.sim.world.terminals.names
        for t in sorted(wanted - self.since.keys()):  # off: in the step's forced-off set
            self.since[t] = now
        ended = [(names[t], self.since.pop(t), now) for t in sorted(self.since.keys() - wanted)]
        self.off = {names[t] for t in self.since}
        return ended

    def finish(self) -> list[tuple[str, dt.datetime]]:
        """Terminals still off at the end of the run, with the moment they went off."""
        names = self.sim.world.terminals.names
        still = [(names[t], since) for t, since in sorted(self.since.items())]
        self.since.clear()
        self.off = set()
        return still
