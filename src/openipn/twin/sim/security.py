"""Staged security events turned into per-step physical effects on terminals and cells.

The fault catalogue resolves each event's parameters (positions, cells, rates) when it builds
the event; this module only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray
from openipn.twin.sim.impairments import SecurityEvent, SecurityEventType
from openipn.twin.sim.targets import cells_of, resolve
from openipn.twin.sim.world import World


@dataclass(frozen=True)
class Rogue:
    """A false base station: where it is, how loud, on which carrier, with which PCI."""

    x: float
    y: float
    z: float
    power_dbm: float
    arfcn: int
    pci: int
    synchronised: bool  # an unsynchronised rogue also transmits into uplink slots


@dataclass(frozen=True)
class Clone:
    """A cloned SIM: the original terminal and the cell the clone registers through."""

    terminal: int
    cell: int


@dataclass
class SecurityEffects:
    """What this step's security events do."""

    forced_off: BoolArray  # the network drops these terminals' registrations
    resync: BoolArray  # their next authentication first fails with a synch failure
    imei_ok: BoolArray  # presented IMEI matches the SIM's binding
    extra_ul_bps: FloatArray
    storm_per_s: FloatArray  # per cell: registration attempts per second from unknown UEs
    rogues: list[Rogue] = field(default_factory=list)
    clones: list[Clone] = field(default_factory=list)


def _params(event: SecurityEvent) -> dict[str, float | str]:
    return dict(event.params)


def _num(params: dict[str, float | str], key: str, default: float) -> float:
    value = params.get(key, default)
    return float(value)


def effects(world: World, events: list[SecurityEvent]) -> SecurityEffects:
    """Combine all active security events."""
    n = len(world.terminals)
    out = SecurityEffects(
        forced_off=np.zeros(n, bool),
        resync=np.zeros(n, bool),
        imei_ok=np.ones(n, bool),
        extra_ul_bps=np.zeros(n),
        storm_per_s=np.zeros(len(world.cells)),
    )
    for event in events:
        HANDLERS[event.type](world, event, _params(event), out)
    return out


def _rogue(
    world: World, event: SecurityEvent, p: dict[str, float | str], out: SecurityEffects
) -> None:
    out.rogues.append(
        Rogue(
            x=_num(p, "x", 0.0),
            y=_num(p, "y", 0.0),
            z=_num(p, "z", 2.0),
            power_dbm=_num(p, "power_dbm", 30.0),
            arfcn=int(_num(p, "arfcn", 0)),
            pci=int(_num(p, "pci", 1007)),
            synchronised=bool(_num(p, "synchronised", 0.0)),
        )
    )


def _terminal(world: World, event: SecurityEvent) -> int:
    return world.terminals.index[resolve(world, event.target).name]


def _clone(
    world: World, event: SecurityEvent, p: dict[str, float | str], out: SecurityEffects
) -> None:
    t = _terminal(world, event)
    cell = world.cells.index.get(str(p.get("cell", "")), 0)
    out.clones.append(Clone(t, cell))
    out.forced_off[t] = True  # each registration of the clone replaces the original's context
    out.resync[t] = True


def _storm(
    world: World, event: SecurityEvent, p: dict[str, float | str], out: SecurityEffects
) -> None:
    cells = cells_of(world, resolve(world, event.target))
    if len(cells):
        out.storm_per_s[cells] += _num(p, "rate_per_s", 150.0) / len(cells)


def _exfiltration(
    world: World, event: SecurityEvent, p: dict[str, float | str], out: SecurityEffects
) -> None:
    out.extra_ul_bps[_terminal(world, event)] += _num(p, "rate_mbps", 100.0) * 1e6


def _imei(
    world: World, event: SecurityEvent, p: dict[str, float | str], out: SecurityEffects
) -> None:
    t = _terminal(world, event)
    bound = world.terminals.bound_imei[t]
    presented = str(p.get("imei", ""))
    if bound is not None and presented != bound:
        out.imei_ok[t] = False
        out.forced_off[t] = True  # the device re-registers with the foreign IMEI


HANDLERS = {
    SecurityEventType.ROGUE_GNB: _rogue,
    SecurityEventType.SIM_CLONE: _clone,
    SecurityEventType.REGISTRATION_STORM: _storm,
    SecurityEventType.DATA_EXFILTRATION: _exfiltration,
    SecurityEventType.IMEI_MISMATCH: _imei,
}
