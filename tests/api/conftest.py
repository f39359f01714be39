"""Fixtures for API tests: a fresh store per test on each backend, and a TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import SITE_FILE, YAML
from fastapi.testclient import TestClient

from openipn.api import create_app
from openipn.app import Services, build_services, initialise
from openipn.runtime import build_runtime
from openipn.settings import Settings


@pytest.fixture
def site_text() -> str:
    """A small valid site: 2 gNBs, 9 cells, a transport tree, 2 subscriptions with secrets."""
    return SITE_FILE.read_text(encoding="utf-8")


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """A client of the API; server errors come back as responses, as in production."""
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def applied(client: TestClient, site_text: str) -> TestClient:
    """A client whose store holds the fixture site as version 1."""
    response = client.post("/api/v1/apply", content=site_text, headers=YAML)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 1
    return client


@pytest.fixture
def open_ves(tmp_path: Path) -> Iterator[TestClient]:
    """A server whose VES listener takes events without credentials (SQLite)."""
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path}/openipn.db",
        author="tester",
        ves_auth="none",
    )
    initialise(settings)
    services = build_services(settings)
    try:
        app = create_app(services, build_runtime(services))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        services.close()


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The OpenAPI document the app serves."""
    root = tmp_path_factory.mktemp("document")
    settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root}/o.db")
    initialise(settings)
    services = build_services(settings)
    try:
        yield create_app(services).openapi()
    finally:
        services.close()
