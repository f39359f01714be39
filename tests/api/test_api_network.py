"""Whole-network endpoints: plan, apply, export, versions, restore, topology, summary, health."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from api_helpers import API, YAML, assert_problem
from fastapi.testclient import TestClient

from openipn.app import Services
from openipn.model.kinds import KINDS


def test_plan_then_apply_yaml(client: TestClient, site_text: str) -> None:
    planned = client.post(f"{API}/plan", content=site_text, headers={"content-type": "text/yaml"})
    assert planned.status_code == 200, planned.text
    assert planned.json()["plan"]["summary"].startswith("34 to create")
    assert client.get(f"{API}/versions").json()["total"] == 0
    dry = client.post(f"{API}/apply?dry_run=true", content=site_text, headers=YAML)
    assert dry.json()["dry_run"] is True and dry.json()["version"] is None
    assert client.get(f"{API}/summary").json()["latest_version"] == 0
    applied = client.post(f"{API}/apply?reason=first", content=site_text, headers=YAML)
    assert applied.status_code == 200, applied.text
    assert applied.json()["version"] == 1
    assert client.get(f"{API}/versions").json()["items"][0]["reason"] == "first"


def test_apply_json_body(client: TestClient, site_text: str) -> None:
    body = json.dumps(yaml.safe_load(site_text), default=str)
    response = client.post(
        f"{API}/apply", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert client.get(f"{API}/cells").json()["total"] == 9


def test_export_plans_as_no_changes(applied: TestClient) -> None:
    exported = applied.get(f"{API}/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/yaml")
    assert exported.text.startswith("format: openipn-site/v1")
    planned = applied.post(f"{API}/plan", content=exported.content, headers=YAML)
    assert planned.status_code == 200, planned.text
    assert planned.json()["plan"]["summary"] == "no changes"
    assert planned.json()["plan"]["changes"] == []


def test_invalid_site_file_is_422_with_paths(client: TestClient, site_text: str) -> None:
    broken = site_text.replace("pci: 13,", "pci: 1012,")  # C04, the fourth cell
    body = assert_problem(client.post(f"{API}/apply", content=broken, headers=YAML), 422)
    assert body["errors"] == [{"path": "cells[C04].pci", "message": "1012 is outside 0..1007"}]
    doubled = site_text.replace("pci: 13,", "pci: 12,")
    body = assert_problem(client.post(f"{API}/plan", content=doubled, headers=YAML), 422)
    assert "cells[C04].pci" in {error["path"] for error in body["errors"]}
    body = assert_problem(client.post(f"{API}/plan", content="cells: 3\n", headers=YAML), 422)
    assert body["errors"][0]["path"] == "cells"
    assert client.get(f"{API}/versions").json()["total"] == 0


def test_unparseable_bodies_are_400(client: TestClient) -> None:
    body = assert_problem(client.post(f"{API}/plan", content="a: [1,\n", headers=YAML), 400)
    assert body["errors"][0]["path"] == "(body)"
    json_type = {"content-type": "application/json"}
    assert_problem(client.post(f"{API}/plan", content="{nope", headers=json_type), 400)
    assert_problem(client.post(f"{API}/plan", content="", headers=YAML), 400)
    assert_problem(client.post(f"{API}/plan", content=b"\xff\xfe", headers=YAML), 400)
    png = {"content-type": "image/png"}
    assert_problem(client.post(f"{API}/plan", content="x: 1", headers=png), 415)


def test_versions_and_restore(applied: TestClient) -> None:
    assert applied.patch(f"{API}/cells/C02", json={"pci": 20}).status_code == 200
    assert applied.delete(f"{API}/cells/C08").status_code == 200
    dry = applied.post(f"{API}/versions/1/restore?dry_run=true")
    assert dry.json()["plan"]["counts"] == {"create": 1, "update": 1, "delete": 0}
    assert applied.get(f"{API}/cells/C02").json()["pci"] == 20
    restored = applied.post(f"{API}/versions/1/restore", headers={"X-OpenIPN-Author": "bob"})
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 4
    assert applied.get(f"{API}/cells/C02").json()["pci"] == 11
    assert applied.get(f"{API}/cells/C08").status_code == 200
    versions = applied.get(f"{API}/versions").json()
    assert [v["number"] for v in versions["items"]] == [1, 2, 3, 4]
    last = versions["items"][-1]
    assert (last["restored_from"], last["source"], last["author"]) == (1, "restore", "bob")
    assert re.match(r"\d{4}-\d\d-\d\dT", last["created_at"])
    assert_problem(applied.post(f"{API}/versions/9/restore"), 404)
    body = assert_problem(applied.post(f"{API}/versions/x/restore"), 422)
    assert body["errors"][0]["path"] == "path.number"


def test_topology_behind(applied: TestClient) -> None:
    cut = applied.get(f"{API}/topology/behind", params={"link": "L-SW1-SW2"}).json()
    assert cut["behind"] == [
        {"name": "GNB1", "kind": "gnb"},
        {"name": "SW2", "kind": "transport_node"},
    ]
    assert cut["count"] == 2
    by_node = applied.get(f"{API}/topology/behind?node=SW2").json()
    assert by_node["behind"] == [{"name": "GNB1", "kind": "gnb"}]
    assert applied.get(f"{API}/topology/behind?link=L-GM1-SW1").json()["behind"] == [
        {"name": "GM1", "kind": "ptp_grandmaster"}
    ]
    assert_problem(applied.get(f"{API}/topology/behind?link=NOPE"), 404)
    assert_problem(applied.get(f"{API}/topology/behind"), 422)
    assert_problem(applied.get(f"{API}/topology/behind?link=L-SW1-SW2&node=SW2"), 422)


def test_summary_and_health(client: TestClient, site_text: str) -> None:
    empty = client.get(f"{API}/summary").json()
    assert empty == {
        "site": None,
        "counts": {spec.kind: 0 for spec in KINDS},
        "total": 0,
        "latest_version": 0,
    }
    client.post(f"{API}/apply", content=site_text, headers=YAML)
    summary = client.get(f"{API}/summary").json()
    assert summary["site"] == "demo" and summary["latest_version"] == 1
    assert (summary["counts"]["cell"], summary["counts"]["subscription"]) == (9, 2)
    assert summary["total"] == 34
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "OpenIPN"
    for kind in KINDS:
        path = f"{API}/{kind.section}"
        assert path in spec["paths"], path
        assert spec["paths"][path]["get"]["tags"] == [kind.section]
        if not kind.singleton:
            assert f"{path}/{{name}}" in spec["paths"]
    body = spec["paths"][f"{API}/cells"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Cell"}
    params = {p["name"] for p in spec["paths"][f"{API}/cells"]["get"]["parameters"]}
    assert {"page", "page_size", "name_contains", "gnb", "pci"} <= params
    for name in ("CellPage", "CellItem", "CellDerived", "Problem", "WriteResult"):
        assert name in spec["components"]["schemas"]
    for path in ("/plan", "/apply", "/export", "/versions", "/summary", "/topology/behind"):
        assert f"{API}{path}" in spec["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_docs_load_nothing_from_outside(client: TestClient) -> None:
    """Plants are air-gapped: every asset /docs refers to is served by OpenIPN itself."""
    page = client.get("/docs").text
    assets = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page)
    assert assets, page
    for asset in assets:
        assert not asset.startswith(("http://", "https://", "//")), asset
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset


def test_errors_never_leak_tracebacks(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode() -> None:
        raise RuntimeError("internal detail 1234")

    monkeypatch.setattr(services.inventory, "versions", explode)
    body = assert_problem(client.get(f"{API}/versions"), 500)
    assert "internal detail 1234" not in json.dumps(body)
    assert body["type"].endswith("/internal-error")


def test_method_not_allowed_is_a_problem(client: TestClient) -> None:
    assert_problem(client.delete(f"{API}/cells"), 405)
    assert_problem(client.get(f"{API}/plan"), 405)


def test_example_plant_applies_and_round_trips(client: TestClient) -> None:
    example = Path(__file__).parents[2] / "examples" / "small.yaml"  # shipped: never skipped
    response = client.post(f"{API}/apply", content=example.read_bytes(), headers=YAML)
    assert response.status_code == 200, response.text  # a rejected example is a failure
    cells = client.get(f"{API}/cells?page_size=5").json()
    assert cells["total"] > 0 and all(c["derived"]["nci"] is not None for c in cells["items"])
    exported = client.get(f"{API}/export").content
    planned = client.post(f"{API}/plan", content=exported, headers=YAML).json()
    assert planned["plan"]["summary"] == "no changes"
