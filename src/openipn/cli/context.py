"""The per-invocation context: settings from options/environment, services built on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from openipn.app import Services, build_services
from openipn.settings import Settings


@dataclass
class CliContext:
    """Settings plus lazily built services (so `--help` never touches the database)."""

    settings: Settings
    _services: Services | None = field(default=None, repr=False)

    def services(self) -> Services:
        """Open the store (once per invocation)."""
        if self._services is None:
            self._services = build_services(self.settings)
        return self._services

    def close(self) -> None:
        """Release the store."""
        if self._services is not None:
            self._services.close()


def cli_context(ctx: typer.Context) -> CliContext:
    """The CliContext stored by the root callback."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext)
    return obj
