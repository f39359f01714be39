"""Object scopes (`cell:C1`, `gnb:G1`, `upf:U1`, `nf:amf-1`, `slice:S1`, `site`, a DN) → DNs.

Distinguished names come from the model's one DN builder (`model/dn.py`), the names the
equipment (and the twin) give measured objects, e.g.
`ManagedElement=me-gnb-1,GNBDUFunction=1,NRCellDU=3`. `SCOPE_CLASSES` says which object a
scope kind selects for the counters of each measured object class (a DN selects what it
contains). Kinds are spelt as `ObjectRef`s (`nf:` and `core_function:` alike); a DN in any
form the resolver accepts (`model/resolve.py`) selects what it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from openipn.assure.kpi_catalog import COUNTER_CLASS, ScopeKind
from openipn.model.dn import CELL_CU, CELL_DU, CUCP, CUUP, DU, N3_END_POINT, DnBook, is_dn
from openipn.model.document import SiteDocument
from openipn.model.objref import ObjectRef, ObjectRefError
from openipn.model.radio import Cell
from openipn.model.resolve import Resolver
from openipn.model.services import Slice

# scope kind -> {measured object class: what of the scope's object selects it}; a class not
# listed does not apply. TS 28.541 containment: ManagedElement ⊃ GNBDUFunction ⊃ NRCellDU,
# GNBCUCPFunction ⊃ NRCellCU, GNBCUUPFunction; ManagedElement ⊃ UPFFunction ⊃ EP_N3.
SCOPE_CLASSES: dict[ScopeKind, dict[str, str]] = {
    ScopeKind.CELL: {
        "NRCellDU": CELL_DU,
        "NRCellCU": CELL_CU,
        "GNBCUUPFunction": CUUP,  # PDCP delay is per CU-UP (TS 28.552 5.1.3.3.1)
    },
    ScopeKind.GNB: {
        "NRCellDU": DU,
        "NRCellCU": CUCP,
        "GNBCUUPFunction": CUUP,
        "ManagedElement": "ManagedElement",
    },
    ScopeKind.UPF: {"EP_N3": N3_END_POINT, "UPFFunction": "UPFFunction"},
}


class ScopeError(ValueError):
    """Text that does not name an object the way a scope must."""


class UnknownObjectError(ScopeError):
    """Well-formed, but no such object is modelled (or stored)."""


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


def _known(document: SiteDocument, ref: ObjectRef) -> None:
    """ScopeError naming the object and some known names when the model lacks it."""
    names = sorted(str(getattr(o, "name", "")) for o in document.objects(ref.section))
    if ref.name not in names:
        shown = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
        raise UnknownObjectError(f"unknown {ref.kind} {ref.name!r}; known: {shown or 'none'}")


def cell_dns(document: SiteDocument, cells: list[Cell] | None = None) -> tuple[str, ...]:
    """The NRCellDU DNs of cells (all cells by default) whose gNB is in the model."""
    chosen = cells if cells is not None else document.typed("cells", Cell)
    return _cell_dns(DnBook.from_document(document), [c.name for c in chosen])


def _cell_dns(book: DnBook, cells: list[str]) -> tuple[str, ...]:
    return tuple(book.cell_dn(c) for c in cells if book.cells[c][0] in book.gnbs)


def _cell(document: SiteDocument, book: DnBook, name: str) -> Scope:
    gnb = book.cells[name][0]
    dns = {
        "NRCellDU": (book.cell_dn(name),),
        "NRCellCU": (book.cell_dn(name, CELL_CU),),
        "GNBCUUPFunction": (book.gnb_function_dn(gnb, CUUP),),
    }
    members = {"NRCellDU": (book.cell_dn(name),)}
    return Scope(f"cell:{name}", ScopeKind.CELL, dns, members=members)


def _gnb(document: SiteDocument, book: DnBook, name: str) -> Scope:
    element = book.gnbs[name][0]
    dns: dict[str, tuple[str, ...] | None] = {
        cls: (book.gnb_function_dn(name, function),)
        for cls, function in SCOPE_CLASSES[ScopeKind.GNB].items()
        if function != "ManagedElement"
    }
    dns["ManagedElement"] = (book.element_dn(element),)
    cells = [cell for cell, (gnb, _) in book.cells.items() if gnb == name]
    return Scope(f"gnb:{name}", ScopeKind.GNB, dns, members={"NRCellDU": _cell_dns(book, cells)})


def _upf(document: SiteDocument, book: DnBook, name: str) -> Scope:
    dn = book.dn(ObjectRef("upf", name))
    if dn is None:
        raise ScopeError(f"UPF {name!r} has no managed_element, so it reports no counters")
    dns = {"EP_N3": (book.n3_dn(name) or dn,), "UPFFunction": (dn,)}
    return Scope(f"upf:{name}", ScopeKind.UPF, dns)


def _nf(document: SiteDocument, book: DnBook, name: str) -> Scope:
    ref = ObjectRef("core_function", name)
    dn = book.dn(ref)
    if dn is None:
        raise ScopeError(f"core function {name!r} has no managed_element, so no counters")
    nf_class = book.hosted[ref][1]
    return Scope(f"nf:{name}", ScopeKind.NF, {nf_class: (dn,)})


def _slice(document: SiteDocument, book: DnBook, name: str) -> Scope:
    found = next(s for s in document.typed("slices", Slice) if s.name == name)
    return Scope(f"slice:{name}", ScopeKind.SLICE, _everything(), snssai=found.snssai)


def _element(document: SiteDocument, book: DnBook, name: str) -> Scope:
    return dn_selects(book.element_dn(name))


def dn_selects(dn: str, label: str | None = None) -> Scope:
    """Every counter of what a DN contains."""
    return Scope(label or dn, ScopeKind.DN, dict.fromkeys(_everything(), (dn,)))


def _everything() -> dict[str, tuple[str, ...] | None]:
    """Every measured object class of the KPI catalogue, all objects."""
    return dict.fromkeys(set(COUNTER_CLASS.values()))


ScopeParser = Callable[[SiteDocument, DnBook, str], Scope]
SCOPE_PARSERS: Mapping[str, ScopeParser] = {
    "cell": _cell,
    "gnb": _gnb,
    "upf": _upf,
    "core_function": _nf,
    "slice": _slice,
    "managed_element": _element,
}


def site_scope(document: SiteDocument) -> Scope:
    """The whole site."""
    return Scope("site", ScopeKind.SITE, _everything(), members={"NRCellDU": cell_dns(document)})


def dn_scope(document: SiteDocument, text: str) -> Scope:
    """A DN in any form the resolver accepts, selecting what its canonical DN contains."""
    if not is_dn(text):
        raise ScopeError(f"{text!r} is not a distinguished name (Class=id,Class=id,...)")
    return dn_selects(Resolver(document).resolve(text).dn)


def resolve(document: SiteDocument, text: str) -> Scope:
    """`cell:<name>`, `gnb:<name>`, `upf:<name>`, `nf:<name>`, `slice:<name>`, `site` or a DN."""
    text = text.strip()
    if text == "site":
        return site_scope(document)
    if "=" in text:
        return dn_scope(document, text)
    try:
        ref = ObjectRef.parse(text)
    except ObjectRefError as exc:
        raise ScopeError(
            f"unknown object {text!r} ({exc}); use {_CHOICES}, site, or a DN"
        ) from None
    parser = SCOPE_PARSERS.get(ref.kind)
    if parser is None:
        raise ScopeError(f"{ref.kind} {ref.name!r} has no counters; use {_CHOICES}, site or a DN")
    _known(document, ref)
    return parser(document, DnBook.from_document(document), ref.name)


_CHOICES = "cell:<name>, gnb:<name>, upf:<name>, nf:<name>, slice:<name>, managed_element:<name>"
