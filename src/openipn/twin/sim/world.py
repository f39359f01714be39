"""The simulated world: a site document turned into arrays the physics can vectorise over.

Everything random is drawn from the one `numpy.random.Generator` passed in, in a fixed order,
so the same seed gives the same world.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from openipn.model.arfcn import is_fr2
from openipn.model.core import CoreFunction, EdgeNode, Upf
from openipn.model.dn import DnBook
from openipn.model.document import SiteDocument
from openipn.model.radio import AdministrativeState, Cell, Gnb, ManagedElement
from openipn.model.services import Application, Slice
from openipn.model.site import Area, AreaKind, Snpn
from openipn.model.topology import build_graph
from openipn.model.transport import Link, PtpGrandmaster, TransportNode
from openipn.twin.sim.entities import (
    Apps,
    Areas,
    Cells,
    Elements,
    Functions,
    Gnbs,
    Links,
    Named,
    Slices,
    Terminals,
)
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray
from openipn.twin.sim.population import CLASSES, build_terminals
from openipn.twin.sim.tables import DENSE_AREA_KINDS, n_prb, scs_khz_for

__all__ = ["CLASSES", "BoolArray", "FloatArray", "IntArray", "Named", "World", "build_world"]


@dataclass
class World:
    """The whole simulated network as arrays, plus the transport graph."""

    plmnid: str
    areas: Areas
    elements: Elements
    gnbs: Gnbs
    cells: Cells
    slices: Slices
    core: Functions
    upfs: Functions
    edges: Functions
    transport: Functions
    grandmasters: Functions
    apps: Apps
    terminals: Terminals
    links: Links
    graph: nx.MultiGraph
    upf_slices: BoolArray
    edge_upf: IntArray
    edge_ms: FloatArray
    node_element: dict[str, int]  # topology node -> hosting element index (-1: none)
    salt: int
    dns: DnBook  # the model's DN of every object (model/dn.py)

    def amfs(self) -> list[int]:
        """Indices (into `core`) of the AMFs."""
        return [i for i, kind in enumerate(self.core.kind) if kind == "AMF"]

    def smfs(self) -> list[int]:
        """Indices (into `core`) of the SMFs."""
        return [i for i, kind in enumerate(self.core.kind) if kind == "SMF"]


def _areas(document: SiteDocument) -> Areas:
    items = document.typed("areas", Area)
    areas = Areas([a.name for a in items])
    areas.polygons = [np.asarray(a.polygon, dtype=np.float64) for a in items]
    areas.dense = np.array([a.kind in DENSE_AREA_KINDS for a in items], dtype=bool)
    areas.kind = [AreaKind(a.kind).value for a in items]
    return areas


def _elements(document: SiteDocument) -> Elements:
    items = document.typed("managed_elements", ManagedElement)
    elements = Elements([m.name for m in items])
    elements.role = [m.role.value for m in items]
    elements.hosted = [[] for _ in items]
    for section, kind in (
        ("gnbs", "gnb"),
        ("core_functions", "core_function"),
        ("upfs", "upf"),
        ("edge_nodes", "edge_node"),
        ("transport_nodes", "transport_node"),
        ("ptp_grandmasters", "ptp_grandmaster"),
    ):
        for obj in document.objects(section):
            me = getattr(obj, "managed_element", None)
            if me in elements.index:
                elements.hosted[elements.index[me]].append((kind, str(getattr(obj, "name", ""))))
    return elements


def _gnbs(document: SiteDocument, elements: Elements) -> Gnbs:
    items = document.typed("gnbs", Gnb)
    gnbs = Gnbs([g.name for g in items])
    gnbs.me = np.array([elements.index.get(g.managed_element, -1) for g in items], np.int64)
    gnbs.pos = np.array(
        [
            (g.position.x, g.position.y, g.position.z) if g.position else (0.0, 0.0, 3.0)
            for g in items
        ],
        dtype=np.float64,
    ).reshape(-1, 3)
    return gnbs


def _slices(document: SiteDocument) -> Slices:
    items = document.typed("slices", Slice)
    slices = Slices([s.name for s in items])
    slices.snssai = [s.snssai for s in items]
    slices.label = [f"{s.sst}-{s.sd}" if s.sd else str(s.sst) for s in items]
    return slices


def _cells(document: SiteDocument, gnbs: Gnbs, slices: Slices, areas: Areas) -> Cells:
    items = document.typed("cells", Cell)
    cells = Cells([c.name for c in items])
    gnb = [gnbs.index.get(c.gnb, -1) for c in items]
    cells.gnb = np.array(gnb, np.int64)
    cells.local_id = np.array([c.cell_local_id for c in items], np.int64)
    cells.pos = np.array(
        [
            (c.position.x, c.position.y, c.position.z) if c.position else tuple(gnbs.pos[g])
            for c, g in zip(items, gnb, strict=True)
        ],
        dtype=np.float64,
    ).reshape(-1, 3)
    cells.arfcn = np.array([c.arfcn_dl for c in items], np.int64)
    cells.freq_ghz = np.array([c.frequency_dl_mhz / 1000 for c in items])
    cells.bw_mhz = np.array([float(c.bandwidth_mhz) for c in items])
    cells.scs_khz = np.array([scs_khz_for(is_fr2(c.arfcn_dl)) for c in items])
    cells.n_prb = np.array(
        [n_prb(c.bandwidth_mhz, scs_khz_for(is_fr2(c.arfcn_dl))) for c in items], np.int64
    )
    cells.pci = np.array([c.pci for c in items], np.int64)
    cells.tac = np.array([c.tac for c in items], np.int64)
    cells.tx_dbm = np.array([c.tx_power_dbm for c in items], np.float64)
    cells.gain_dbi = np.array([c.antenna_gain_dbi for c in items], np.float64)
    cells.azimuth = np.array([c.azimuth_deg for c in items], np.float64)
    cells.tilt = np.array([c.tilt_deg for c in items], np.float64)
    cells.cio = np.array([c.cell_individual_offset_db for c in items], np.float64)
    cells.locked = np.array([c.administrative_state == AdministrativeState.LOCKED for c in items])
    cells.neighbours = _neighbours(items, cells)
    per_gnb = np.bincount(cells.gnb[cells.gnb >= 0], minlength=len(gnbs))
    cells.sector = np.array([g >= 0 and per_gnb[g] > 1 for g in gnb], dtype=bool)
    cells.slices = np.zeros((len(items), len(slices)), dtype=bool)
    for i, c in enumerate(items):
        known = [slices.index[s] for s in c.slices if s in slices.index]
        cells.slices[i, known if known else slice(None)] = True
    return cells


def _neighbours(items: list[Cell], cells: Cells) -> IntArray:
    """The cells' neighbour relations (NRCellRelation) as a -1 padded index table."""
    lists = [[cells.index[n] for n in c.neighbours if n in cells.index] for c in items]
    table = np.full((len(items), max((len(x) for x in lists), default=0)), -1, np.int64)
    for i, found in enumerate(lists):
        table[i, : len(found)] = found
    return table


