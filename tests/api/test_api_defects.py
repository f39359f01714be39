"""Regression tests of the API defects fuzzing found (issue 9, item 3).

Over-large integers, deep nesting and a denormal grid size were 500s; the OpenAPI document
did not say what the server sends (media type of problems, 200 of dry runs, 400 of uploads),
405s listed only some methods, and `/terminals/<name>/status` was read as a terminal name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from api_helpers import API, YAML, assert_problem
from fastapi.testclient import TestClient

from openipn.api import create_app
from openipn.app import Services
from openipn.runtime import build_runtime

BEYOND_INT64 = "99999999999999999999"  # > 2**64
INT64_MAX = str(2**63 - 1)
PROBLEM = "application/problem+json"
METHODS = ("get", "put", "post", "delete", "patch")
PATH_VALUES = {"name": "C01", "number": "1"}
DEEP = 10_000


@pytest.fixture
def served(services: Services, site_text: str) -> Iterator[TestClient]:
    """The API as `serve` runs it (telemetry store and workers) over the fixture site."""
    app = create_app(services, build_runtime(services))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(f"{API}/apply", content=site_text, headers=YAML)
        assert response.status_code == 200, response.text
        yield client


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation of an OpenAPI document."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def concrete(path: str) -> str:
    """A template path with its parameters filled in."""
    for name, value in PATH_VALUES.items():
        path = path.replace(f"{{{name}}}", value)
    return path


def integer_parameters(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """The operation's query and path parameters whose values are integers."""
    return [
        parameter
        for parameter in operation.get("parameters", [])
        if parameter["in"] in ("query", "path")
        and parameter.get("schema", {}).get("type") == "integer"
    ]


def test_every_integer_parameter_refuses_what_the_database_cannot_bind(
    served: TestClient,
) -> None:
    """`page=9223372036854775807` was a 500 (SQLite OverflowError); now a 422 naming it."""
    document = served.app.openapi()  # type: ignore[attr-defined]
    tried = 0
    for method, path, operation in operations(document):
        for parameter in integer_parameters(operation):
            where, name = parameter["in"], parameter["name"]
            too_large = [BEYOND_INT64, "-" + BEYOND_INT64]
            if parameter["schema"].get("maximum", 2**63) < 2**63 - 1:
                too_large.append(INT64_MAX)
            for value in too_large:
                url = concrete(path.replace(f"{{{name}}}", value))
                query = {name: value} if where == "query" else {}
                response = served.request(method.upper(), url, params=query)
                body = assert_problem(response, 422)
                paths = [error["path"] for error in body["errors"]]
                assert f"{where}.{name}" in paths, (method, path, value, body)
                tried += 1
    assert tried >= 60  # paging of every list, the model's integer filters, version numbers


def test_integer_filter_finds_a_32_bit_gnb_id_and_refuses_beyond_64_bits(
    served: TestClient,
) -> None:
    """gnb_id reaches 2**32 - 1 (TS 38.413): the filter compares as BIGINT (INTEGER refused it)."""
    big = {
        "name": "GBIG",
        "managed_element": "ME-GNB2",
        "gnb_id": 4_000_000_000,
        "gnb_id_length": 32,
    }
    assert served.post(f"{API}/gnbs", json=big).status_code == 201
    found = served.get(f"{API}/gnbs", params={"gnb_id": "4000000000"})
    assert found.status_code == 200, found.text
    assert [item["name"] for item in found.json()["items"]] == ["GBIG"]
    assert served.get(f"{API}/gnbs", params={"gnb_id": str(2**63 - 1)}).json()["items"] == []
    body = assert_problem(served.get(f"{API}/gnbs", params={"gnb_id": str(2**63)}), 422)
    assert body["errors"][0]["path"] == "query.gnb_id"


def test_alarm_page_beyond_the_database_is_a_422(served: TestClient) -> None:
    """The alarm list handed any page to the store (500 on SQLite and PostgreSQL)."""
    body = assert_problem(served.get(f"{API}/alarms", params={"page": INT64_MAX}), 422)
    assert body["errors"][0]["path"] == "query.page"


