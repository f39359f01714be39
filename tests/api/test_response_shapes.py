"""Every JSON success response of the OpenAPI document declares its body, and the bodies match.

The telemetry routes (VES, PM files, KPIs, measurements, discovered objects, terminal status,
SLA, latency map) used to declare `{}` or any object. Each is called here on a store holding
data (examples/small.yaml, the hand-written KPI fixture, three minutes of the twin's terminal
reports and an uploaded PM file) and its real body is validated against the declared schema.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from api_helpers import API
from fastapi.testclient import TestClient
from httpx import Response
from test_declared_rules import ves_event
from test_terminals_status import SILENT, twin_events

from assure.kpi_kit import load_fixture, small_site  # tests/ is on sys.path (rootdir conftest)
from openipn.api import create_app
from openipn.api.deps import TELEMETRY_STATE
from openipn.app import build_services, initialise
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import StoredEvent
from openipn.collect.terminals import TerminalStatusHandler
from openipn.settings import Settings

PM_FILE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "pm"
    / "A20250301.1000+0000-1015+0000_gnb-7.xml"
)
JSON = "application/json"
# Free-form JSON success bodies, each with the reason it cannot be declared: none.
FREE_FORM: set[tuple[str, str, str]] = set()
# The routes whose bodies were bare objects: each now declares exactly its keys.
DECLARED = [
    ("get", "/api/v1/collector/ves", "200"),
    ("get", "/api/v1/kpis/catalog", "200"),
    ("get", "/api/v1/kpis", "200"),
    ("get", "/api/v1/measurements", "200"),
    ("get", "/api/v1/measurements/objects", "200"),
    ("get", "/api/v1/measurements/names", "200"),
    ("get", "/api/v1/discovered", "200"),
    ("get", "/api/v1/sla", "200"),
    ("get", "/api/v1/latency-map", "200"),
    ("get", "/api/v1/terminals/{name}/status", "200"),
    ("get", "/api/v1/terminals/{name}/history", "200"),
    ("get", "/api/v1/terminal-status", "200"),
    ("post", "/api/v1/pm-files", "201"),
    ("post", "/api/v1/pm-files", "200"),
    ("post", "/eventListener/v7", "202"),
    ("post", "/eventListener/v7/eventBatch", "202"),
]
KPI_RANGE = {"from": "2026-03-02T10:00:00Z", "to": "2026-03-02T10:30:00Z"}
EMPTY_RANGE = {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _aware_date_time(value: object) -> bool:
    """An ISO 8601 date-time with an offset (jsonschema checks none without rfc3339-validator)."""
    return not isinstance(value, str) or dt.datetime.fromisoformat(value).tzinfo is not None


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """small.yaml (SQLite) with the KPI fixture's counters and the twin's terminal reports.

    Module-scoped and SQLite only (the `applied` site of conftest holds none of the objects the
    KPI fixture and the twin report on): the shapes do not depend on the backend.
    """
    root = tmp_path_factory.mktemp("shapes")
    settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root}/o.db")
    initialise(settings)
    services = build_services(settings)
    services.inventory.apply(small_site(), author="tester", reason="response shapes")
    store = load_fixture(settings.telemetry_dir)
    events = copy.deepcopy(twin_events())
    stored = [
        StoredEvent(i, dt.datetime.now(dt.UTC), parse_event(e), e) for i, e in enumerate(events)
    ]
    TerminalStatusHandler(services.engine, store).handle(stored)
    app = create_app(services)
    setattr(app.state, TELEMETRY_STATE, store)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        store.close()
        services.close()


@pytest.fixture(scope="module")
def uploads(populated: TestClient) -> tuple[Response, Response]:
    """A PM file of objects the model does not name (201), then again with one value changed."""
    headers = {"Content-Type": "application/xml"}
    stored = populated.post(f"{API}/pm-files", content=PM_FILE.read_bytes(), headers=headers)
    changed = PM_FILE.read_text().replace('<r p="1">17</r>', '<r p="1">18</r>', 1).encode()
    conflict = populated.post(f"{API}/pm-files", content=changed, headers=headers)
    return stored, conflict


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a `#/components/schemas/...` reference names (any other schema as it is)."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def described(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """An object with declared properties, or a choice of such objects."""
    schema = resolve(document, schema)
    choices = schema.get("oneOf") or schema.get("anyOf")
    if choices:
        return all(described(document, choice) for choice in choices)
    return "properties" in schema


def declared_schema(document: dict[str, Any], method: str, path: str, status: int) -> Any:
    """The application/json schema of one response."""
    response = document["paths"][path][method]["responses"][str(status)]
    return response["content"][JSON]["schema"]


def assert_matches(
    document: dict[str, Any], response: Response, path: str, method: str = "get"
) -> dict[str, Any]:
    """The body is valid against the schema the document declares for its status; return it."""
    assert response.status_code < 300, response.text
    assert response.headers["content-type"] == JSON
    schema = declared_schema(document, method, path, response.status_code)
    validator = jsonschema.Draft202012Validator(
        schema | {"components": document["components"]}, format_checker=FORMATS
    )
    body: dict[str, Any] = response.json()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors
    return body


def test_every_json_success_response_declares_its_body(document: dict[str, Any]) -> None:
    bare = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if not status.startswith("2") or JSON not in content:
                    continue
                free = (method, path, status) in FREE_FORM
                if not free and not described(document, content[JSON]["schema"]):
                    bare.append(f"{method.upper()} {path} {status}")
    assert not bare, bare


@pytest.mark.parametrize(("method", "path", "status"), DECLARED)
def test_the_telemetry_bodies_allow_no_other_keys(
    document: dict[str, Any], method: str, path: str, status: str
) -> None:
    schema = resolve(document, declared_schema(document, method, path, int(status)))
    for choice in schema.get("oneOf", [schema]):
        assert resolve(document, choice)["additionalProperties"] is False


@pytest.mark.parametrize(
    ("path", "params", "filled"),
    [
        ("/kpis/catalog", {}, "items"),
        ("/kpis", KPI_RANGE | {"name": "HOSR", "object": "gnb:gnb-ws1-01", "granularity": "15m"},
         "rows"),
        ("/kpis", EMPTY_RANGE | {"name": "RRCSetupSR", "object": "cell:gnb-ws1-01-c2"}, "stored"),
        ("/measurements", KPI_RANGE | {"object": "cell:gnb-ws1-01-c2"}, "items"),
        ("/measurements", EMPTY_RANGE | {"object": "site"}, "stored"),
        ("/measurements", {"object": "managed_element:me-mec-1"}, "note"),  # stored: null
        ("/measurements/objects", {"page_size": 1000}, "items"),
        ("/measurements/names", {}, "items"),
        ("/terminal-status", {"page_size": 50}, "items"),
        ("/sla", {}, "applications"),  # the last hour: every report (method raw)
        ("/sla", {"from": "2026-03-01T20:00:00Z", "to": "2026-03-02T02:00:00Z"}, "slices"),
        ("/latency-map", {"application": "agv-control"}, "areas"),
        ("/latency-map", {"application": "agv-control", "cell_m": 1000}, "areas"),
    ],
)  # fmt: skip
def test_telemetry_bodies_match_their_declaration(
    populated: TestClient, document: dict[str, Any], path: str, params: dict[str, Any], filled: str
) -> None:
    body = assert_matches(document, populated.get(API + path, params=params), API + path)
    assert body[filled] is not None and body[filled] != [], body


def test_sla_bodies_of_both_methods_carry_data(populated: TestClient) -> None:
    """The two SLA cases above are the raw and the hourly method, each with reports."""
    raw = populated.get(f"{API}/sla").json()
    hourly = populated.get(f"{API}/sla", params={"from": "2026-03-01T20:00:00Z"}).json()
    assert (raw["method"], hourly["method"]) == ("raw", "hourly")
    assert raw["reports"] > 0 and hourly["reports"] > 0
    assert "met_at_most" in hourly["applications"][0]["latency"]["reports"]


def test_terminal_bodies_match_their_declaration(
    populated: TestClient, document: dict[str, Any]
) -> None:
    status = f"{API}/terminals/{{name}}/status"
    reporting = assert_matches(
        document, populated.get(f"{API}/terminals/agv-ws1-001/status"), status
    )
    assert reporting["telemetry"] == "reporting" and reporting["position"] is not None
    assert "event_id" in reporting["detail"] and len(reporting["detail"]) > 1
    assert {"rsrpDbm", "sinrDb", "neighbours"} <= reporting["detail"].keys()  # radio values too
    silent = assert_matches(document, populated.get(f"{API}/terminals/{SILENT}/status"), status)
    assert silent["telemetry"] == "none"
    history = populated.get(f"{API}/terminals/agv-ws1-001/history")
    body = assert_matches(document, history, f"{API}/terminals/{{name}}/history")
    assert len(body["items"]) == 3 and body["items"][0]["latency_ms"] is not None


def test_pm_file_and_discovered_bodies_match_their_declaration(
    populated: TestClient, document: dict[str, Any], uploads: tuple[Response, Response]
) -> None:
    stored, conflict = uploads
    assert stored.status_code == 201 and conflict.status_code == 200
    body = assert_matches(document, stored, f"{API}/pm-files", "post")
    assert body["rows"] > 0 and body["objects"] and body["unmodelled"]
    body = assert_matches(document, conflict, f"{API}/pm-files", "post")
    assert body["outcome"] == "duplicate" and body["conflicts"]
    found = assert_matches(document, populated.get(f"{API}/discovered"), f"{API}/discovered")
    assert found["items"] and found["items"][0]["names"]


def test_ves_bodies_match_their_declaration(open_ves: TestClient, document: dict[str, Any]) -> None:
    one = open_ves.post("/eventListener/v7", json={"event": ves_event()})
    assert assert_matches(document, one, "/eventListener/v7", "post")["accepted"] == 1
    batch = {"eventList": [ves_event(eventId="hb-2"), ves_event(eventId="hb-3")]}
    many = open_ves.post("/eventListener/v7/eventBatch", json=batch)
    accepted = assert_matches(document, many, "/eventListener/v7/eventBatch", "post")
    assert accepted["accepted"] == 2
    status = assert_matches(document, open_ves.get(f"{API}/collector/ves"), f"{API}/collector/ves")
    assert status["journaled"] >= 3
