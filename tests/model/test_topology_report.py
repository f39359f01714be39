"""`openipn topology behind` and GET /api/v1/topology/behind answer control plane, user plane
and dependents for a site with an edge UPF (readable text, --json, and the API's body)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_topology_impact import SITE, site
from typer.testing import CliRunner, Result

from openipn.api import create_app
from openipn.app import Services
from openipn.cli.main import app
from openipn.model.impact import failure_report

API = "/api/v1/topology/behind"


@pytest.fixture
def cli(tmp_path: Path, sqlite_url: str) -> Callable[..., Result]:
    """The CLI on a fresh store holding the impact site."""
    runner = CliRunner()
    env = {
        "OPENIPN_DATA_DIR": str(tmp_path / "data"),
        "OPENIPN_DATABASE_URL": sqlite_url,
        "OPENIPN_AUTHOR": "cli-test",
        "COLUMNS": "200",
    }

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    site_file = tmp_path / "site.yaml"
    site_file.write_text(SITE, encoding="utf-8")
    assert invoke("init").exit_code == 0
    applied = invoke("apply", str(site_file), "--yes")
    assert applied.exit_code == 0, applied.output
    return invoke


@pytest.fixture
def api(services: Services) -> Iterator[TestClient]:
    """The API on a store holding the impact site."""
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        applied = client.post(
            "/api/v1/apply", content=SITE, headers={"Content-Type": "application/yaml"}
        )
        assert applied.status_code == 200, applied.text
        yield client


def test_cli_text_names_both_planes_and_the_dependents(cli: Callable[..., Result]) -> None:
    result = cli("topology", "behind", "--node", "cs")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert {"gnb gnb1", "gnb gnb2", "gnb gnb3", "upf upf-ws"} <= set(lines)
    assert "Control plane (N2 to an AMF) lost by gNBs: gnb1, gnb2, gnb3" in lines
    assert any(line.startswith("User plane (N3) to upf-ws (slices urllc;") for line in lines)
    assert "  agv-ctl [urllc] at gnb1, gnb2" in lines
    assert "  tab-1 [embb] at gnb3" in lines


def test_cli_text_on_a_user_plane_only_failure(cli: Callable[..., Result]) -> None:
    lines = cli("topology", "behind", "--link", "l-upf-ws").output.splitlines()
    assert "Control plane (N2 to an AMF) lost by gNBs: -" in lines
    assert "Applications losing service (1):" in lines
    assert "  c1 [urllc] at gnb1" in lines


def test_cli_json_is_the_models_report(cli: Callable[..., Result]) -> None:
    result = cli("topology", "behind", "--link", "l-uplink", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == failure_report(site(), link="l-uplink")


def test_cli_refuses_an_unknown_failure(cli: Callable[..., Result]) -> None:
    result = cli("topology", "behind", "--link", "nope")
    assert result.exit_code == 1 and "nope" in result.output


def test_cli_says_nothing_is_lost_on_a_harmless_failure(tmp_path: Path, sqlite_url: str) -> None:
    text = SITE.replace(
        "  - {name: l-gnb2, a: sw-ws, b: gnb2, capacity_mbps: 10000}",
        "  - {name: l-gnb2, a: sw-ws, b: gnb2, capacity_mbps: 10000}\n"
        "  - {name: l-gnb2-b, a: sw-ws, b: gnb2, capacity_mbps: 10000}",
    )
    env = {"OPENIPN_DATA_DIR": str(tmp_path / "d"), "OPENIPN_DATABASE_URL": sqlite_url}
    runner, path = CliRunner(), tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    assert runner.invoke(app, ["apply", str(path), "--yes"], env=env).exit_code == 0
    result = runner.invoke(app, ["topology", "behind", "--link", "l-gnb2"], env=env)
    assert result.output.startswith("nothing:")


def test_api_body_extends_the_route(api: TestClient) -> None:
    body: dict[str, Any] = api.get(API, params={"node": "cs"}).json()
    assert body["node"] == "cs" and body["count"] == len(body["behind"])
    assert body["control_plane"] == ["gnb1", "gnb2", "gnb3"]
    assert [u["upf"] for u in body["user_plane"]] == ["upf-c", "upf-ws"]
    assert body == failure_report(site(), node="cs")
    edge = api.get(API, params={"link": "l-mec"}).json()
    assert edge["applications"] == [
        {"name": "agv-ctl", "gnbs": ["gnb1", "gnb2"], "slices": ["urllc"]}
    ]
    assert api.get(API, params={"link": "nope"}).status_code == 404


def test_api_openapi_declares_the_new_fields(api: TestClient) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["BehindOut"]["properties"]) >= {
        "behind", "control_plane", "user_plane", "slices", "cells", "applications", "terminals",
    }  # fmt: skip
