"""The `openipn` command line: one Typer app composing the command groups."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from openipn import __version__
from openipn.cli import (
    discovered,
    ingest,
    inventory,
    kpi,
    network,
    run,
    serve,
    sims,
    topology,
    twin,
    versions,
)
from openipn.cli.context import CliContext
from openipn.settings import Settings

app = typer.Typer(
    name="openipn",
    help="OpenIPN: manage an industrial 5G standalone non-public network.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"openipn {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(envvar="OPENIPN_DATA_DIR", help="Data directory [default: ./data]"),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(envvar="OPENIPN_DATABASE_URL", help="SQLAlchemy URL (PostgreSQL)")
    ] = None,
    author: Annotated[
        str | None, typer.Option(envvar="OPENIPN_AUTHOR", help="Who is making changes")
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit"
        ),
    ] = False,
) -> None:
    """Settings for every command come from these options or OPENIPN_* variables."""
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    if author is not None:
        overrides["author"] = author
    context = CliContext(Settings(**overrides))  # type: ignore[arg-type]
    ctx.obj = context
    ctx.call_on_close(context.close)


for command in (
    network.init,
    network.validate,
    network.plan,
    network.apply,
    network.export,
    network.restore,
    serve.serve,
    run.run,
    twin.twin,
    discovered.discovered,
):
    app.command()(command)
app.add_typer(inventory.app, name="inventory")
app.add_typer(sims.app, name="sims")
app.add_typer(versions.app, name="versions")
app.add_typer(topology.app, name="topology")
app.add_typer(ingest.app, name="ingest")
app.add_typer(kpi.app, name="kpi")


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
