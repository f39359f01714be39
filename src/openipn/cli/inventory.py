"""`openipn inventory`: list and show model objects."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from openipn.cli.context import cli_context
from openipn.cli.output import as_cell, console, fail, handle_errors
from openipn.model.kinds import KINDS, kind_spec
from openipn.model.suggest import did_you_mean
from openipn.store.queries import get_object, list_objects, object_names

app = typer.Typer(help="List and show objects of the network model.", no_args_is_help=True)

KIND_HELP = "Kind: " + ", ".join(spec.kind for spec in KINDS if not spec.singleton)

# Columns shown per kind (the full object is one `inventory show` away).
COLUMNS: dict[str, tuple[str, ...]] = {
    "cell": (
        "name",
        "gnb",
        "cell_local_id",
        "pci",
        "tac",
        "arfcn_dl",
        "bandwidth_mhz",
        "tx_power_dbm",
        "area",
        "administrative_state",
    ),
    "gnb": ("name", "managed_element", "gnb_id", "gnb_id_length", "area"),
    "managed_element": ("name", "role", "vendor", "model", "software_version", "serial"),
    "link": ("name", "a", "b", "capacity_mbps", "latency_us", "redundancy_group"),
    "terminal": ("name", "type", "imei", "supi", "owner", "expected_area", "application"),
    "subscription": ("supi", "iccid", "profile", "imei", "auth_method", "amf"),
    "slice": ("name", "sst", "sd", "sla"),
    "application": ("name", "class", "slice", "edge_node", "latency_budget_ms", "areas"),
    "upf": ("name", "role", "dnns", "slices", "n3_address"),
}


def _parse_filters(filters: list[str]) -> dict[str, str]:
    parsed = {}
    for item in filters:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise fail(f"--filter {item!r} is not FIELD=VALUE")
        parsed[field.strip()] = value.strip()
    return parsed


@app.command("list")
@handle_errors
def list_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", "-f", help="FIELD=VALUE (repeatable)")
    ] = None,
    page: Annotated[int, typer.Option(min=1)] = 1,
    page_size: Annotated[int, typer.Option(min=1, max=10_000)] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """List objects of one kind, optionally filtered (e.g. --filter gnb=WS1-GNB01)."""
    spec = kind_spec(kind)
    engine = cli_context(ctx).services().engine
    result = list_objects(
        engine, spec.kind, filters=_parse_filters(filter_ or []), page=page, page_size=page_size
    )
    if as_json:
        for item in result.items:
            typer.echo(json.dumps(item, sort_keys=True))
        return
    columns = COLUMNS.get(spec.kind) or tuple(spec.model.model_fields)[:7]
    table = Table(*columns, title=f"{spec.section}: {result.total} (page {page})")
    for item in result.items:
        table.add_row(*(as_cell(item.get(column)) for column in columns))
    console.print(table)


@app.command("show")
@handle_errors
def show_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=KIND_HELP)],
    name: Annotated[str, typer.Argument(help="Name (SUPI for subscriptions)")],
) -> None:
    """Show one object as JSON."""
    spec = kind_spec(kind)
    engine = cli_context(ctx).services().engine
    item = get_object(engine, spec.kind, name)
    if item is None:
        raise fail(f"no {spec.kind} named {name!r}{did_you_mean(name, object_names(engine, kind))}")
    typer.echo(json.dumps(item, indent=2, sort_keys=True))
