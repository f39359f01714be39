"""Connectivity through the transport graph under failures: who is alive, reachable, synced.

A failed box (gNB, switch, grandmaster) takes its ports down, and its element when that hosts
nothing else; a failed function (AMF, UPF, edge application) leaves its server up and
manageable. Results are cached per failure state, since failures change rarely compared with
steps.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray
from openipn.twin.sim.world import World

BOX_KINDS = frozenset({"gnb", "transport_node", "ptp_grandmaster"})
CACHE_SIZE = 32


@dataclass(frozen=True)
class Outage:
    """The failure state that connectivity depends on."""

    nodes_down: frozenset[str]  # topology nodes (names unique across node kinds), never elements
    links_down: frozenset[str]  # failed or administratively locked
    ptp_lost: frozenset[str]


@dataclass
class Connectivity:
    """What works under one outage."""

    element_alive: BoolArray
    element_reachable: BoolArray
    gnb_up: BoolArray
    gnb_amf: IntArray  # index into world.core of the AMF a gNB reaches, -1 without N2
    gnb_upf: BoolArray  # (gNB, UPF) user-plane path exists
    path_ms: FloatArray  # (gNB, UPF) transport latency along the path
    path_pair: IntArray  # entries of the path incidence: pair = gnb * n_upf + upf ...
    path_link: IntArray  # ... and the link it crosses
    path_dir: IntArray  # +1 when downlink flows from the link's a end to its b end, else -1
    core_up: BoolArray
    smf_ok: BoolArray  # per core function: an SMF that is up and reaches an AMF
    upf_up: BoolArray
    upf_n4: BoolArray  # UPF up and reachable from a working SMF
    edge_up: BoolArray  # edge node up and reachable from its UPF
    transport_up: BoolArray
    gm_up: BoolArray
    gnb_synced: BoolArray  # receives PTP from a working grandmaster
    transport_synced: BoolArray
    links_failed: BoolArray  # down for a physical reason (alarmed), not just locked
    nodes_box_dead: frozenset[str]


class Network:
    """Connectivity calculator with a small cache keyed by the outage."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cache: dict[Outage, Connectivity] = {}
        self.anchors = _management_anchors(world)
        self.hosted_nodes = [
            [name for _, name in hosted if name in world.graph] for hosted in world.elements.hosted
        ]

    def state(self, outage: Outage) -> Connectivity:
        """Connectivity under an outage (cached)."""
        found = self.cache.get(outage)
        if found is None:
            if len(self.cache) >= CACHE_SIZE:
                self.cache.pop(next(iter(self.cache)))
            found = self.cache[outage] = self._compute(outage)
        return found

    def _dead(self, outage: Outage) -> tuple[set[str], set[str], BoolArray]:
        """Box-dead nodes, function-down nodes and whether each element is alive.

        A failed node is looked up by its kind, never by an element that shares its name: a
        failed UPF or edge application leaves the server it runs on up and manageable. An
        element dies when every box it hosts has died.
        """
        world = self.world
        kinds = {name: kind for hosted in world.elements.hosted for kind, name in hosted}
        box = {n for n in outage.nodes_down if kinds.get(n) in BOX_KINDS or _is_box(world, n)}
        alive = np.ones(len(world.elements), dtype=bool)
        for i in range(len(world.elements)):
            hosted = [n for _, n in world.elements.hosted[i]]
            if hosted and all(n in box for n in hosted):
                alive[i] = False
        functions = {n for n in outage.nodes_down if n not in box and n in world.graph}
        return box, functions, alive

    def _compute(self, outage: Outage) -> Connectivity:
        world = self.world
        box, functions, alive = self._dead(outage)
        down = box | functions
        links_failed = np.array(
            [
                (name in outage.links_down and not world.links.locked[i])
                or world.links.a[i] in box
                or world.links.b[i] in box
                for i, name in enumerate(world.links.names)
            ],
            dtype=bool,
        )
        dead_links = {
            n for i, n in enumerate(world.links.names) if links_failed[i] or world.links.locked[i]
        }
        dead_links |= set(outage.links_down)
        no_transport = world.graph.number_of_edges() == 0
        manage = _component_of(world.graph, box, dead_links, self.anchors, no_transport)
        service = _labels(world.graph, down, dead_links, no_transport)
        reachable = alive & np.array(
            [not nodes or any(n in manage for n in nodes) for nodes in self.hosted_nodes], bool
        )
        up = _up_flags(world, down)
        conn = _service_state(world, service, up, down, dead_links, no_transport)
        return Connectivity(
            element_alive=alive,
            element_reachable=reachable,
            links_failed=links_failed,
            nodes_box_dead=frozenset(box),
            **up,
            **conn,
            **_sync(world, service, up, outage.ptp_lost),
        )


def _is_box(world: World, name: str) -> bool:
    return (
        name in world.gnbs.index
        or name in world.transport.index
        or name in world.grandmasters.index
    )


def _management_anchors(world: World) -> set[str]:
    """Where the O&M network attaches: switches next to the core, else the core itself."""
    core = set(world.core.names) | set(world.upfs.names)
    anchors = {
        other
        for node in core
        if node in world.graph
        for other in world.graph.neighbors(node)
        if other in world.transport.index
    }
    return anchors or (core & set(world.graph.nodes))


def _usable(graph: nx.MultiGraph, down: set[str], dead_links: set[str]) -> nx.MultiGraph:
    return nx.subgraph_view(
        graph,
        filter_node=lambda n: n not in down,
        filter_edge=lambda u, v, k: k not in dead_links,
    )


