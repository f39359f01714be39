"""Distinguished names of model objects (TS 32.300 §7, TS 28.622 / TS 28.541): built here only.

A DN is a sequence of RDNs `Class=id`, most significant first; the full DN of an object is the
dnPrefix of its equipment (e.g. `SubNetwork=G3`) followed by its local DN, whose first RDN is
the `ManagedElement` (TS 32.300 annex C). How the equipment names things is declared per
managed element (`naming:` dn_prefix and local_dn) and per gNB (the numeric GNBDUFunction,
GNBCUCPFunction and GNBCUUPFunction ids), so a vendor's files line up with the site file.

Canonical forms, one per kind:
- managed_element: `[<dn_prefix>,]ManagedElement=<local id>`
- gnb: `<element>,GNBDUFunction=<du id>` (CU-CP/CU-UP functions: same element, their own ids)
- cell: `<gNB DU>,NRCellDU=<cellLocalId>` (and `<gNB CU-CP>,NRCellCU=<cellLocalId>`)
- core_function: `<element>,<AMFFunction|SMFFunction|…>=<name>`; upf: `<element>,UPFFunction=<name>`
- edge_node: `<element>,EASFunction=<name>` (TS 28.538); link: `<owner element>,EP_RP=<name>`
- ptp_grandmaster (and any clock): `<element>,PtpClock=<node name>`
- terminal: `Terminal=<name>` (outside the ManagedElement tree: what terminals report)
Objects without a managed element (or kinds outside the ManagedElement tree) have no DN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from openipn.model.base import SPACE
from openipn.model.core import CoreFunction, EdgeNode, Upf
from openipn.model.document import SiteDocument
from openipn.model.kinds import KINDS
from openipn.model.nrm import NF_CLASS
from openipn.model.objref import ObjectRef
from openipn.model.radio import Cell, Gnb, ManagedElement
from openipn.model.transport import Link, PtpGrandmaster

Rdn = tuple[str, str]

ME = "ManagedElement"
DU, CUCP, CUUP = "GNBDUFunction", "GNBCUCPFunction", "GNBCUUPFunction"
CELL_DU, CELL_CU = "NRCellDU", "NRCellCU"
UPF_CLASS, EDGE_CLASS, PORT_CLASS, CLOCK_CLASS = "UPFFunction", "EASFunction", "EP_RP", "PtpClock"
N3_END_POINT = "EP_N3"  # TS 28.541 end point of the N3 interface of a UPF
# A terminal (UE) is no NRM object; its reported measurements are kept under `Terminal=<name>`.
TERMINAL_CLASS = "Terminal"
TERMINAL_PREFIX = f"{TERMINAL_CLASS}="

_UNESCAPED_COMMA = re.compile(r"(?<!\\),")
# What split_dn accepts, as a regular expression: parts split at unescaped commas, each a
# `Class=id` (class before the first `=`) or a plain ManagedElement id, none blank once
# stripped; at least one part holds `=` (is_dn). One character at a time (an escaped comma is
# a part's character), so that no text can be matched in more than one way.
_CHAR = r"(?:[^,]|(?<=\\),)"
_CLASS_CHAR = r"(?:[^,=]|(?<=\\),)"
_CLASS = rf"[{SPACE}]*(?:[^{SPACE},=]|(?<=\\),){_CLASS_CHAR}*"
_VALUE = rf"[{SPACE}]*(?:[^{SPACE},]|(?<=\\),){_CHAR}*"
_NEXT = r"(?<!\\),"
DN_PATTERN = rf"(?:{_CLASS}{_NEXT})*{_CLASS}={_VALUE}(?:{_NEXT}{_CLASS}(?:={_VALUE})?)*"


class DnError(ValueError):
    """Text that is not a distinguished name."""


def split_dn(text: str) -> tuple[Rdn, ...]:
    """The RDNs of a DN; a part without `=` is a plain ManagedElement id (vendor quirk)."""
    rdns: list[Rdn] = []
    for part in _UNESCAPED_COMMA.split(text.strip()):
        cls, sep, value = part.strip().partition("=")
        if not sep:
            cls, value = ME, cls
        cls, value = cls.strip(), value.strip()
        if not cls or not value:
            raise DnError(f"{text!r} is not a distinguished name (Class=id,Class=id,...)")
        rdns.append((cls, value))
    return tuple(rdns)


def terminal_dn(name: str) -> str:
    """The DN a terminal's reported measurements are stored under."""
    return f"{TERMINAL_PREFIX}{name}"


def join_dn(rdns: Iterable[Rdn]) -> str:
    """`Class=id,Class=id`."""
    return ",".join(f"{cls}={value}" for cls, value in rdns)


def is_dn(text: str) -> bool:
    """Whether the text has the form of a DN (at least one `Class=id`)."""
    try:
        return "=" in text and bool(split_dn(text))
    except DnError:
        return False


def element_rdns(element: ManagedElement) -> tuple[Rdn, ...]:
    """The full DN of a managed element as RDNs: its dn_prefix, then its local DN."""
    naming = element.naming
    prefix = split_dn(naming.dn_prefix) if naming.dn_prefix else ()
    local = split_dn(naming.local_dn) if naming.local_dn else ((ME, element.name),)
    return prefix + local


@dataclass(frozen=True)
class GnbIds:
    """The numeric ids of a gNB's functions on its element (TS 28.541 GNBDUFunction id …)."""

    du: str
    cucp: str
    cuup: str

    def of(self, cls: str) -> str:
        """The id for one of the three function classes."""
        return {DU: self.du, CUCP: self.cucp, CUUP: self.cuup}[cls]