def _functions(items: list[tuple[str, str, str | None]], elements: Elements) -> Functions:
    functions = Functions([name for name, _, _ in items])
    functions.kind = [kind for _, kind, _ in items]
    functions.me = np.array([elements.index.get(me or "", -1) for _, _, me in items], np.int64)
    return functions


def _apps(document: SiteDocument, slices: Slices, edges: Functions, areas: Areas) -> Apps:
    items = document.typed("applications", Application)
    apps = Apps([a.name for a in items])
    apps.app_class = np.array([CLASSES.index(a.app_class) for a in items], np.int64)
    apps.slice = np.array([slices.index.get(a.slice, 0) for a in items], np.int64)
    apps.edge = np.array([edges.index.get(a.edge_node or "", -1) for a in items], np.int64)
    apps.budget_ms = np.array([a.latency_budget_ms for a in items], np.float64)
    apps.ul_mbps = np.array([a.bitrate_ul_mbps for a in items], np.float64)
    apps.dl_mbps = np.array([a.bitrate_dl_mbps for a in items], np.float64)
    apps.areas = [[areas.index[n] for n in a.areas if n in areas.index] for a in items]
    return apps


def _links(document: SiteDocument) -> Links:
    items = document.typed("links", Link)
    links = Links([link.name for link in items])
    links.a = [link.a for link in items]
    links.b = [link.b for link in items]
    links.capacity_mbps = np.array([link.capacity_mbps for link in items], np.float64)
    links.latency_us = np.array([link.latency_us for link in items], np.float64)
    links.locked = np.array(
        [link.administrative_state == AdministrativeState.LOCKED for link in items]
    )
    return links


