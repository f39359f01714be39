"""The initial NETCONF running config of every managed element, built from a site document."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel

from openipn.codecs.nrm_yang import ATTRIBUTES, MANAGED_ELEMENT, Tree
from openipn.model.core import EdgeNode, Upf
from openipn.model.document import SiteDocument
from openipn.model.kinds import KINDS
from openipn.model.radio import AdministrativeState, Cell, Gnb, ManagedElement
from openipn.model.transport import Link

UNLOCKED = AdministrativeState.UNLOCKED.value
T = TypeVar("T", bound=BaseModel)


def datastore_from_site(document: SiteDocument) -> Tree:
    """Running config of all managed elements: gNBs with cells, UPFs, edge nodes and links.

    A function without a managed element (or naming one the site lacks) is left out: nothing
    could manage it over NETCONF. A link belongs to the element of its first endpoint that is a
    transport node, else of its first endpoint that has an element.
    """
    elements: Tree = {
        me.name: _element(me) for me in _typed(document, "managed_elements", ManagedElement)
    }
    cells_by_gnb: dict[str, list[Cell]] = {}
    for cell in _typed(document, "cells", Cell):
        cells_by_gnb.setdefault(cell.gnb, []).append(cell)
    for gnb in _typed(document, "gnbs", Gnb):
        attributes = {"gNBId": gnb.gnb_id, "gNBIdLength": gnb.gnb_id_length}
        cells = {cell.name: _cell(cell) for cell in cells_by_gnb.get(gnb.name, [])}
        entry: Tree = {ATTRIBUTES: attributes, **({"NRCellDU": cells} if cells else {})}
        _place(elements, gnb.managed_element, "GNBDUFunction", gnb.name, entry)
    for upf in _typed(document, "upfs", Upf):
        _place(elements, upf.managed_element, "UPFFunction", upf.name, _admin(UNLOCKED))
    for edge in _typed(document, "edge_nodes", EdgeNode):
        _place(elements, edge.managed_element, "EdgeNode", edge.name, _admin(UNLOCKED))
    hosts, transport_nodes = _hosts(document)
    for link in _typed(document, "links", Link):
        ends = sorted((link.a, link.b), key=lambda end: end not in transport_nodes)
        owner = next((hosts[end] for end in ends if hosts.get(end)), None)
        _place(elements, owner, "TransportLink", link.name, _admin(link.administrative_state))
    return {MANAGED_ELEMENT.name: elements} if elements else {}


def element_datastore(tree: Tree, element: str) -> Tree:
    """The part of a datastore that one managed element holds (a deep copy)."""
    entry = tree.get(MANAGED_ELEMENT.name, {}).get(element)
    if entry is None:
        raise KeyError(f"no managed element {element!r} in the datastore")
    return {MANAGED_ELEMENT.name: {element: copy.deepcopy(entry)}}


def _typed(document: SiteDocument, section: str, model: type[T]) -> Iterable[T]:
    return (obj for obj in document.objects(section) if isinstance(obj, model))


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


def _hosts(document: SiteDocument) -> tuple[dict[str, str | None], set[str]]:
    """Topology node name -> its managed element, and the names of the transport nodes."""
    hosts: dict[str, str | None] = {}
    transport_nodes: set[str] = set()
    for spec in (spec for spec in KINDS if spec.topology_node):
        for obj in document.objects(spec.section):
            name = str(getattr(obj, "name", ""))
            hosts[name] = getattr(obj, "managed_element", None)
            if spec.section == "transport_nodes":
                transport_nodes.add(name)
    return hosts, transport_nodes
