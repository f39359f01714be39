"""Control- and user-plane reachability through the transport graph under one failure.

The control plane of a gNB is N2 to a working AMF (TS 38.413); its user plane is N3 to each
UPF (TS 29.281), usable only while an SMF that reaches an AMF holds the UPF's N4 association
(TS 29.244). An edge node serves its applications over N6 from its own UPF. A node that fails
is removed with its links, whatever its kind; a graph without links joins everything (no
transport modelled).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from openipn.model.core import CoreFunction, CoreFunctionType, EdgeNode, Upf
from openipn.model.document import SiteDocument
from openipn.model.radio import Gnb


@dataclass(frozen=True)
class Reach:
    """What works under one failure: per gNB, per UPF, per edge node."""

    n2: frozenset[str]  # gNBs with N2 to a working AMF
    n4: frozenset[str]  # UPFs whose N4 association a working SMF holds
    n3: frozenset[tuple[str, str]]  # (gNB, UPF) joined by a path, both up
    edges: frozenset[str]  # edge nodes up and joined to their UPF (N6)

    def user_plane(self, gnb: str, upf: str) -> bool:
        """Whether sessions of this gNB can run through this UPF."""
        return gnb in self.n2 and upf in self.n4 and (gnb, upf) in self.n3


def _functions(doc: SiteDocument, kind: CoreFunctionType) -> list[str]:
    return [f.name for f in doc.typed("core_functions", CoreFunction) if f.type == kind]


def _components(graph: nx.MultiGraph) -> dict[str, int]:
    """The connected component of each node (all one when no link is modelled)."""
    if graph.number_of_edges() == 0:
        return dict.fromkeys(graph.nodes, 0)
    labels: dict[str, int] = {}
    for label, component in enumerate(nx.connected_components(graph)):
        labels.update(dict.fromkeys(component, label))
    return labels


def reach(doc: SiteDocument, graph: nx.MultiGraph) -> Reach:
    """Control- and user-plane reachability over a (possibly failed) transport graph."""
    labels = _components(graph)

    def joined(a: str, b: str) -> bool:
        return a in labels and b in labels and labels[a] == labels[b]

    amfs = [a for a in _functions(doc, CoreFunctionType.AMF) if a in labels]
    smfs = [s for s in _functions(doc, CoreFunctionType.SMF) if any(joined(s, a) for a in amfs)]
    gnbs = [g.name for g in doc.typed("gnbs", Gnb)]
    upfs = [u.name for u in doc.typed("upfs", Upf)]
    return Reach(
        n2=frozenset(g for g in gnbs if any(joined(g, a) for a in amfs)),
        n4=frozenset(u for u in upfs if any(joined(u, s) for s in smfs)),
        n3=frozenset((g, u) for g in gnbs for u in upfs if joined(g, u)),
        edges=frozenset(e.name for e in doc.typed("edge_nodes", EdgeNode) if joined(e.name, e.upf)),
    )


def anchor_upf(doc: SiteDocument, slice_name: str, edge_node: str | None) -> str | None:
    """The UPF anchoring a slice's sessions: the edge node's UPF when it serves the slice,
    else the first UPF of the site serving it (the SMF's selection, TS 23.501 clause 6.3.3)."""
    upfs = doc.typed("upfs", Upf)
    edges = {e.name: e.upf for e in doc.typed("edge_nodes", EdgeNode)}
    local = next((u for u in upfs if u.name == edges.get(edge_node or "")), None)
    if local is not None and slice_name in local.slices:
        return local.name
    return next((u.name for u in upfs if slice_name in u.slices), None)