def _hosted(document: SiteDocument, elements: Elements) -> dict[str, Functions]:
    """Core functions, UPFs, edge nodes, transport nodes and grandmasters with their element."""
    core = [
        (f.name, f.type.value, f.managed_element)
        for f in document.typed("core_functions", CoreFunction)
    ]
    upfs = [(u.name, "upf", u.managed_element) for u in document.typed("upfs", Upf)]
    edges = [(e.name, "edge", e.managed_element) for e in document.typed("edge_nodes", EdgeNode)]
    transport = [
        (t.name, t.type.value, t.managed_element)
        for t in document.typed("transport_nodes", TransportNode)
    ]
    gms = [
        (g.name, "ptp", g.managed_element)
        for g in document.typed("ptp_grandmasters", PtpGrandmaster)
    ]
    groups = {
        "core": core,
        "upfs": upfs,
        "edges": edges,
        "transport": transport,
        "grandmasters": gms,
    }
    return {key: _functions(items, elements) for key, items in groups.items()}


def _upf_slices(document: SiteDocument, upfs: Functions, slices: Slices) -> BoolArray:
    table = np.zeros((len(upfs), len(slices)), dtype=bool)
    for i, upf in enumerate(document.typed("upfs", Upf)):
        table[i, [slices.index[s] for s in upf.slices if s in slices.index]] = True
    return table


def _node_elements(gnbs: Gnbs, hosted: dict[str, Functions]) -> dict[str, int]:
    node_element: dict[str, int] = {}
    for names, me in [(f.names, f.me) for f in hosted.values()] + [(gnbs.names, gnbs.me)]:
        node_element.update(zip(names, me.tolist(), strict=True))
    return node_element


def build_world(document: SiteDocument, rng: np.random.Generator) -> World:
    """Build the world from a parsed site document, drawing randomness from `rng`."""
    areas = _areas(document)
    elements = _elements(document)
    gnbs = _gnbs(document, elements)
    slices = _slices(document)
    hosted = _hosted(document, elements)
    upfs, edges = hosted["upfs"], hosted["edges"]
    upf_slices = _upf_slices(document, upfs, slices)
    edge_items = document.typed("edge_nodes", EdgeNode)
    edge_upf = np.array([upfs.index.get(e.upf, -1) for e in edge_items], np.int64)
    apps = _apps(document, slices, edges, areas)
    links = _links(document)
    snpn = document.singleton("snpn")
    salt = int(rng.integers(0, 2**62))
    terminals = build_terminals(document, rng, areas, apps, slices, upf_slices, edge_upf)
    return World(
        plmnid=f"{snpn.plmn.mcc}{snpn.plmn.mnc}" if isinstance(snpn, Snpn) else "",
        areas=areas,
        elements=elements,
        gnbs=gnbs,
        cells=_cells(document, gnbs, slices, areas),
        slices=slices,
        apps=apps,
        terminals=terminals,
        links=links,
        graph=_graph(document, links),
        upf_slices=upf_slices,
        edge_upf=edge_upf,
        edge_ms=np.array([e.processing_latency_ms for e in edge_items], np.float64),
        node_element=_node_elements(gnbs, hosted),
        salt=salt,
        dns=DnBook.from_document(document),
        **hosted,
    )


def _graph(document: SiteDocument, links: Links) -> nx.MultiGraph:
    """The model's transport graph plus locked links (marked), so unlocking can restore them."""
    graph = build_graph(document)
    for i, name in enumerate(links.names):
        if links.locked[i] and links.a[i] in graph and links.b[i] in graph:
            graph.add_edge(links.a[i], links.b[i], key=name)
    return graph
