"""Helpers shared by the API tests (imported by name: tests have no packages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SITE_FILE = Path(__file__).with_name("site_fixture.yaml")
YAML = {"content-type": "application/yaml"}
API = "/api/v1"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with the given status; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://openipn.dev/problems/")
    assert body["title"] and body["detail"]
    assert body["instance"] == response.request.url.path
    assert "Traceback" not in response.text
    return body
