"""The fault catalogue: what each fault type does to the network, as `Impairments`.

A fault names its type, a target (`kind:name`) and parameters. `impairments_at` combines all
active faults into one `Impairments`; the engine propagates effects through the topology (a
failed switch silences the gNBs behind it), so faults state only their immediate physical
effect. docs/faults.md describes each type's symptoms and repair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from openipn.model.identifiers import luhn_digit
from openipn.twin.sim.fault_params import (
    Param,
    ParamKind,
    Params,
    ParamSpec,
    number,
    optional,
    parse_params,
)
from openipn.twin.sim.impairments import Impairments, SecurityEvent, SecurityEventType
from openipn.twin.sim.targets import Target, TargetError, cells_of, element_of, resolve
from openipn.twin.sim.world import World


class FaultError(ValueError):
    """A fault that cannot be applied to this world (bad type, target or parameter)."""


@dataclass(frozen=True)
class Fault:
    """One active fault, as a scenario names it."""

    id: str
    type: str
    target: str
    params: Mapping[str, Param] = field(default_factory=dict)


class FaultLike(Protocol):
    """Anything with a fault's id, type, target and params (a scenario's fault entry)."""

    @property
    def id(self) -> str:
        """Stable id."""

    @property
    def type(self) -> str:
        """Fault type id."""

    @property
    def target(self) -> str:
        """`kind:name`."""

    @property
    def params(self) -> Mapping[str, Any]:
        """Parameters overriding the type's defaults."""


Effect = Callable[[Target, Params, World, Impairments], None]


@dataclass(frozen=True)
class FaultType:
    """A catalogue entry: accepted target kinds, declared parameters and the effect.

    `on_cells`: the effect acts on the cells the target covers, so a target covering none is
    refused (it would do nothing).
    """

    kinds: tuple[str, ...]
    params: Mapping[str, ParamSpec]
    effect: Effect
    summary: str
    on_cells: bool = False


