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
