"""One composition root: the services hold the time-series store, opened when used, closed once."""

from __future__ import annotations

from pathlib import Path

from openipn.app import build_services, initialise
from openipn.cli.context import CliContext
from openipn.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/m.db")
    initialise(settings)
    return settings


def test_services_open_the_telemetry_store_on_first_use_and_close_it(tmp_path: Path) -> None:
    """Building services touches no telemetry; the store is one object until they close."""
    settings = _settings(tmp_path)
    services = build_services(settings)
    assert not services.telemetry.exists()  # nothing opened (nor created) yet
    store = services.telemetry.store()
    assert services.telemetry.exists() and services.telemetry.store() is store
    services.close()
    reopened = services.telemetry.store()  # a new store after close, never the closed one
    assert reopened is not store
    services.close()


def test_the_cli_context_gives_one_store_with_or_without_services(tmp_path: Path) -> None:
    """A command that needs no model store reads the same store the services then hold."""
    context = CliContext(_settings(tmp_path))
    store = context.telemetry().store()
    assert context.services().telemetry.store() is store
    context.close()
    assert context.telemetry().store() is not store
    context.close()
