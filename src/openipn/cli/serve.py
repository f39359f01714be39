"""`openipn serve`: the REST API (and, later, the collectors and console)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from uvicorn.config import LOGGING_CONFIG

from openipn.api import create_app
from openipn.cli.context import cli_context
from openipn.cli.output import console, handle_errors
from openipn.runtime import build_runtime

ACCESS_LOG_FORMAT = '%(asctime)s %(client_addr)s "%(request_line)s" %(status_code)s'


def access_log_config(access_log: Path) -> dict[str, Any]:
    """uvicorn's logging, with the HTTP access log appended to ``access_log`` (not the terminal)."""
    access_log.parent.mkdir(parents=True, exist_ok=True)
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"] = {
        "()": "uvicorn.logging.AccessFormatter",
        "fmt": ACCESS_LOG_FORMAT,
        "use_colors": False,
    }
    config["handlers"]["access"] = {
        "formatter": "access",
        "class": "logging.handlers.WatchedFileHandler",  # logrotate may move it
        "filename": str(access_log),
        "encoding": "utf-8",
    }
    return config


@handle_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port [default: 8080]")] = None,
    access_log: Annotated[
        Path | None,
        typer.Option(help="HTTP access log file [default: <data dir>/logs/access.log]"),
    ] = None,
) -> None:
    """Serve the REST API (docs at /docs); HTTP access lines go to a log file."""
    context = cli_context(ctx)
    services = context.services()
    host = host or context.settings.host
    port = port or context.settings.port
    access_log = access_log or context.settings.data_dir / "logs" / "access.log"
    console.print(f"OpenIPN API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    runtime = build_runtime(services)
    if runtime.ves is not None:
        console.print(f"VES collector on http://{host}:{port}/eventListener/v7")
    console.print(f"HTTP access log: {access_log}")
    uvicorn.run(
        create_app(services, runtime),
        host=host,
        port=port,
        log_level="info",
        log_config=access_log_config(access_log),
    )
