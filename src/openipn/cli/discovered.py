"""`openipn discovered`: objects seen on the wire that the site file does not name yet."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from openipn.cli.context import cli_context
from openipn.cli.output import console, handle_errors


@handle_errors
def discovered(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option(help="Only objects seen by pm-file, ves or prometheus")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """List unmodelled objects with source, first/last seen and their counters or alarms."""
    services = cli_context(ctx).services()
    page = services.identity.book.page(source=source, limit=limit)
    resolver = services.identity.resolver()
    if as_json:
        for item in page.items:
            ref = resolver.resolve(item.dn).ref
            record = {
                "dn": item.dn, "source": item.source, "first_seen": item.first_seen.isoformat(),
                "last_seen": item.last_seen.isoformat(), "names": list(item.names),
                "sightings": item.sightings, "now_modelled_as": str(ref) if ref else None,
            }  # fmt: skip
            typer.echo(json.dumps(record, sort_keys=True))
        return
    table = Table("dn", "source", "first seen", "last seen", "counters / alarms", "now modelled as")
    for item in page.items:
        ref = resolver.resolve(item.dn).ref
        names = ", ".join(item.names[:5]) + (" …" if len(item.names) > 5 else "")
        first, last = (t.isoformat(timespec="seconds") for t in (item.first_seen, item.last_seen))
        table.add_row(item.dn, item.source, first, last, names, str(ref or "-"))
    console.print(table)
    shown = len(page.items)
    console.print(f"{shown} of {page.total} discovered objects; add them to the site file to "
                  "manage them (managed_elements[].naming lines up a vendor's DNs)")  # fmt: skip