def nested_json(depth: int) -> str:
    """A JSON array nested `depth` levels."""
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("route", ["plan", "apply"])
@pytest.mark.parametrize(
    ("media_type", "text"),
    [
        ("application/json", nested_json(DEEP)),
        ("application/json", '{"a":' * DEEP + "1" + "}" * DEEP),
        ("application/yaml", nested_json(DEEP)),
        ("application/yaml", "a:\n" + "".join(f"{' ' * i}- \n" for i in range(1, 200))),
    ],
    ids=["json-arrays", "json-objects", "yaml-flow", "yaml-block"],
)
def test_deeply_nested_site_body_is_a_400(
    applied: TestClient, route: str, media_type: str, text: str
) -> None:
    """10,000 levels of JSON were a RecursionError (500); nothing is planned or applied."""
    response = applied.post(f"{API}/{route}", content=text, headers={"content-type": media_type})
    body = assert_problem(response, 400)
    assert body["errors"][0]["path"] == "(body)"
    assert "nested" in body["errors"][0]["message"] or "JSON" in body["detail"]
    assert len(applied.get(f"{API}/versions").json()["items"]) == 1


@pytest.mark.parametrize(
    ("method", "url", "media_type"),
    [
        ("POST", f"{API}/cells", "application/json"),
        ("PUT", f"{API}/cells/C01", "application/json"),
        ("PATCH", f"{API}/cells/C01", "application/merge-patch+json"),
        ("PUT", f"{API}/site", "application/json"),
    ],
)
def test_deeply_nested_object_body_is_a_400(
    applied: TestClient, method: str, url: str, media_type: str
) -> None:
    """A collection route's body nested 10,000 levels is refused unread."""
    headers = {"content-type": media_type}
    response = applied.request(method, url, content=nested_json(DEEP), headers=headers)
    assert_problem(response, 400)


@pytest.mark.parametrize("route", ["/eventListener/v7", "/eventListener/v7/eventBatch"])
def test_deeply_nested_ves_body_is_a_400(open_ves: TestClient, route: str) -> None:
    """The VES listener reads with orjson: deep nesting is a 400, never a RecursionError."""
    body = '{"event":' + nested_json(DEEP) + "}"
    response = open_ves.post(route, content=body, headers={"content-type": "application/json"})
    assert_problem(response, 400)


@pytest.mark.parametrize(
    "cell_m", ["5e-324", "0", "-1", "0.49", "1000.5", "1e309", "nan", "NaN", "inf", "-inf"]
)
def test_latency_map_cell_size_outside_half_a_metre_to_a_km_is_a_422(
    served: TestClient, cell_m: str
) -> None:
    """`cell_m=5e-324` divided a workshop into ~1e325 grid cells: a 500 (OverflowError)."""
    params = {"application": "AGV", "cell_m": cell_m}
    body = assert_problem(served.get(f"{API}/latency-map", params=params), 422)
    assert body["errors"][0]["path"] == "query.cell_m"


@pytest.mark.parametrize("cell_m", ["0.5", "1000"])
def test_latency_map_cell_size_bounds_are_accepted(served: TestClient, cell_m: str) -> None:
    """Both ends of the range are answered."""
    params = {"application": "AGV", "cell_m": cell_m}
    response = served.get(f"{API}/latency-map", params=params)
    assert response.status_code == 200, response.text


def test_error_responses_are_declared_as_problem_documents(client: TestClient) -> None:
    """Every declared 4xx/5xx is application/problem+json with the Problem schema."""
    document = client.app.openapi()  # type: ignore[attr-defined]
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for method, path, operation in operations(document):
        errors = {k: v for k, v in operation["responses"].items() if k[0] in "45"}
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in errors, (method, path)
        for status, response in errors.items():
            assert response["content"] == {PROBLEM: {"schema": problem_ref}}, (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_dry_run_write_declares_200(client: TestClient) -> None:
    """A `dry_run` POST answers 200 (nothing created), not the 201 of a real create."""
    document = client.app.openapi()  # type: ignore[attr-defined]
    dry_runs = 0
    for method, path, operation in operations(document):
        names = {p["name"] for p in operation.get("parameters", [])}
        if "dry_run" in names:
            dry_runs += 1
            assert "200" in operation["responses"], (method, path)
    assert dry_runs > 40


def test_pm_upload_declares_what_it_answers(client: TestClient) -> None:
    """An empty or unreadable upload is a 400; too large a 413; another media type a 415."""
    responses = client.app.openapi()["paths"][f"{API}/pm-files"]["post"]["responses"]  # type: ignore[attr-defined]
    assert {"200", "201", "400", "413", "415", "422", "503"} <= set(responses)


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("POST", f"{API}/cells/C01", "GET, PUT, PATCH, DELETE"),
        ("POST", f"{API}/cells/BAY/C09", "GET, PUT, PATCH, DELETE"),
        ("DELETE", f"{API}/cells", "GET, POST"),
        ("PATCH", f"{API}/site", "GET, PUT"),
        ("DELETE", f"{API}/plan", "POST"),
        ("PUT", f"{API}/terminals/T1/status", "GET"),
        ("DELETE", f"{API}/terminals/T1/history", "GET"),
    ],
)
def test_405_lists_every_method_of_the_path(
    client: TestClient, method: str, url: str, allow: str
) -> None:
    """`Allow` names every method some route serves there (Starlette named one route's)."""
    response = client.request(method, url)
    assert_problem(response, 405)
    assert response.headers["allow"] == allow


