"""The Alembic migrations build exactly the schema the models declare, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from openipn.store.db import is_initialised, make_engine, migrate
from openipn.store.schema import Base


def test_migrations_match_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert not is_initialised(engine)
        migrate(engine)
        migrate(engine)  # idempotent
        assert is_initialised(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
        assert {"inventory_objects", "versions", "version_changes", "audit_log"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "wal"
    finally:
        engine.dispose()
