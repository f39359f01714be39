"""`openipn topology`: graph queries over the stored transport topology."""

from __future__ import annotations

from typing import Annotated

import typer

from openipn.cli.context import cli_context
from openipn.cli.output import console, fail, handle_errors
from openipn.model.topology import behind, node_kind

app = typer.Typer(help="Graph queries over the transport topology.", no_args_is_help=True)


@app.command("behind")
@handle_errors
def behind_command(
    ctx: typer.Context,
    link: Annotated[str | None, typer.Option(help="A link that fails")] = None,
    node: Annotated[str | None, typer.Option(help="A node that fails")] = None,
) -> None:
    """What loses every path to the core when a link or node fails."""
    if (link is None) == (node is None):
        raise fail("give exactly one of --link or --node")
    document = cli_context(ctx).services().inventory.export()
    cut = sorted(behind(document, link=link, node=node))
    if not cut:
        console.print("nothing: every node still reaches the core")
        return
    for name in cut:
        console.print(f"{node_kind(name, document)} {name}", markup=False)
