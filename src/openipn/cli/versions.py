"""`openipn versions`: the applied versions (by date and author) and the diff between two."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

import typer
from rich.table import Table

from openipn.cli.context import cli_context
from openipn.cli.output import OP_STYLE, console, handle_errors
from openipn.store.changes import Change, ChangeOp, FieldChange, show_value
from openipn.store.versions import VersionInfo, VersionQuery

app = typer.Typer(
    help="List the applied versions (filters: --since, --until, --author); diff two of them.",
    invoke_without_command=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
MARK = {ChangeOp.CREATE: "+", ChangeOp.UPDATE: "~", ChangeOp.DELETE: "-"}


@app.callback()
@handle_errors
def versions(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="Only versions from this UTC date or date-time on.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only versions up to this UTC date (whole day) or time.")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Only versions by this author.")] = None,
    as_json: Json = False,
) -> None:
    """List the applied versions with who, when (UTC) and why, oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    query = VersionQuery.parse(since, until, author)
    infos = cli_context(ctx).services().inventory.versions(query)
    if as_json:
        typer.echo(json.dumps([version_json(info) for info in infos], indent=2))
        return
    console.print(version_table(infos))


def version_json(info: VersionInfo) -> dict[str, Any]:
    """A version as JSON (its time in ISO 8601, UTC)."""
    return dataclasses.asdict(info) | {"created_at": info.created_at.isoformat()}


def version_table(infos: list[VersionInfo]) -> Table:
    """The versions as a table, one row each."""
    table = Table("version", "when (UTC)", "author", "source", "+", "~", "-", "reason")
    for info in infos:
        reason = info.reason + (f" (from {info.restored_from})" if info.restored_from else "")
        table.add_row(
            str(info.number),
            info.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            info.author,
            info.source,
            str(info.creates),
            str(info.updates),
            str(info.deletes),
            reason,
        )
    return table


@app.command("diff")
@handle_errors
def diff(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(help="The earlier version (0: the empty network).")],
    new: Annotated[int, typer.Argument(help="The later version.")],
    as_json: Json = False,
) -> None:
    """What changed from version OLD to version NEW, object by object and attribute."""
    plan = cli_context(ctx).services().inventory.diff(old, new)
    if as_json:
        typer.echo(json.dumps({"from": old, "to": new, **plan.as_dict()}, indent=2))
        return
    for change in plan.changes:
        print_change(change)
    console.print(f"version {old} -> {new}: {plan.summary()}" if not plan.empty else "no changes")


def print_change(change: Change) -> None:
    """An object's line, then one line per attribute: `  field: before -> after`."""
    style = OP_STYLE[change.op]
    console.print(f"{MARK[change.op]} {change.kind} {change.name}", style=style, markup=False)
    for field in change.fields:
        console.print(f"    {describe_field(change.op, field)}", markup=False, soft_wrap=True)


def describe_field(op: ChangeOp, field: FieldChange) -> str:
    """`pci: 12 -> 11`; a created object shows only the new value, a deleted one the old."""
    if op == ChangeOp.CREATE:
        return f"{field.field}: {show_value(field.new)}"
    if op == ChangeOp.DELETE:
        return f"{field.field}: {show_value(field.old)}"
    return f"{field.field}: {show_value(field.old)} -> {show_value(field.new)}"
