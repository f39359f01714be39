"""`openipn serve`: the REST API (and, later, the collectors and console)."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from openipn.api import create_app
from openipn.cli.context import cli_context
from openipn.cli.output import console, handle_errors
from openipn.runtime import build_runtime


@handle_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port [default: 8080]")] = None,
) -> None:
    """Serve the REST API (docs at /docs)."""
    context = cli_context(ctx)
    services = context.services()
    host = host or context.settings.host
    port = port or context.settings.port
    console.print(f"OpenIPN API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    runtime = build_runtime(services)
    if runtime.ves is not None:
        console.print(f"VES collector on http://{host}:{port}/eventListener/v7")
    uvicorn.run(create_app(services, runtime), host=host, port=port, log_level="info")
