"""The per-invocation context: settings from options/environment, services built on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from openipn.app import LazyTelemetry, Services, build_services
from openipn.settings import Settings


@dataclass
class CliContext:
    """Settings plus lazily built services (so `--help` never touches the database)."""

    settings: Settings
    _services: Services | None = field(default=None, repr=False)
    _telemetry: LazyTelemetry | None = field(default=None, repr=False)

    def telemetry(self) -> LazyTelemetry:
        """The time-series store, also without a model store; the services hold the same one."""
        if self._telemetry is None:
            self._telemetry = LazyTelemetry(self.settings.telemetry_dir)
        return self._telemetry

    def services(self) -> Services:
        """Open the store (once per invocation)."""
        if self._services is None:
            self._services = build_services(self.settings, self.telemetry())
        return self._services

    def close(self) -> None:
        """Release the stores."""
        if self._services is not None:
            self._services.close()
        if self._telemetry is not None:
            self._telemetry.close()


def cli_context(ctx: typer.Context) -> CliContext:
    """The CliContext stored by the root callback."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext)
    return obj
