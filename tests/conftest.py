"""Shared pytest fixtures.

Database tests use the ``database_url`` fixture, which runs each test twice: once
against an SQLite file and once against a fresh database on a PostgreSQL server
that the test suite starts itself (see ``pgserver.py``). Set
``OPENIPN_TEST_SKIP_POSTGRES=1`` to skip the PostgreSQL variants.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from openipn.app import Services, build_services, initialise
from openipn.settings import Settings
from pgserver import PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole test session (per xdist worker)."""
    if os.environ.get("OPENIPN_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL tests disabled by OPENIPN_TEST_SKIP_POSTGRES=1")
    # No try/except here: if the server cannot start, the tests must fail, not skip.
    with PostgresServer() as server:
        yield server


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of an empty SQLite database file (the embedded default backend)."""
    return f"sqlite:///{tmp_path}/openipn.db"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database, for each supported backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/openipn.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


MINIMAL_SITE = Path(__file__).with_name("site_minimal.yaml")


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    """An initialised, empty store (both backends) with its own data directory and key."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, author="tester")
    initialise(settings)
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def minimal_site_text() -> str:
    """A small valid site file: one gNB with two cells, one UPF, one slice, one SIM."""
    return MINIMAL_SITE.read_text(encoding="utf-8")
