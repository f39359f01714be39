"""Composition root: settings -> engine -> secret box -> services. Nothing is built at import."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from openipn.collect.identity import ObjectIdentity
from openipn.secure.secrets import SecretBox, SecretError, check_new_key_allowed, create_key_file
from openipn.settings import Settings
from openipn.store.db import is_initialised, make_engine, migrate
from openipn.store.inventory import Inventory
from openipn.store.queries import sealing_key_ids
from openipn.store.telemetry.api import TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store


class NotInitialisedError(RuntimeError):
    """The data directory or database has not been set up with `openipn init`."""


class LazyTelemetry:
    """The time-series store of a data directory, opened on first use and closed once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._store: TelemetryStore | None = None

    def exists(self) -> bool:
        """True when something has been collected (the store's directory is there)."""
        return self.root.is_dir()

    def store(self) -> TelemetryStore:
        """The store, opened (and created if missing) the first time it is asked for."""
        if self._store is None:
            self._store = open_telemetry_store(self.root)
        return self._store

    def opener(self) -> Callable[[], TelemetryStore]:
        """A function opening the same store again, for worker processes."""
        return functools.partial(open_telemetry_store, self.root)

    def close(self) -> None:
        """Release the store if it was opened."""
        if self._store is not None:
            store, self._store = self._store, None
            store.close()


@dataclass
class Services:
    """Everything a command or the API needs, built once."""

    settings: Settings
    engine: Engine
    box: SecretBox
    inventory: Inventory
    identity: ObjectIdentity  # the model's resolver and the discovered objects
    telemetry: LazyTelemetry = field(repr=False)  # the time-series store, opened when used

    def close(self) -> None:
        """Release the time-series store and the database connections."""
        self.telemetry.close()
        self.engine.dispose()


def initialise(settings: Settings, *, new_key_for_existing_database: bool = False) -> list[str]:
    """Create the data directory, the secrets key (if missing) and the schema; say what was done.

    A missing key beside an existing database is refused before anything is changed, unless
    ``new_key_for_existing_database`` (never when it holds sealed credentials).
    """
    done: list[str] = []
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key_file = settings.resolved_key_file
    engine = make_engine(settings.resolved_database_url)
    try:
        fresh = not is_initialised(engine)
        if not key_file.exists() and not fresh:
            _refuse_new_key(engine, key_file, start_over=new_key_for_existing_database)
        migrate(engine)
        done.append("created database schema" if fresh else "database schema is up to date")
        if not key_file.exists():
            create_key_file(key_file)
            done.append(f"created secrets key {key_file}")
        _check_key_matches(engine, key_file)
    finally:
        engine.dispose()
    return done


def _refuse_new_key(engine: Engine, key_file: Path, *, start_over: bool) -> None:
    """A new key beside an existing database: stop and say the way out (secure/secrets.py)."""
    try:
        check_new_key_allowed(
            key_file,
            database=engine.url.render_as_string(hide_password=True),
            sealed_key_ids=sealing_key_ids(engine),
            start_over=start_over,
        )
    except SecretError as exc:
        raise NotInitialisedError(str(exc)) from None


def _check_key_matches(engine: Engine, key_file: Path) -> None:
    """The key file must be the one that sealed the stored credentials."""
    box = SecretBox.from_key_file(key_file)
    others = sealing_key_ids(engine) - {box.key_id}
    if others:
        raise NotInitialisedError(
            f"secrets key {key_file} (id {box.key_id}) did not seal the stored credentials "
            f"(key id {', '.join(sorted(others))}); use the key file that did"
        )


def build_services(settings: Settings, telemetry: LazyTelemetry | None = None) -> Services:
    """Open the store; raise NotInitialisedError with the fix when it is not set up.

    `telemetry`: the time-series store to hold (a command may have opened it without a model
    store); by default the settings' one, opened when first used.
    """
    key_file = settings.resolved_key_file
    if not key_file.exists():
        raise NotInitialisedError(f"secrets key {key_file} not found; run 'openipn init' first")
    engine = make_engine(settings.resolved_database_url)
    if not is_initialised(engine):
        engine.dispose()
        raise NotInitialisedError("database has no OpenIPN schema; run 'openipn init' first")
    migrate(engine)
    box = SecretBox.from_key_file(key_file)
    inventory = Inventory(engine=engine, box=box)
    telemetry = telemetry or LazyTelemetry(settings.telemetry_dir)
    return Services(settings, engine, box, inventory, ObjectIdentity(engine), telemetry)
