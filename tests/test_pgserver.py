"""Tests for the test-suite database backends (SQLite and the PostgreSQL test server)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


def test_roundtrip(database_url: str) -> None:
    """A table can be created, written and read back on every backend."""
    engine = sa.create_engine(database_url)
    try:
        metadata = sa.MetaData()
        items = sa.Table(
            "items",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(items), [{"name": "gNB-1"}, {"name": "UPF-1"}])
        with engine.connect() as conn:
            names = conn.execute(sa.select(items.c.name).order_by(items.c.id)).scalars().all()
        assert names == ["gNB-1", "UPF-1"]
    finally:
        engine.dispose()


def test_each_test_gets_a_clean_database(database_url: str) -> None:
    """No table created by another test is visible."""
    engine = sa.create_engine(database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_url_points_at_postgresql(database_url: str) -> None:
    """The ``postgresql`` variant really talks to a PostgreSQL server."""
    assert database_url.startswith("postgresql+psycopg://")
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("select version()")).scalar_one()
        assert "PostgreSQL" in version
    finally:
        engine.dispose()
