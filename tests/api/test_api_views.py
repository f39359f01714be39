"""Derived views on the small example network: edge-node applications and the topology query."""

from __future__ import annotations

from pathlib import Path

import yaml
from fastapi.testclient import TestClient

SMALL = Path(__file__).parent.parent.parent / "examples" / "small.yaml"
API = "/api/v1"


def load_small(client: TestClient) -> dict:  # type: ignore[type-arg]
    response = client.post(
        f"{API}/apply", content=SMALL.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 200, response.text
    return yaml.safe_load(SMALL.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_edge_nodes_list_their_applications(client: TestClient) -> None:
    site = load_small(client)
    expected: dict[str, list[str]] = {}
    for app in site["applications"]:
        if app.get("edge_node"):
            expected.setdefault(app["edge_node"], []).append(app["name"])
    nodes = client.get(f"{API}/edge_nodes").json()["items"]
    assert nodes
    for node in nodes:
        assert sorted(node["derived"]["applications"]) == sorted(expected.get(node["name"], []))


def test_behind_a_ring_link_nothing_behind_an_access_link_its_gnb(client: TestClient) -> None:
    load_small(client)
    ring = client.get(f"{API}/topology/behind", params={"link": "ring-cs-1-tsn-ws1"}).json()
    assert ring["behind"] == []
    access = client.get(f"{API}/topology/behind", params={"link": "acc-gnb-ws1-01"}).json()
    assert access["behind"] == [{"name": "gnb-ws1-01", "kind": "gnb"}]