def gnb_ids(document: SiteDocument) -> dict[str, GnbIds]:
    """Each gNB's function ids: declared, else its ordinal on its element (1, 2, …)."""
    seen: dict[str, int] = {}
    ids = {}
    for gnb in document.typed("gnbs", Gnb):
        seen[gnb.managed_element] = ordinal = seen.get(gnb.managed_element, 0) + 1
        du = gnb.du_function_id if gnb.du_function_id is not None else ordinal
        cucp = gnb.cucp_function_id if gnb.cucp_function_id is not None else du
        cuup = gnb.cuup_function_id if gnb.cuup_function_id is not None else cucp
        ids[gnb.name] = GnbIds(str(du), str(cucp), str(cuup))
    return ids


def link_owners(document: SiteDocument) -> dict[str, str]:
    """Link -> the element holding it: its first transport-node end with one, else any end's."""
    hosts: dict[str, str | None] = {}
    transport: set[str] = set()
    for spec in (spec for spec in KINDS if spec.topology_node):
        for obj in document.objects(spec.section):
            name = str(getattr(obj, "name", ""))
            hosts[name] = getattr(obj, "managed_element", None)
            if spec.section == "transport_nodes":
                transport.add(name)
    owners = {}
    for link in document.typed("links", Link):
        ends = sorted((link.a, link.b), key=lambda end: end not in transport)
        owner = next((hosts[end] for end in ends if hosts.get(end)), None)
        if owner is not None:
            owners[link.name] = owner
    return owners


@dataclass
class DnBook:
    """The one builder of DNs for the objects of a site document."""

    elements: dict[str, tuple[Rdn, ...]] = field(default_factory=dict)
    gnbs: dict[str, tuple[str, GnbIds]] = field(default_factory=dict)  # gNB -> (element, ids)
    cells: dict[str, tuple[str, int]] = field(default_factory=dict)  # cell -> (gNB, local id)
    hosted: dict[ObjectRef, tuple[str, str]] = field(default_factory=dict)  # -> (element, cls)
    owners: dict[str, str] = field(default_factory=dict)  # link -> owner element

    @classmethod
    def from_document(cls, document: SiteDocument) -> DnBook:
        """Index the document's naming: elements, gNB ids, cells and hosted functions."""
        book = cls(owners=link_owners(document))
        book.elements = {
            me.name: element_rdns(me) for me in document.typed("managed_elements", ManagedElement)
        }
        ids = gnb_ids(document)
        book.gnbs = {g.name: (g.managed_element, ids[g.name]) for g in document.typed("gnbs", Gnb)}
        book.cells = {c.name: (c.gnb, c.cell_local_id) for c in document.typed("cells", Cell)}
        for ref, element, cls_name in _hosted(document):
            if element is not None:
                book.hosted[ref] = (element, cls_name)
        return book

    def element_dn(self, element: str) -> str:
        """The full DN of a managed element (KeyError when the model has no such element)."""
        return join_dn(self.elements[element])

    def on_element(self, element: str, *rdns: Rdn) -> str:
        """A DN below an element: `<element DN>,Class=id,…`."""
        return join_dn(self.elements[element] + rdns)

    def gnb_function_dn(self, gnb: str, cls: str = DU) -> str:
        """The DN of a gNB's DU, CU-CP or CU-UP function."""
        element, ids = self.gnbs[gnb]
        return self.on_element(element, (cls, ids.of(cls)))

    def cell_dn(self, cell: str, cls: str = CELL_DU) -> str:
        """The DN of a cell's NRCellDU (or NRCellCU, below the CU-CP function)."""
        gnb, local_id = self.cells[cell]
        function = DU if cls == CELL_DU else CUCP
        return f"{self.gnb_function_dn(gnb, function)},{cls}={local_id}"

    def dn(self, ref: ObjectRef) -> str | None:
        """The canonical DN of a model object; None when it has none (no element, other kinds)."""
        try:
            if ref.kind == "managed_element":
                return self.element_dn(ref.name)
            if ref.kind == "gnb":
                return self.gnb_function_dn(ref.name)
            if ref.kind == "cell":
                return self.cell_dn(ref.name)
            if ref.kind == "terminal":
                return terminal_dn(ref.name)
            if ref.kind == "link":
                return self.on_element(self.owners[ref.name], (PORT_CLASS, ref.name))
            element, cls_name = self.hosted[ref]
            return self.on_element(element, (cls_name, ref.name))
        except KeyError:
            return None

    def n3_dn(self, upf: str) -> str | None:
        """The DN of a UPF's N3 end point (TS 28.541 EP_N3), where its GTP counters live."""
        dn = self.dn(ObjectRef("upf", upf))
        return None if dn is None else f"{dn},{N3_END_POINT}=1"

    def hosted_dn(self, element: str, cls: str, name: str) -> str:
        """A function, end point or clock on an element: `<element DN>,<cls>=<name>`."""
        return self.on_element(element, (cls, name))


def _hosted(document: SiteDocument) -> Iterable[tuple[ObjectRef, str | None, str]]:
    """(ref, element, class) of every core function, UPF, edge node and grandmaster."""
    for nf in document.typed("core_functions", CoreFunction):
        yield ObjectRef("core_function", nf.name), nf.managed_element, NF_CLASS[nf.type.value]
    for upf in document.typed("upfs", Upf):
        yield ObjectRef("upf", upf.name), upf.managed_element, UPF_CLASS
    for edge in document.typed("edge_nodes", EdgeNode):
        yield ObjectRef("edge_node", edge.name), edge.managed_element, EDGE_CLASS
    for gm in document.typed("ptp_grandmasters", PtpGrandmaster):
        yield ObjectRef("ptp_grandmaster", gm.name), gm.managed_element, CLOCK_CLASS
