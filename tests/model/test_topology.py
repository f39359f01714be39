"""Transport topology: what loses its path to an AMF when a link or node fails.

amf-1, upf-1 ── sw-1          ring: sw-1 ── sw-2 ── sw-3 ── sw-1
gnb-1 ── sw-2                 gnb-2 ══ sw-3 (two parallel links)
spur: sw-3 ── l-spur ── sw-4 ── gnb-3
"""

from __future__ import annotations

from typing import Any

import pytest

from openipn.model.document import SiteDocument, parse_document
from openipn.model.topology import amf_nodes, behind, build_graph, node_kind


def _link(name: str, a: str, b: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "a": a, "b": b, "capacity_mbps": 10_000, **extra}


def topology(**link_extra: dict[str, Any]) -> SiteDocument:
    links = [
        _link("l-amf", "amf-1", "sw-1"),
        _link("l-upf", "upf-1", "sw-1"),
        _link("ring-12", "sw-1", "sw-2"),
        _link("ring-23", "sw-2", "sw-3"),
        _link("ring-31", "sw-3", "sw-1"),
        _link("l-gnb1", "gnb-1", "sw-2"),
        _link("l-gnb2-a", "gnb-2", "sw-3"),
        _link("l-gnb2-b", "gnb-2", "sw-3"),
        _link("l-spur", "sw-3", "sw-4"),
        _link("l-gnb3", "gnb-3", "sw-4"),
    ]
    for link in links:
        link.update(link_extra.get(link["name"], {}))
    raw = {
        "core_functions": [
            {"name": "amf-1", "type": "AMF"},
            {"name": "smf-1", "type": "SMF"},  # not linked, not an anchor
        ],
        "upfs": [{"name": "upf-1", "dnns": ["factory"]}],
        "gnbs": [
            {"name": f"gnb-{i}", "managed_element": f"me-gnb-{i}", "gnb_id": i} for i in (1, 2, 3)
        ],
        "transport_nodes": [{"name": f"sw-{i}", "type": "switch"} for i in (1, 2, 3, 4)],
        "links": links,
    }
    document, issues = parse_document(raw)
    assert issues == []
    return document


def test_the_control_plane_is_anchored_at_the_amfs_only() -> None:
    assert amf_nodes(topology()) == {"amf-1"}


def test_intact_topology_leaves_only_unlinked_nodes_behind() -> None:
    assert behind(topology()) == {"smf-1"}


@pytest.mark.parametrize("link", ["ring-12", "ring-23", "ring-31", "l-gnb2-a", "l-gnb2-b"])
def test_redundant_link_failure_cuts_off_nothing(link: str) -> None:
    assert behind(topology(), link=link) == {"smf-1"}


@pytest.mark.parametrize(
    ("link", "cut_off"),
    [
        ("l-spur", {"sw-4", "gnb-3"}),
        ("l-gnb3", {"gnb-3"}),
        ("l-gnb1", {"gnb-1"}),
        # the UPF anchors no control plane: it is cut off from the AMF (its N3/N4 and the
        # slices it serves are the user plane's answer, model/impact.py)
        ("l-upf", {"upf-1"}),
    ],
)
def test_single_link_failure_cuts_off_what_is_behind_it(link: str, cut_off: set[str]) -> None:
    assert behind(topology(), link=link) == cut_off | {"smf-1"}


@pytest.mark.parametrize(
    ("node", "cut_off"),
    [
        ("sw-2", {"gnb-1"}),
        ("sw-3", {"gnb-2", "sw-4", "gnb-3"}),
        ("sw-4", {"gnb-3"}),
        # amf-1 and upf-1 hang off sw-1 only: the whole access side and the UPF lose the AMF
        ("sw-1", {"upf-1", "sw-2", "sw-3", "sw-4", "gnb-1", "gnb-2", "gnb-3"}),
    ],
)
def test_node_failure_cuts_off_its_gnbs(node: str, cut_off: set[str]) -> None:
    result = behind(topology(), node=node)
    assert node not in result
    assert result == cut_off | {"smf-1"}


def test_without_any_anchor_everything_is_behind() -> None:
    document = topology()
    document.sections["core_functions"] = document.objects("core_functions")[1:]  # drop the AMF
    document.sections["upfs"] = []
    assert "gnb-1" in behind(document)
    assert behind(document) == set(build_graph(document).nodes)


def test_unknown_link_or_node_raises_key_error() -> None:
    with pytest.raises(KeyError, match="no-such-link"):
        behind(topology(), link="no-such-link")
    with pytest.raises(KeyError, match="sw-9"):
        behind(topology(), node="sw-9")


def test_locked_link_is_not_an_edge() -> None:
    document = topology(**{"l-spur": {"administrative_state": "LOCKED"}})
    graph = build_graph(document)
    assert not graph.has_edge("sw-3", "sw-4")
    assert graph.number_of_edges() == 9
    assert behind(document) == {"sw-4", "gnb-3", "smf-1"}
    with pytest.raises(KeyError, match="l-spur"):
        behind(document, link="l-spur")


def test_parallel_links_are_separate_edges() -> None:
    graph = build_graph(topology())
    assert graph.number_of_edges("gnb-2", "sw-3") == 2
    assert {k for _, _, k in graph.edges(keys=True)} >= {"l-gnb2-a", "l-gnb2-b"}


def test_node_kind() -> None:
    document = topology()
    assert node_kind("sw-1", document) == "transport_node"
    assert node_kind("gnb-3", document) == "gnb"
    assert node_kind("amf-1", document) == "core_function"
    assert node_kind("nothing", document) is None
