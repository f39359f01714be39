"""The initial NETCONF running config of every managed element, built from a site document."""

from __future__ import annotations

import copy

from openipn.codecs.nrm_yang import ATTRIBUTES, MANAGED_ELEMENT, Tree
from openipn.model.core import EdgeNode, Upf
from openipn.model.dn import CELL_DU, DU, EDGE_CLASS, PORT_CLASS, UPF_CLASS, DnBook
from openipn.model.document import SiteDocument
from openipn.model.radio import AdministrativeState, Cell, Gnb, ManagedElement
from openipn.model.transport import Link

UNLOCKED = AdministrativeState.UNLOCKED.value


def datastore_from_site(document: SiteDocument) -> Tree:
    """Running config of all managed elements: gNBs with cells, UPFs, edge nodes and links.

    Every list entry is keyed by the value of its RDN in the model's DN (`model/dn.py`): a gNB's
    GNBDUFunction id, a cell's cellLocalId, a function's or link's name. A function without a
    managed element (or naming one the site lacks) is left out: nothing could manage it over
    NETCONF. A link belongs to its owner element (`model.dn.link_owners`).
    """
    book = DnBook.from_document(document)
    elements: Tree = {
        me.name: _element(me) for me in document.typed("managed_elements", ManagedElement)
    }
    cells_by_gnb: dict[str, list[Cell]] = {}
    for cell in document.typed("cells", Cell):
        cells_by_gnb.setdefault(cell.gnb, []).append(cell)
    for gnb in document.typed("gnbs", Gnb):
        attributes = {"gNBId": gnb.gnb_id, "gNBIdLength": gnb.gnb_id_length}
        cells = {str(cell.cell_local_id): _cell(cell) for cell in cells_by_gnb.get(gnb.name, [])}
        entry: Tree = {ATTRIBUTES: attributes, **({CELL_DU: cells} if cells else {})}
        _place(elements, gnb.managed_element, DU, book.gnbs[gnb.name][1].du, entry)
    for upf in document.typed("upfs", Upf):
        _place(elements, upf.managed_element, UPF_CLASS, upf.name, _admin(UNLOCKED))
    for edge in document.typed("edge_nodes", EdgeNode):
        _place(elements, edge.managed_element, EDGE_CLASS, edge.name, _admin(UNLOCKED))
    for link in document.typed("links", Link):
        owner = book.owners.get(link.name)
        _place(elements, owner, PORT_CLASS, link.name, _admin(link.administrative_state))
    return {MANAGED_ELEMENT.name: elements} if elements else {}


def element_datastore(tree: Tree, element: str) -> Tree:
    """The part of a datastore that one managed element holds (a deep copy)."""
    entry = tree.get(MANAGED_ELEMENT.name, {}).get(element)
    if entry is None:
        raise KeyError(f"no managed element {element!r} in the datastore")
    return {MANAGED_ELEMENT.name: {element: copy.deepcopy(entry)}}


def _element(me: ManagedElement) -> Tree:
    return {ATTRIBUTES: {"userLabel": me.description} if me.description else {}}


def _admin(state: str) -> Tree:
    return {ATTRIBUTES: {"administrativeState": str(state)}}


def _cell(cell: Cell) -> Tree:
    """NRCellDU attributes of a cell; decimals rounded to the module's fraction-digits."""
    return {
        ATTRIBUTES: {
            "administrativeState": cell.administrative_state.value,
            "cellLocalId": cell.cell_local_id,
            "nRPCI": cell.pci,
            "nRTAC": cell.tac,
            "txPower": round(float(cell.tx_power_dbm), 2),
            "cellIndividualOffset": round(float(cell.cell_individual_offset_db), 1),
            "antennaTilt": round(float(cell.tilt_deg), 1),
        }
    }


def _place(elements: Tree, element: str | None, cls: str, name: str, entry: Tree) -> None:
    if element is not None and element in elements:
        elements[element].setdefault(cls, {})[name] = entry
