"""Object scopes (`cell:C1`, `gnb:G1`, `upf:U1`, `nf:amf-1`, `slice:S1`, `site`, a DN) → DNs.

Distinguished names are built the TS 28.622 / TS 28.541 way the equipment (and the twin) name
measured objects, e.g. `ManagedElement=me-gnb-1,GNBDUFunction=1,NRCellDU=3`. The rules are
data: `DN_RULES` gives each object class's DN template, `SCOPE_CLASSES` which template a scope
kind uses for the counters of each measured object class (a DN selects what it contains).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from openipn.assure.kpi_catalog import COUNTER_CLASS, ScopeKind
from openipn.model.core import CoreFunction, Upf
from openipn.model.document import SiteDocument
from openipn.model.nrm import NF_CLASS
from openipn.model.radio import Cell, Gnb
from openipn.model.services import Slice
from openipn.store.inventory import load_state, state_to_document

T = TypeVar("T")

# TS 28.541 containment: ManagedElement ⊃ GNBDUFunction ⊃ NRCellDU, GNBCUCPFunction ⊃ NRCellCU,
# GNBCUUPFunction; ManagedElement ⊃ <NF>Function ⊃ EP_N3 (standards.md §6.1). `{du}` is the
# gNB's ordinal on its managed element (1, 2, ... in site-file order), as the twin numbers it.
DN_RULES: dict[str, str] = {
    "ManagedElement": "ManagedElement={me}",
    "GNBDUFunction": "ManagedElement={me},GNBDUFunction={du}",
    "GNBCUCPFunction": "ManagedElement={me},GNBCUCPFunction={du}",
    "GNBCUUPFunction": "ManagedElement={me},GNBCUUPFunction={du}",
    "NRCellDU": "ManagedElement={me},GNBDUFunction={du},NRCellDU={cell}",
    "NRCellCU": "ManagedElement={me},GNBCUCPFunction={du},NRCellCU={cell}",
    "NFFunction": "ManagedElement={me},{nf_class}={name}",
    "UPFFunction": "ManagedElement={me},UPFFunction={name}",
    "EP_N3": "ManagedElement={me},UPFFunction={name},EP_N3=1",
}

# scope kind -> {measured object class: DN rule selecting it}; a class not listed does not apply.
SCOPE_CLASSES: dict[ScopeKind, dict[str, str]] = {
    ScopeKind.CELL: {
        "NRCellDU": "NRCellDU",
        "NRCellCU": "NRCellCU",
        "GNBCUUPFunction": "GNBCUUPFunction",  # PDCP delay is per CU-UP (TS 28.552 5.1.3.3.1)
    },
    ScopeKind.GNB: {
        "NRCellDU": "GNBDUFunction",
        "NRCellCU": "GNBCUCPFunction",
        "GNBCUUPFunction": "GNBCUUPFunction",
        "ManagedElement": "ManagedElement",
    },
    ScopeKind.UPF: {"EP_N3": "EP_N3", "UPFFunction": "UPFFunction"},
    ScopeKind.NF: {"AMFFunction": "NFFunction", "SMFFunction": "NFFunction"},
}


class ScopeError(ValueError):
    """An object that names nothing known."""


@dataclass(frozen=True)
class Scope:
    """What a KPI is computed for: DNs per measured object class, maybe a slice qualifier.

    `dns[cls]` is a tuple of DNs (each selecting itself and what it contains), None for every
    object, and a class missing from `dns` does not apply to this scope. `members[cls]` lists
    the objects the network model expects (for availability), when it is known.
    """

    label: str
    kind: ScopeKind
    dns: Mapping[str, tuple[str, ...] | None]
    snssai: str | None = None
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def objects(self, object_class: str) -> tuple[str, ...] | None:
        """DNs selecting the class's objects (None: all); KeyError when it does not apply."""
        return self.dns[object_class]

    def applies(self, object_class: str) -> bool:
        """Whether counters of this class exist for this scope."""
        return object_class in self.dns


def _du_ordinals(document: SiteDocument) -> dict[str, int]:
    """Each gNB's ordinal on its managed element (the twin's GNBDUFunction id)."""
    seen: dict[str, int] = {}
    ordinals = {}
    for gnb in _typed(document, "gnbs", Gnb):
        seen[gnb.managed_element] = seen.get(gnb.managed_element, 0) + 1
        ordinals[gnb.name] = seen[gnb.managed_element]
    return ordinals


def _typed(document: SiteDocument, section: str, cls: type[T]) -> list[T]:
    return [obj for obj in document.objects(section) if isinstance(obj, cls)]


def _find(document: SiteDocument, section: str, cls: type[T], name: str, kind: str) -> T:
    for obj in _typed(document, section, cls):
        if getattr(obj, "name", None) == name:
            return obj
    known = sorted(str(getattr(o, "name", "")) for o in _typed(document, section, cls))
    shown = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "")
    raise ScopeError(f"unknown {kind} {name!r}; known: {shown or 'none'}")


