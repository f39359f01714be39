"""The resolver: any DN or name seen on the wire -> the model object it names, and its one DN.

Accepted (TS 32.300 §7 and annex C, real-equipment quirks):
- full or relative DNs, with or without a dnPrefix (RDNs before `ManagedElement` are the
  prefix and do not have to match), a plain-name local DN (`seliitdus00487`);
- RDN values numeric (the equipment's ids: GNBDUFunction id, cellLocalId) or model names;
- `NRCellDU`/`NRCellCU`, `GNBDUFunction`/`GNBCUCPFunction`/`GNBCUUPFunction`, every
  `<NF>Function`, `UPFFunction`, `EASFunction` (and the YANG's former `EdgeNode`), `EP_RP`
  (and `TransportLink`), `PtpClock`; RDNs below a modelled object (`EP_N3=1`, `BWP=0`) stay
  in the DN as its tail;
- a VES sourceName: the element's name, its equipment id or its `ves_source_name`.

What cannot be resolved comes back with `ref=None` and the DN as seen (made full); the caller
keeps it and lists it as discovered, never drops it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from openipn.model.dn import (
    CELL_CU,
    CELL_DU,
    CLOCK_CLASS,
    CUCP,
    CUUP,
    DU,
    EDGE_CLASS,
    ME,
    PORT_CLASS,
    TERMINAL_CLASS,
    UPF_CLASS,
    DnBook,
    DnError,
    Rdn,
    join_dn,
    split_dn,
)
from openipn.model.document import SiteDocument
from openipn.model.kinds import KINDS
from openipn.model.nrm import NF_CLASS
from openipn.model.objref import ObjectRef
from openipn.model.radio import ManagedElement

# Classes that name one kind, beside its canonical class (-> canonical class).
CLASS_ALIASES: Mapping[str, str] = {"EdgeNode": EDGE_CLASS, "TransportLink": PORT_CLASS}
GNB_CLASSES = (DU, CUCP, CUUP)
CELL_CLASSES = {CELL_DU: DU, CELL_CU: CUCP}  # cell class -> the gNB function containing it
FUNCTION_KINDS: Mapping[str, str] = {
    **dict.fromkeys((cls for key, cls in NF_CLASS.items() if key != "UPF"), "core_function"),
    UPF_CLASS: "upf",
    EDGE_CLASS: "edge_node",
}


# TS 28.541 / TS 28.622 classes that are parts of a modelled object (end points, sector
# carriers, bandwidth parts, relations): counters on them belong to that object. Any other
# class below a modelled object names something the model lacks (listed as discovered).
PART_CLASSES = frozenset(
    {"NRSectorCarrier", "BWP", "NRCellRelation", "NRFreqRelation", "Beam", "RRMPolicyRatio",
     "CESManagementFunction", "SectorEquipmentFunction"}
)  # fmt: skip


def is_part(cls: str) -> bool:
    """Whether a class is a part of the object above it (any `EP_*` end point included)."""
    return cls in PART_CLASSES or cls.startswith("EP_")


def _agree(model: tuple[Rdn, ...], wire: tuple[Rdn, ...]) -> bool:
    """Two prefixes agree where both are given, aligned at their ends (nearest the element)."""
    shared = min(len(model), len(wire))
    return model[len(model) - shared :] == wire[len(wire) - shared :]


@dataclass(frozen=True)
class Resolution:
    """What a DN names: the model object (None when unknown) and the DN in canonical form."""

    ref: ObjectRef | None
    dn: str
    tail: str = ""  # RDNs below the modelled object, kept at the end of `dn`

    @property
    def resolved(self) -> bool:
        """Whether the DN names a model object."""
        return self.ref is not None


@dataclass
class _Walk:
    """The state of walking a DN's RDNs below its managed element."""

    element: str
    ref: ObjectRef
    out: list[Rdn]
    gnb: str | None = None


