"""`openipn run`: the platform and the twin of its stored network, as one supervised job."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from openipn.cli.context import cli_context
from openipn.cli.network import NewSecretsKey
from openipn.cli.output import fail, handle_errors
from openipn.livejob.guard import RunRefusedError
from openipn.livejob.supervise import Run, RunOptions, stop_on_signals
from openipn.livejob.terminal import RunOutput
from openipn.twin.scenario import parse_duration


@handle_errors
def run(
    ctx: typer.Context,
    site: Annotated[
        Path, typer.Option(help="Example network, applied only to an empty store")
    ] = Path("examples/plant.yaml"),
    scenario: Annotated[
        str, typer.Option(help="Twin scenario file (faults, load), or 'none' for a healthy plant")
    ] = "scenarios/live-plant.yaml",
    host: Annotated[str | None, typer.Option(help="Listen address [default: 127.0.0.1]")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Listen port [default: 8080]")
    ] = None,
    catch_up: Annotated[
        str, typer.Option(help="How far back the twin starts (e.g. 2h, 0s)")
    ] = "2h",
    speed: Annotated[str, typer.Option(help="Twin speed while it catches up")] = "60",
    status_every: Annotated[
        float, typer.Option(min=0.5, help="Seconds between status lines on a terminal")
    ] = 5.0,
    new_secrets_key: NewSecretsKey = False,
) -> None:
    """Serve the stored network with its twin feeding it (the example only on an empty store)."""
    settings = cli_context(ctx).settings
    options = RunOptions(
        example=site,
        scenario=None if scenario.lower() == "none" else Path(scenario),
        host=host or settings.host,
        port=settings.port if port is None else port,
        catch_up=parse_duration(catch_up),
        speed=speed,
        status_every_s=status_every,
        new_secrets_key=new_secrets_key,
    )
    job = Run(settings, options, RunOutput(sys.stdout))
    stop_on_signals(job)
    try:
        code = job.execute()
    except RunRefusedError as exc:
        raise fail(f"refused: {exc}") from None
    raise typer.Exit(code=code)