def test_405_allow_matches_the_document(client: TestClient) -> None:
    """For every path: a method it does not declare is a 405 whose Allow lists the declared."""
    document = client.app.openapi()  # type: ignore[attr-defined]
    for path, item in document["paths"].items():
        declared = [m.upper() for m in METHODS if m in item]
        missing = next(m for m in ("PATCH", "DELETE", "PUT", "POST") if m not in declared)
        response = client.request(missing, concrete(path))
        assert response.status_code == 405, (missing, path, response.text)
        assert set(response.headers["allow"].split(", ")) == set(declared), path


def test_terminal_sub_resources_are_not_part_of_a_terminal_name(applied: TestClient) -> None:
    """`PUT /terminals/0/status` was taken as replacing a terminal named `0/status`."""
    terminal = {"name": "0/status", "imsi": "999990000000001"}
    response = applied.put(f"{API}/terminals/0/status", json=terminal)
    assert_problem(response, 405)
    assert_problem(applied.delete(f"{API}/terminals/0/history"), 405)
    assert_problem(applied.get(f"{API}/terminals/0/status/x"), 404)


def test_a_terminal_cannot_be_named_like_its_reports(applied: TestClient) -> None:
    """`x/status` was created and then unreachable: GET read x's status, DELETE was a 405."""
    body = assert_problem(
        applied.post(f"{API}/terminals", json={"name": "x/status", "type": "agv"}), 422
    )
    assert body["errors"][0]["path"] == "terminals[x/status].name", body
    assert "cannot end in /status or /history" in body["errors"][0]["message"]
    assert (
        applied.post(f"{API}/terminals", json={"name": "x/statuses", "type": "agv"}).status_code
        == 201
    )
    document = applied.app.openapi()  # type: ignore[attr-defined]
    for path in ("/api/v1/terminals/{name}", "/api/v1/terminals/{name}/status"):
        [parameter] = [
            p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "name"
        ]
        assert not re.search(parameter["schema"]["pattern"], "x/history"), path
        assert re.search(parameter["schema"]["pattern"], "x/statuses"), path


def test_path_name_outside_the_model_character_set_is_not_routed(applied: TestClient) -> None:
    """A name the model cannot hold never reaches a handler: nothing is at that path."""
    body = assert_problem(applied.get(f"{API}/cells/-C01"), 404)
    assert body["detail"].startswith("nothing at")


def resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A response schema that jsonschema can check, its references into the document."""
    return schema | {"components": document["components"]}


@pytest.mark.parametrize(
    ("section", "name"),
    [
        ("cells", "C01"),
        ("edge_nodes", "EDGE1"),
        ("subscriptions", "imsi-999990000000001"),
        ("snpn", None),
    ],
)
def test_derived_values_are_declared_in_the_response_schema(
    applied: TestClient, section: str, name: str | None
) -> None:
    """Objects that return `derived` declare it, so its content is checked."""
    if section == "edge_nodes":
        node = {"name": "EDGE1", "upf": "UPF1", "cpu_cores": 8}
        assert applied.post(f"{API}/edge_nodes", json=node).status_code == 201
    path = f"{API}/{section}" + ("/{name}" if name else "")
    url = f"{API}/{section}" + (f"/{name}" if name else "")
    document = applied.app.openapi()  # type: ignore[attr-defined]
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    body = applied.get(url).json()
    assert "derived" in body
    full = resolved(document, schema["schema"])
    jsonschema.validate(body, full)
    target = full
    while "$ref" in target:
        target = document["components"]["schemas"][target["$ref"].rsplit("/", 1)[1]]
    assert "derived" in target["properties"], section


@pytest.mark.parametrize("route", ["sla", "measurements", "kpis"])
def test_time_parameters_take_iso_8601_only(served: TestClient, route: str) -> None:
    """`from=0.5` was read as half a second after 1970 (pydantic's Unix-time reading)."""
    params = {"from": "0.5", "name": "RRCSetupSR", "object": "site"}
    body = assert_problem(served.get(f"{API}/{route}", params=params), 422)
    assert "query.from" in [error["path"] for error in body["errors"]]


@pytest.mark.parametrize("route", ["measurements", "kpis"])
def test_window_ending_at_the_first_moment_of_year_1_is_a_422(
    served: TestClient, route: str
) -> None:
    """`to=0001-01-01T00:00:00Z` was a 500: the default `from` (to - 24 h) is before year 1."""
    params = {"to": "0001-01-01T00:00:00Z", "name": "RRCSetupSR", "object": "site"}
    body = assert_problem(served.get(f"{API}/{route}", params=params), 422)
    assert body["errors"][0]["path"] == "query.from"


def test_model_names_and_ranges_are_in_the_document(client: TestClient) -> None:
    """A name's character set and a field's range are stated, so a client can check them."""
    schemas = client.app.openapi()["components"]["schemas"]  # type: ignore[attr-defined]
    cell = schemas["Cell"]["properties"]
    assert cell["name"]["pattern"].startswith("^[A-Za-z0-9]")
    assert (cell["pci"]["minimum"], cell["pci"]["maximum"]) == (0, 1007)


def test_kpi_range_of_too_many_buckets_is_a_422(served: TestClient) -> None:
    """26 years of 15-minute buckets took 7.5 s and 145 MB (a client timeout under fuzzing)."""
    params = {"name": "AMFMeanRegNbr", "object": "site", "from": "2000-01-01T00:00:00Z"}
    body = assert_problem(served.get(f"{API}/kpis", params=params | {"granularity": "15m"}), 422)
    assert body["errors"][0]["path"] == "query.from"
    assert "shorten the range" in body["detail"]
    assert served.get(f"{API}/kpis", params=params | {"granularity": "1d"}).status_code == 200


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e309"])
def test_float_filter_that_is_not_a_finite_number_is_a_422(applied: TestClient, value: str) -> None:
    """A float filter is compared in SQL: NaN and infinities are refused, naming the filter."""
    response = applied.get(f"{API}/cells", params={"tx_power_dbm": value})
    body = assert_problem(response, 422)
    assert body["errors"][0]["path"] == "query.tx_power_dbm"


def test_denormal_float_filter_is_answered(applied: TestClient) -> None:
    """5e-324 is a finite number: it is compared and matches nothing."""
    response = applied.get(f"{API}/cells", params={"tx_power_dbm": "5e-324"})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


XML = {"content-type": "application/xml"}


@pytest.mark.parametrize(
    "name", ["bad\x00name.xml", "tab\there.xml", "é" * 150 + ".xml"], ids=["nul", "tab", "long"]
)
def test_pm_upload_name_no_file_system_holds_is_a_400(served: TestClient, name: str) -> None:
    """A NUL in the file name was a 500 (ValueError) when the file went to quarantine."""
    response = served.post(f"{API}/pm-files", params={"name": name}, content=b"<x/>", headers=XML)
    assert response.status_code in (400, 422), response.text  # 422: the declared pattern
    assert_problem(response, response.status_code)


@pytest.mark.parametrize("name", ["..", "../..", "."])
def test_pm_upload_named_like_a_directory_gets_a_generated_name(
    served: TestClient, name: str
) -> None:
    """`..` named the quarantine's parent directory; the upload is judged on its content."""
    response = served.post(f"{API}/pm-files", params={"name": name}, content=b"<x/>", headers=XML)
    body = assert_problem(response, 422)
    assert body["errors"][0]["path"].startswith("upload-")