def _node_down(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.nodes_down.add(t.name)


def _cell_out(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.cells_out.add(t.name)


def _cell_sleep(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.cells_sleeping.add(t.name)


def _link_down(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.links_down.add(t.name)


def _congestion(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.link_load[t.name] = imp.link_load.get(t.name, 0.0) + float(p["load"])


def _interference(t: Target, p: Params, w: World, imp: Impairments) -> None:
    for c in cells_of(w, t).tolist():
        name = w.cells.names[c]
        imp.interference_db[name] = max(imp.interference_db.get(name, 0.0), float(p["level_db"]))


def _upf_overload(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.upf_load[t.name] = max(imp.upf_load.get(t.name, 0.0), float(p["load"]))


def _ptp(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.ptp_lost.add(t.name)


def _pci_conflict(t: Target, p: Params, w: World, imp: Impairments) -> None:
    pci = p.get("pci")
    imp.pci_override[t.name] = (
        int(float(pci)) if pci is not None else _neighbour_pci(w, w.cells.index[t.name])
    )


def _neighbour_pci(w: World, c: int) -> int:
    """The PCI of the nearest other cell on the same carrier (the classic collision)."""
    cells = w.cells
    others = np.flatnonzero((cells.arfcn == cells.arfcn[c]) & (np.arange(len(cells)) != c))
    if not others.size:
        return int(cells.pci[c])
    distance = np.hypot(*(cells.pos[others, :2] - cells.pos[c, :2]).T)
    return int(cells.pci[others[np.argmin(distance)]])


def _surge(t: Target, p: Params, w: World, imp: Impairments) -> None:
    key = "*" if t.kind == "site" else t.name
    imp.load_factor[key] = imp.load_factor.get(key, 1.0) * float(p["factor"])


def _certificate(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.certificates_expired.add(element_of(w, t))


def _terminal_fault(t: Target, p: Params, w: World, imp: Impairments) -> None:
    imp.terminals_faulty.add(t.name)


def _security(
    kind: SecurityEventType, resolver: Callable[[Target, Params, World], Params]
) -> Effect:
    def effect(t: Target, p: Params, w: World, imp: Impairments) -> None:
        resolved = resolver(t, p, w)
        imp.security.append(SecurityEvent(kind, str(t), tuple(sorted(resolved.items()))))

    return effect


def _rogue_params(t: Target, p: Params, w: World) -> Params:
    cells = cells_of(w, t)
    if not len(cells):
        raise TargetError(f"target {t} covers no cell")
    if t.kind == "cell":
        x, y = (w.cells.pos[cells[0], :2] + 6.0).tolist()
    else:
        x, y = w.areas.polygons[w.areas.index[t.name]].mean(axis=0).tolist()
    arfcns, counts = np.unique(w.cells.arfcn[cells], return_counts=True)
    unused = sorted(set(range(1008)) - set(w.cells.pci.tolist()))
    return {
        "x": float(p.get("x", x)),
        "y": float(p.get("y", y)),
        "z": float(p["z"]),
        "power_dbm": float(p["power_dbm"]),
        "arfcn": float(p.get("arfcn", int(arfcns[np.argmax(counts)]))),
        "pci": float(p.get("pci", unused[-1] if unused else 1007)),
        "synchronised": float(p["synchronised"]),
    }


def _clone_params(t: Target, p: Params, w: World) -> Params:
    if "cell" in p:
        if str(p["cell"]) not in w.cells.index:
            raise TargetError(f"sim_clone: no cell named {p['cell']!r}")
        return {"cell": str(p["cell"])}
    where = w.terminals.pos[w.terminals.index[t.name], :2]
    distance = np.hypot(*(w.cells.pos[:, :2] - where).T)
    return {"cell": w.cells.names[int(np.argmax(distance))]}


def _rate_params(key: str) -> Callable[[Target, Params, World], Params]:
    def resolver(t: Target, p: Params, w: World) -> Params:
        return {key: float(p[key])}

    return resolver


def _imei_params(t: Target, p: Params, w: World) -> Params:
    if p.get("imei"):
        return {"imei": str(p["imei"])}
    own = w.terminals.imei[w.terminals.index[t.name]] or "86000000000000"
    body = own[:8] + f"{(int(own[8:14]) + 424242) % 1_000_000:06d}"
    return {"imei": body + luhn_digit(body)}


CELL_OR_AREA = ("cell", "area")
ANY_ELEMENT = (
    "managed_element",
    "gnb",
    "cell",
    "upf",
    "amf",
    "core_function",
    "edge_node",
    "transport_node",
    "ptp_grandmaster",
)

LINK_LOAD = {"load": number(1.1, 0.01, 10.0)}  # extra utilisation of the link's capacity
ROGUE = {
    "power_dbm": number(23.0, -30.0, 60.0),
    "z": number(2.0, 0.0, 100.0),
    "synchronised": number(1.0, 0.0, 1.0),  # 1: aligned to the site's TDD frame, 0: not
    "x": optional(ParamKind.NUMBER),  # default: beside the cell, or the area's centre
    "y": optional(ParamKind.NUMBER),
    "arfcn": optional(ParamKind.ARFCN),  # default: the carrier most cells of the target use
    "pci": optional(ParamKind.PCI),  # default: a PCI no cell of the site uses
}

CATALOGUE: dict[str, FaultType] = {
    "gnb_down": FaultType(("gnb",), {}, _node_down, "the gNB fails (power, crash)"),
    "cell_outage": FaultType(("cell",), {}, _cell_out, "a cell stops radiating; its gNB alarms"),
    "cell_sleeping": FaultType(("cell",), {}, _cell_sleep, "a cell is up but serves nothing"),
    "transport_link_down": FaultType(("link",), {}, _link_down, "a transport link fails"),
    "switch_down": FaultType(("transport_node",), {}, _node_down, "a switch or bridge fails"),
    "transport_congestion": FaultType(
        ("link",), LINK_LOAD, _congestion, "cross traffic fills a link"
    ),
    "interference": FaultType(
        CELL_OR_AREA,
        {"level_db": number(20.0, 0.1, 80.0)},
        _interference,
        "external interference",
        on_cells=True,
    ),
    "upf_overload": FaultType(
        ("upf",), {"load": number(1.5, 0.01, 100.0)}, _upf_overload, "the UPF is overloaded"
    ),
    "upf_down": FaultType(("upf",), {}, _node_down, "the UPF process fails"),
    "amf_down": FaultType(("amf",), {}, _node_down, "the AMF process fails"),
    "edge_node_down": FaultType(
        ("edge_node",), {}, _node_down, "the edge application server fails"
    ),
    "ptp_sync_loss": FaultType(
        ("ptp_grandmaster",), {}, _ptp, "the grandmaster stops delivering PTP"
    ),
    "pci_conflict": FaultType(
        ("cell",),
        {"pci": optional(ParamKind.PCI)},  # default: the nearest co-channel cell's PCI
        _pci_conflict,
        "a change gives a cell a neighbour's PCI",
    ),
    "capacity_surge": FaultType(
        ("area", "site"),
        {"factor": number(3.0, 0.0, 100.0)},
        _surge,
        "traffic multiplies in an area",
    ),
    "certificate_expiry": FaultType(
        ANY_ELEMENT, {}, _certificate, "an element's certificate expires"
    ),
    "terminal_fault": FaultType(("terminal",), {}, _terminal_fault, "a terminal's modem fails"),
    "rogue_gnb": FaultType(
        CELL_OR_AREA,
        ROGUE,
        _security(SecurityEventType.ROGUE_GNB, _rogue_params),
        "a false base station transmits with an unknown PCI",
        on_cells=True,
    ),
    "sim_clone": FaultType(
        ("terminal",),
        {"cell": optional(ParamKind.CELL)},  # default: the cell farthest from the terminal
        _security(SecurityEventType.SIM_CLONE, _clone_params),
        "a SIM is cloned",
    ),
    "registration_storm": FaultType(
        ("cell", "area", "amf", "site"),
        {"rate_per_s": number(150.0, 0.01, 1e6)},
        _security(SecurityEventType.REGISTRATION_STORM, _rate_params("rate_per_s")),
        "unknown devices flood the AMF with registrations",
        on_cells=True,
    ),
    "data_exfiltration": FaultType(
        ("terminal",),
        {"rate_mbps": number(100.0, 0.01, 1e5)},
        _security(SecurityEventType.DATA_EXFILTRATION, _rate_params("rate_mbps")),
        "a terminal uploads unusual volumes",
    ),
    "imei_mismatch": FaultType(
        ("terminal",),
        {"imei": optional(ParamKind.IMEI)},  # default: a plausible foreign IMEI
        _security(SecurityEventType.IMEI_MISMATCH, _imei_params),
        "a SIM appears in a device other than its bound one",
    ),
}


def _checked(fault: FaultLike, world: World) -> tuple[FaultType, Target, Params]:
    """The fault's type, resolved target and parsed parameters; FaultError naming the fault."""
    spec = CATALOGUE.get(fault.type)
    if spec is None:
        known = ", ".join(sorted(CATALOGUE))
        raise FaultError(f"fault {fault.id!r}: unknown type {fault.type!r}; known types: {known}")
    try:
        target = resolve(world, fault.target)
        if target.kind not in spec.kinds:
            raise TargetError(
                f"target kind {target.kind!r} not accepted; use one of {', '.join(spec.kinds)}"
            )
        if spec.on_cells and not len(cells_of(world, target)):
            raise TargetError(f"target {target} covers no cell, so the fault would do nothing")
        params = parse_params(spec.params, fault.params, world)
    except ValueError as exc:
        raise FaultError(f"fault {fault.id!r} ({fault.type}): {exc}") from None
    return spec, target, params


def validate(fault: FaultLike, world: World) -> Target:
    """The fault's resolved target, once its effect has been tried on this world.

    FaultError naming the fault for anything that would abort the run or leave it without
    effect: an unknown type or parameter, a target of the wrong kind or covering no cell, a
    parameter of the wrong type or out of range.
    """
    spec, target, params = _checked(fault, world)
    trial = Impairments()
    try:
        spec.effect(target, params, world, trial)
    except ValueError as exc:
        raise FaultError(f"fault {fault.id!r} ({fault.type}): {exc}") from None
    if trial.empty():
        raise FaultError(f"fault {fault.id!r} ({fault.type}): has no effect on {target}")
    return target


class ScheduledFault(FaultLike, Protocol):
    """A fault with its start into the run (a scenario's fault entry)."""

    @property
    def at(self) -> dt.timedelta:
        """Start, from the beginning of the run."""


def validate_schedule(
    faults: Iterable[ScheduledFault], run_length: dt.timedelta, world: World
) -> None:
    """Every fault checked (`validate`) and starting within the run; FaultError naming all."""
    problems = []
    for fault in faults:
        try:
            validate(fault, world)
        except ValueError as exc:
            problems.append(str(exc))
        if fault.at >= run_length:
            problems.append(
                f"fault {fault.id!r} ({fault.type}): starts at {fault.at}, "
                f"after the run ends ({run_length})"
            )
    if problems:
        raise FaultError("; ".join(problems))


def impairments_at(active_faults: Iterable[FaultLike], world: World) -> Impairments:
    """The combined physical effect of the active faults."""
    imp = Impairments()
    for fault in active_faults:
        spec, target, params = _checked(fault, world)
        try:
            spec.effect(target, params, world, imp)
        except ValueError as exc:
            raise FaultError(f"fault {fault.id!r} ({fault.type}): {exc}") from None
    return imp