def _gnb_values(document: SiteDocument, gnb: Gnb) -> dict[str, str]:
    return {"me": gnb.managed_element, "du": str(_du_ordinals(document)[gnb.name])}


def cell_dns(document: SiteDocument, cells: list[Cell] | None = None) -> tuple[str, ...]:
    """The NRCellDU DNs of cells (all cells by default) whose gNB is in the model."""
    gnbs = {g.name: g for g in _typed(document, "gnbs", Gnb)}
    ordinals = _du_ordinals(document)
    out = []
    for cell in cells if cells is not None else _typed(document, "cells", Cell):
        gnb = gnbs.get(cell.gnb)
        if gnb is not None:
            values = {"me": gnb.managed_element, "du": ordinals[gnb.name]}
            out.append(DN_RULES["NRCellDU"].format(**values, cell=cell.cell_local_id))
    return tuple(out)


def _by_rules(kind: ScopeKind, values: Mapping[str, object]) -> dict[str, tuple[str, ...] | None]:
    return {cls: (DN_RULES[rule].format(**values),) for cls, rule in SCOPE_CLASSES[kind].items()}


def _cell(document: SiteDocument, name: str) -> Scope:
    cell = _find(document, "cells", Cell, name, "cell")
    gnb = _find(document, "gnbs", Gnb, cell.gnb, "gNB")
    values = _gnb_values(document, gnb) | {"cell": str(cell.cell_local_id)}
    dns = _by_rules(ScopeKind.CELL, values)
    return Scope(
        f"cell:{name}", ScopeKind.CELL, dns, members={"NRCellDU": cell_dns(document, [cell])}
    )


def _gnb(document: SiteDocument, name: str) -> Scope:
    gnb = _find(document, "gnbs", Gnb, name, "gNB")
    dns = _by_rules(ScopeKind.GNB, _gnb_values(document, gnb))
    cells = [c for c in _typed(document, "cells", Cell) if c.gnb == name]
    return Scope(f"gnb:{name}", ScopeKind.GNB, dns, members={"NRCellDU": cell_dns(document, cells)})


def _upf(document: SiteDocument, name: str) -> Scope:
    upf = _find(document, "upfs", Upf, name, "UPF")
    if upf.managed_element is None:
        raise ScopeError(f"UPF {name!r} has no managed_element, so it reports no counters")
    dns = _by_rules(ScopeKind.UPF, {"me": upf.managed_element, "name": name})
    return Scope(f"upf:{name}", ScopeKind.UPF, dns)


def _nf(document: SiteDocument, name: str) -> Scope:
    nf = _find(document, "core_functions", CoreFunction, name, "core function")
    if nf.managed_element is None:
        raise ScopeError(f"core function {name!r} has no managed_element, so no counters")
    nf_class = NF_CLASS[nf.type.value]
    dn = DN_RULES["NFFunction"].format(me=nf.managed_element, nf_class=nf_class, name=name)
    return Scope(f"nf:{name}", ScopeKind.NF, {nf_class: (dn,)})


def _slice(document: SiteDocument, name: str) -> Scope:
    found = _find(document, "slices", Slice, name, "slice")
    return Scope(f"slice:{name}", ScopeKind.SLICE, _everything(), snssai=found.snssai)


def _everything() -> dict[str, tuple[str, ...] | None]:
    return dict.fromkeys(set(COUNTER_CLASS.values()))


SCOPE_PARSERS = {
    "cell": _cell,
    "gnb": _gnb,
    "upf": _upf,
    "nf": _nf,
    "slice": _slice,
}


def resolve(document: SiteDocument, text: str) -> Scope:
    """`cell:<name>`, `gnb:<name>`, `upf:<name>`, `nf:<name>`, `slice:<name>`, `site` or a DN."""
    text = text.strip()
    if text == "site":
        return Scope(
            "site", ScopeKind.SITE, _everything(), members={"NRCellDU": cell_dns(document)}
        )
    if "=" in text:
        rdns = [part.partition("=") for part in text.split(",")]
        if any(not cls or not value for cls, _, value in rdns):
            raise ScopeError(f"{text!r} is not a distinguished name (Class=id,Class=id,...)")
        return Scope(text, ScopeKind.DN, dict.fromkeys(_everything(), (text,)))
    kind, sep, name = text.partition(":")
    if not sep or kind not in SCOPE_PARSERS or not name:
        choices = ", ".join(f"{k}:<name>" for k in SCOPE_PARSERS)
        raise ScopeError(f"unknown object {text!r}; use {choices}, site, or a DN")
    return SCOPE_PARSERS[kind](document, name)


SCOPE_KINDS = ("managed_element", "gnb", "cell", "core_function", "upf", "slice")


def load_scope_document(engine: Engine) -> SiteDocument:
    """The stored objects scopes are resolved against (not terminals or subscriptions)."""
    with Session(engine) as session:
        return state_to_document(load_state(session, SCOPE_KINDS))