def _component_of(
    graph: nx.MultiGraph, down: set[str], dead_links: set[str], anchors: set[str], flat: bool
) -> set[str]:
    """Nodes connected to any live anchor (everything, when no transport is modelled)."""
    if flat:
        return set(graph.nodes)
    view = _usable(graph, down, dead_links)
    found: set[str] = set()
    for anchor in anchors:
        if anchor in view and anchor not in found:
            found |= nx.node_connected_component(view, anchor)
    return found


def _labels(
    graph: nx.MultiGraph, down: set[str], dead_links: set[str], flat: bool
) -> dict[str, int]:
    """Connected-component label of each live node."""
    if flat:
        return {n: 0 for n in graph.nodes if n not in down}
    view = _usable(graph, down, dead_links)
    labels: dict[str, int] = {}
    for label, component in enumerate(nx.connected_components(view)):
        for node in component:
            labels[node] = label
    return labels


def _up_flags(world: World, down: set[str]) -> dict[str, Any]:
    def up(names: list[str]) -> BoolArray:
        return np.array([n not in down for n in names], dtype=bool)

    return {
        "gnb_up": up(world.gnbs.names),
        "core_up": up(world.core.names),
        "upf_up": up(world.upfs.names),
        "transport_up": up(world.transport.names),
        "gm_up": up(world.grandmasters.names),
    }


def _joined(labels: dict[str, int], a: str, b: str) -> bool:
    return a in labels and b in labels and labels[a] == labels[b]


def _service_state(
    world: World,
    labels: dict[str, int],
    up: dict[str, BoolArray],
    down: set[str],
    dead_links: set[str],
    flat: bool,
) -> dict[str, Any]:
    amfs = [i for i in world.amfs() if up["core_up"][i]]
    gnb_amf = np.full(len(world.gnbs), -1, dtype=np.int64)
    for g, name in enumerate(world.gnbs.names):
        for a in amfs:
            if _joined(labels, name, world.core.names[a]):
                gnb_amf[g] = a
                break
    smf_ok = np.zeros(len(world.core), dtype=bool)
    for s in world.smfs():
        smf_ok[s] = bool(up["core_up"][s]) and any(
            _joined(labels, world.core.names[s], world.core.names[a]) for a in amfs
        )
    smfs = [world.core.names[s] for s in np.flatnonzero(smf_ok).tolist()]
    upf_n4 = np.array(
        [
            bool(up["upf_up"][u]) and any(_joined(labels, n, s) for s in smfs)
            for u, n in enumerate(world.upfs.names)
        ],
        dtype=bool,
    )
    edge_up = np.array(
        [
            e_upf >= 0 and _joined(labels, name, world.upfs.names[e_upf])
            for name, e_upf in zip(world.edges.names, world.edge_upf.tolist(), strict=True)
        ],
        dtype=bool,
    )
    paths = _paths(world, down, dead_links, labels, flat)
    return {"gnb_amf": gnb_amf, "smf_ok": smf_ok, "upf_n4": upf_n4, "edge_up": edge_up, **paths}


def _paths(
    world: World, down: set[str], dead_links: set[str], labels: dict[str, int], flat: bool
) -> dict[str, Any]:
    """Lowest-latency gNB -> UPF paths as a link incidence list."""
    n_gnb, n_upf = len(world.gnbs), len(world.upfs)
    reach = np.zeros((n_gnb, n_upf), dtype=bool)
    latency = np.zeros((n_gnb, n_upf))
    pairs: list[int] = []
    links: list[int] = []
    dirs: list[int] = []
    view = _usable(world.graph, down, dead_links)
    for u, upf in enumerate(world.upfs.names):
        if upf not in labels:
            continue
        if flat:
            reach[[g for g, n in enumerate(world.gnbs.names) if n in labels], u] = True
            continue
        _, routes = nx.single_source_dijkstra(view, upf, weight=_edge_weight)
        for g, gnb in enumerate(world.gnbs.names):
            route = routes.get(gnb)
            if route is None:
                continue
            reach[g, u] = True
            for a, b in itertools.pairwise(route):
                key = min(view[a][b], key=lambda k: view[a][b][k].get("latency_us", 0.0))
                link = world.links.index[key]
                pairs.append(g * n_upf + u)
                links.append(link)
                dirs.append(1 if world.links.a[link] == a else -1)  # the route runs UPF -> gNB
                latency[g, u] += world.links.latency_us[link] / 1000.0
    return {
        "gnb_upf": reach,
        "path_ms": latency,
        "path_pair": np.array(pairs, dtype=np.int64),
        "path_link": np.array(links, dtype=np.int64),
        "path_dir": np.array(dirs, dtype=np.int64),
    }


def _edge_weight(u: str, v: str, edges: dict[str, dict[str, float]]) -> float:
    return min(attrs.get("latency_us", 5.0) for attrs in edges.values())


def _sync(
    world: World, labels: dict[str, int], up: dict[str, BoolArray], ptp_lost: frozenset[str]
) -> dict[str, Any]:
    """Who receives PTP: nodes joined to a grandmaster that is up and not lost."""
    if not len(world.grandmasters):
        return {
            "gnb_synced": np.ones(len(world.gnbs), bool),
            "transport_synced": np.ones(len(world.transport), bool),
        }
    sources = {
        labels[g]
        for i, g in enumerate(world.grandmasters.names)
        if up["gm_up"][i] and g not in ptp_lost and g in labels
    }

    def synced(names: list[str]) -> BoolArray:
        return np.array([labels.get(n, -1) in sources for n in names], dtype=bool)

    return {
        "gnb_synced": synced(world.gnbs.names),
        "transport_synced": synced(world.transport.names),
    }
