"""Alembic environment: runs migrations on the engine handed in by openipn.store.db."""

from __future__ import annotations

from alembic import context

from openipn.store.schema import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    context.run_migrations()
