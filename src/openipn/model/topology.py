"""The transport topology as a graph: what loses the control plane behind a link or a node."""

from __future__ import annotations

import networkx as nx

from openipn.model.core import CoreFunction, CoreFunctionType
from openipn.model.document import SiteDocument
from openipn.model.kinds import KINDS, object_key
from openipn.model.radio import AdministrativeState
from openipn.model.suggest import did_you_mean
from openipn.model.transport import Link


def build_graph(doc: SiteDocument) -> nx.MultiGraph:
    """Nodes are topology objects (attribute `kind`); edges are unlocked links (key = link name)."""
    graph = nx.MultiGraph()
    for spec in KINDS:
        if spec.topology_node:
            for obj in doc.objects(spec.section):
                graph.add_node(object_key(spec, obj), kind=spec.kind)
    for link in doc.objects("links"):
        if isinstance(link, Link) and link.administrative_state != AdministrativeState.LOCKED:
            graph.add_edge(
                link.a,
                link.b,
                key=link.name,
                capacity_mbps=link.capacity_mbps,
                latency_us=link.latency_us,
            )
    return graph


def failed_graph(doc: SiteDocument, link: str | None, node: str | None) -> nx.MultiGraph:
    """The transport graph without the failed link or node; KeyError naming an unknown one."""
    graph = build_graph(doc)
    if link is not None:
        edges = [(u, v, k) for u, v, k in graph.edges(keys=True) if k == link]
        if not edges:
            raise KeyError(_unknown_link(doc, link))
        graph.remove_edges_from(edges)
    if node is not None:
        if node not in graph:
            raise KeyError(f"no topology node named {node!r}{did_you_mean(node, graph.nodes)}")
        graph.remove_node(node)
    return graph


def _unknown_link(doc: SiteDocument, name: str) -> str:
    """Why a link cannot fail: it is locked (already out of service) or does not exist."""
    links = [link for link in doc.objects("links") if isinstance(link, Link)]
    if any(link.name == name for link in links):
        return f"link {name!r} is locked: it carries nothing that could be lost"
    return f"no link named {name!r}{did_you_mean(name, (link.name for link in links))}"


def amf_nodes(doc: SiteDocument) -> set[str]:
    """The nodes that anchor the control plane: the AMFs (N2, TS 38.413).

    UPFs anchor only the user plane of the slices they serve (see `model/impact.py`): an edge
    UPF in a workshop keeps no gNB attached when the AMFs are out of reach.
    """
    return {
        f.name
        for f in doc.objects("core_functions")
        if isinstance(f, CoreFunction) and f.type == CoreFunctionType.AMF
    }


def behind(doc: SiteDocument, *, link: str | None = None, node: str | None = None) -> set[str]:
    """Nodes that lose every path to an AMF when the link (or node) fails.

    With a redundant ring this is empty, which is the point of the ring. What each gNB loses in
    the user plane, and what depends on it, is `model.impact.impact`.
    """
    graph = failed_graph(doc, link, node)
    reachable: set[str] = set()
    for anchor in amf_nodes(doc) & set(graph.nodes):
        reachable |= nx.node_connected_component(graph, anchor)
    return {n for n in graph.nodes if n not in reachable}


def node_kind(name: str, doc: SiteDocument) -> str | None:
    """The kind of a topology node by name."""
    for spec in KINDS:
        if spec.topology_node and name in doc.index(spec.section):
            return spec.kind
    return None