class Resolver:
    """Resolves wire names against one site document (build a new one when the model changes)."""

    def __init__(self, document: SiteDocument) -> None:
        self.book = DnBook.from_document(document)
        self._by_id: dict[str, list[str]] = {}
        self._by_source: dict[str, str] = {}
        for me in document.typed("managed_elements", ManagedElement):
            ids = {me.name, dict(self.book.elements[me.name]).get(ME, me.name)}
            for key in ids:
                self._by_id.setdefault(key, []).append(me.name)
            self._by_source[me.name] = me.name
            if me.management.ves_source_name:
                self._by_source[me.management.ves_source_name] = me.name
        self._cell_at = {(gnb, cell): cell for cell, (gnb, _) in self.book.cells.items()}
        self._cell_at |= {(gnb, str(lid)): cell for cell, (gnb, lid) in self.book.cells.items()}
        self._gnb_at = {
            (element, cls, value): gnb
            for gnb, (element, ids) in self.book.gnbs.items()
            for cls in GNB_CLASSES
            for value in (gnb, ids.of(cls))
        }
        self._known = {
            spec.kind: {str(getattr(o, "name", "")) for o in document.objects(spec.section)}
            for spec in KINDS
            if not spec.singleton
        }
        self._gnbs_on: dict[str, set[str]] = {}
        for gnb, (element, _) in self.book.gnbs.items():
            self._gnbs_on.setdefault(element, set()).add(gnb)
        self._hosted_on: dict[tuple[str, str], list[ObjectRef]] = {}
        for ref, place in self.book.hosted.items():
            self._hosted_on.setdefault(place, []).append(ref)
        self._cache: dict[tuple[str, str | None], Resolution] = {}

    def __getstate__(self) -> dict[str, object]:
        """Pickled without its cache (sent to worker processes)."""
        return self.__dict__ | {"_cache": {}}

    def knows(self, ref: ObjectRef) -> bool:
        """Whether the model (as far as this resolver was given it) has the object."""
        return ref.name in self._known.get(ref.kind, ())

    def dn(self, ref: ObjectRef) -> str | None:
        """The canonical DN of a model object (None when it has none)."""
        return self.book.dn(ref)

    def source(self, source_name: str) -> ObjectRef | None:
        """The managed element a VES sourceName / reportingEntityName names."""
        element = self._by_source.get(source_name)
        if element is None:
            found = self._by_id.get(source_name, [])
            element = found[0] if len(found) == 1 else None
        return ObjectRef("managed_element", element) if element else None

    def resolve(self, text: str, *, element: str | None = None) -> Resolution:
        """The object a DN names; `element` is the sender (sourceName) for a relative DN."""
        key = (text, element)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve(text.strip(), element)
            if len(self._cache) > 200_000:
                self._cache.clear()
        return found

    def _resolve(self, text: str, element: str | None) -> Resolution:
        if "=" not in text and element and text not in self._by_id:
            sender = self.source(element)  # a free-text objectInstance: the sender's
            if sender is not None:
                return Resolution(sender, text)
        try:
            rdns = split_dn(text)
        except DnError:
            return Resolution(None, text)
        classes = [cls for cls, _ in rdns]
        if ME not in classes:
            return self._relative(text, rdns, element)
        at = classes.index(ME)
        me = self._element(rdns[at][1], rdns[:at])
        if me is None:
            return Resolution(None, join_dn(rdns))
        below = rdns[at + 1 :]
        while below and below[0][0] == ME:  # the element's local `ManagedElement=1` (Ericsson)
            below = below[1:]
        return self._walk(me, below)

    def _relative(self, text: str, rdns: tuple[Rdn, ...], element: str | None) -> Resolution:
        """A DN without ManagedElement: a terminal, below the sender's element, or a function."""
        if len(rdns) == 1 and rdns[0][0] == TERMINAL_CLASS:
            known = rdns[0][1] in self._known["terminal"]
            return Resolution(ObjectRef("terminal", rdns[0][1]) if known else None, join_dn(rdns))
        sender = self.source(element) if element else None
        me = sender.name if sender else None
        if me is None and len(self.book.elements) == 1 and rdns[0][0] in GNB_CLASSES:
            me = next(iter(self.book.elements))  # a site of one element
        if me is None:
            return Resolution(None, join_dn(((ME, element), *rdns)) if element else text)
        return self._walk(me, rdns)

    def _element(self, local_id: str, prefix: tuple[Rdn, ...]) -> str | None:
        """The model element with that id; among equal ids, the one whose prefix agrees."""
        found = self._by_id.get(local_id, [])
        if len(found) > 1:
            found = [me for me in found if _agree(self._prefix(me), prefix)]
        return found[0] if len(found) == 1 else None

    def _prefix(self, element: str) -> tuple[Rdn, ...]:
        """The RDNs above an element's ManagedElement RDN in its model DN."""
        rdns = self.book.elements[element]
        classes = [cls for cls, _ in rdns]
        return rdns[: classes.index(ME)] if ME in classes else rdns[:-1]

    def _walk(self, element: str, rdns: tuple[Rdn, ...]) -> Resolution:
        walk = _Walk(element, ObjectRef("managed_element", element), [])
        for position, (cls, value) in enumerate(rdns):
            step = STEPS.get(CLASS_ALIASES.get(cls, cls))
            if step is None and is_part(cls):
                return self._done(walk, rdns[position:])
            if step is None or not step(self, walk, CLASS_ALIASES.get(cls, cls), value):
                return Resolution(None, self.book.on_element(element, *walk.out, *rdns[position:]))
        return self._done(walk, ())

    def _done(self, walk: _Walk, tail: tuple[Rdn, ...]) -> Resolution:
        dn = self.book.on_element(walk.element, *walk.out, *tail)
        return Resolution(walk.ref, dn, join_dn(tail))

    # --- one step per class: match the RDN value, append its canonical form ------------

    def _gnb_step(self, walk: _Walk, cls: str, value: str) -> bool:
        gnb = self._gnb_at.get((walk.element, cls, value))
        if gnb is None:
            return False
        walk.gnb, walk.ref = gnb, ObjectRef("gnb", gnb)
        walk.out.append((cls, self.book.gnbs[gnb][1].of(cls)))
        return True

    def _cell_step(self, walk: _Walk, cls: str, value: str) -> bool:
        if walk.gnb is None and not walk.out:  # a cell right below an element of one gNB
            only = self._gnbs_on.get(walk.element, set())
            if len(only) != 1 or not self._gnb_step(walk, CELL_CLASSES[cls], next(iter(only))):
                return False
        if walk.gnb is None or walk.out[-1][0] != CELL_CLASSES[cls]:
            return False
        cell = self._cell_at.get((walk.gnb, value))  # by cellLocalId, else by name
        if cell is None:
            return False
        walk.ref = ObjectRef("cell", cell)
        walk.out.append((cls, str(self.book.cells[cell][1])))
        return True

    def _function_step(self, walk: _Walk, cls: str, value: str) -> bool:
        kind = FUNCTION_KINDS[cls]
        ref = ObjectRef(kind, value)
        if self.book.hosted.get(ref) != (walk.element, cls):
            only = self._hosted_on.get((walk.element, cls), [])
            if len(only) != 1 or not value.isdigit():
                return False
            ref = only[0]  # the equipment numbers its one function of that class (`=1`)
        walk.ref = ref
        walk.out.append((cls, ref.name))
        return True

    def _port_step(self, walk: _Walk, cls: str, value: str) -> bool:
        if value not in self._known["link"]:
            return False
        walk.ref = ObjectRef("link", value)
        walk.out.append((PORT_CLASS, value))
        return True

    def _clock_step(self, walk: _Walk, cls: str, value: str) -> bool:
        ref = self._clock_owner(walk.element, value)
        if ref is None:
            return False
        walk.ref = ref
        walk.out.append((CLOCK_CLASS, value))
        return True

    def _clock_owner(self, element: str, value: str) -> ObjectRef | None:
        """A PtpClock is named by its node: grandmaster, gNB or transport node."""
        gm = ObjectRef("ptp_grandmaster", value)
        if gm in self.book.hosted:
            return gm
        if value in self.book.gnbs:
            return ObjectRef("gnb", value)
        if value in self._known["transport_node"]:
            return ObjectRef("transport_node", value)
        return None


Step = Callable[[Resolver, _Walk, str, str], bool]
STEPS: dict[str, Step] = {
    **dict.fromkeys(GNB_CLASSES, Resolver._gnb_step),
    **dict.fromkeys(CELL_CLASSES, Resolver._cell_step),
    **dict.fromkeys(FUNCTION_KINDS, Resolver._function_step),
    PORT_CLASS: Resolver._port_step,
    CLOCK_CLASS: Resolver._clock_step,
}
