"""The twin loses what the model says a failure takes away: control plane (N2 to an AMF) and
user plane (N3 to each UPF, with its N4), checked for every link and node of small sites."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest
from small_sites import edge_site, two_halls_site

from openipn.model.document import SiteDocument
from openipn.model.impact import impact
from openipn.model.reach import Reach, anchor_upf, reach
from openipn.model.services import Application
from openipn.model.subscribers import Terminal
from openipn.model.topology import build_graph, failed_graph
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import Fault, impairments_at
from openipn.twin.sim.network import Connectivity, Network, Outage
from openipn.twin.sim.world import World, build_world

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def twin_reach(world: World, conn: Connectivity) -> Reach:
    """The twin's connectivity in the model's terms."""
    gnbs, upfs = world.gnbs.names, world.upfs.names
    return Reach(
        n2=frozenset(g for i, g in enumerate(gnbs) if conn.gnb_up[i] and conn.gnb_amf[i] >= 0),
        n4=frozenset(u for i, u in enumerate(upfs) if conn.upf_n4[i]),
        n3=frozenset(
            (g, u)
            for i, g in enumerate(gnbs)
            for j, u in enumerate(upfs)
            if conn.gnb_up[i] and conn.upf_up[j] and conn.gnb_upf[i, j]
        ),
        edges=frozenset(e for i, e in enumerate(world.edges.names) if conn.edge_up[i]),
    )


def failures(document: SiteDocument) -> list[tuple[str | None, str | None]]:
    graph = build_graph(document)
    links = sorted({k for _, _, k in graph.edges(keys=True)})
    return [(link, None) for link in links] + [(None, node) for node in sorted(graph.nodes)]


@pytest.mark.parametrize("site", [edge_site, two_halls_site], ids=["edge", "two-halls"])
def test_the_twin_and_the_model_agree_on_every_single_failure(
    site: Callable[[], SiteDocument],
) -> None:
    document = site()
    world = build_world(document, np.random.default_rng(1))
    network = Network(world)
    for link, node in failures(document):
        nodes = frozenset({node} if node else set())
        links = frozenset({link} if link else set())
        conn = network.state(Outage(nodes, links, frozenset()))
        expected = reach(document, failed_graph(document, link, node))
        assert twin_reach(world, conn) == expected, (link, node)


@pytest.mark.parametrize("site", [edge_site, two_halls_site], ids=["edge", "two-halls"])
def test_terminals_anchor_at_the_upf_the_model_names(site: Callable[[], SiteDocument]) -> None:
    document = site()
    world = build_world(document, np.random.default_rng(1))
    apps = {a.name: a for a in document.typed("applications", Application)}
    for i, terminal in enumerate(document.typed("terminals", Terminal)):
        app = apps[terminal.application or ""]
        anchor = int(world.terminals.upf[i])
        assert world.upfs.names[anchor] == anchor_upf(document, app.slice, app.edge_node)


def test_a_core_switch_failure_takes_every_gnbs_amf_in_the_twin_as_in_the_model() -> None:
    document = edge_site()
    answer = impact(document, node="cs")
    assert answer.control_plane == ("gnb1", "gnb2")  # the edge UPF keeps no gNB attached
    sim = Simulation(document, seed=3, start=START)
    results = [sim.step(impairments_at([], sim.world)) for _ in range(18)]
    assert results[-1].terminals.registered.any()
    hit = impairments_at([Fault("f-cs", "switch_down", "transport_node:cs")], sim.world)
    results = [sim.step(hit) for _ in range(6)]
    assert (sim.conn.gnb_amf == -1).all()  # every gNB lost N2 ...
    assert not results[-1].terminals.registered.any()  # ... and every terminal its AMF
    assert {u.upf for u in answer.user_plane} == {"upf-c", "upf-ws"}
    assert {t.name for t in answer.terminals} == {"agv-1", "agv-2", "cam-1"}
