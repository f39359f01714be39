"""Composition root: settings -> engine -> secret box -> services. Nothing is built at import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from openipn.secure.secrets import SecretBox, create_key_file
from openipn.settings import Settings
from openipn.store.db import is_initialised, make_engine, migrate
from openipn.store.inventory import Inventory


class NotInitialisedError(RuntimeError):
    """The data directory or database has not been set up with `openipn init`."""


@dataclass
class Services:
    """Everything a command or the API needs, built once."""

    settings: Settings
    engine: Engine
    box: SecretBox
    inventory: Inventory

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def initialise(settings: Settings) -> list[str]:
    """Create the data directory, the secrets key (if missing) and the schema; say what was done."""
    done: list[str] = []
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key_file = settings.resolved_key_file
    if not key_file.exists():
        create_key_file(key_file)
        done.append(f"created secrets key {key_file}")
    engine = make_engine(settings.resolved_database_url)
    try:
        fresh = not is_initialised(engine)
        migrate(engine)
        done.append("created database schema" if fresh else "database schema is up to date")
    finally:
        engine.dispose()
    return done


def build_services(settings: Settings) -> Services:
    """Open the store; raise NotInitialisedError with the fix when it is not set up."""
    key_file = settings.resolved_key_file
    if not key_file.exists():
        raise NotInitialisedError(f"secrets key {key_file} not found; run 'openipn init' first")
    engine = make_engine(settings.resolved_database_url)
    if not is_initialised(engine):
        engine.dispose()
        raise NotInitialisedError("database has no OpenIPN schema; run 'openipn init' first")
    migrate(engine)
    box = SecretBox.from_key_file(key_file)
    return Services(settings, engine, box, Inventory(engine=engine, box=box))
