"""GET /versions by date and author (the store's VersionInfo as its schema); plan warnings."""

from __future__ import annotations

import datetime as dt

from api_helpers import API, YAML, assert_problem
from fastapi.testclient import TestClient


def numbers(client: TestClient, **params: str) -> list[int]:
    response = client.get(f"{API}/versions", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return [item["number"] for item in body["items"]]


def test_versions_filter_by_author_and_date(applied: TestClient) -> None:
    patched = applied.patch(
        f"{API}/cells/C02", json={"pci": 20}, headers={"X-OpenIPN-Author": "bob"}
    )
    assert patched.status_code == 200, patched.text
    assert numbers(applied, author="bob") == [2]
    assert numbers(applied, author="nobody") == []
    today = dt.datetime.now(dt.UTC).date()
    assert numbers(applied, since=today.isoformat(), until=today.isoformat()) == [1, 2]
    assert numbers(applied, since=(today + dt.timedelta(days=1)).isoformat()) == []
    assert numbers(applied, until="2020-01-01T00:00:00+02:00") == []
    assert numbers(applied, until="9999-12-31") == [1, 2]  # the end of time: no bound
    created = applied.get(f"{API}/versions").json()["items"][0]["created_at"]
    assert dt.datetime.fromisoformat(created).utcoffset() == dt.timedelta(0)


def test_a_bad_date_is_a_422_naming_the_parameter(applied: TestClient) -> None:
    body = assert_problem(applied.get(f"{API}/versions", params={"until": "last week"}), 422)
    assert body["errors"][0]["path"] == "query.until"
    assert "not an ISO 8601 date" in body["errors"][0]["message"]


def test_the_version_schema_is_the_stores(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "VersionOut" not in schemas
    listed = schemas["VersionList"]["properties"]["items"]["items"]["$ref"]
    info = schemas[listed.rsplit("/", 1)[-1]]
    assert set(info["properties"]) >= {"number", "created_at", "author", "reason", "deletes"}
    assert info["properties"]["created_at"]["format"] == "date-time"
    assert "who, when (UTC)" in info.get("description", "")
    parameters = client.get("/openapi.json").json()["paths"][f"{API}/versions"]["get"]
    assert {p["name"] for p in parameters["parameters"]} == {"since", "until", "author"}


def test_a_plan_carries_the_warnings(client: TestClient, site_text: str) -> None:
    unlinked = "\n".join(line for line in site_text.splitlines() if "L-SW1-GNB2" not in line)
    response = client.post(f"{API}/plan", content=unlinked, headers=YAML)
    assert response.status_code == 200, response.text
    warnings = response.json()["plan"]["warnings"]
    assert [w["path"] for w in warnings] == ["gnbs[GNB2]"]
    assert "gNB GNB2 has no link" in warnings[0]["message"]
    applied = client.post(f"{API}/apply", content=site_text, headers=YAML)
    assert applied.json()["plan"]["warnings"] == []
