"""`openipn kpi`: the TS 28.554 KPI catalogue and KPI series from the telemetry store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from openipn.assure.kpi_catalog import KPIS
from openipn.assure.kpi_views import DEFAULT_SPAN, OBJECT_HELP, kpi_entry, result_body
from openipn.assure.kpis import Granularity, KpiError, compute, kpi_by_name
from openipn.assure.lookup import find_scope
from openipn.cli.context import cli_context
from openipn.cli.output import as_cell, console, fail, handle_errors
from openipn.model.document import SiteDocument
from openipn.model.times import utc
from openipn.sitefile import check_site_text

app = typer.Typer(help="TS 28.554 KPIs computed from stored counters.", no_args_is_help=True)

OPTION_OF = {"name": "NAME", "object": "--object", "from": "--from", "to": "--to"}


@app.command("catalog")
@handle_errors
def catalog(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table")] = False,
) -> None:
    """List the KPIs: formula, unit, objects, clause and tag ([V] checked, [K] from memory)."""
    if as_json:
        for kpi in KPIS:
            typer.echo(json.dumps(kpi_entry(kpi), sort_keys=True))
        return
    table = Table(
        Column("name", no_wrap=True), "title", "unit", "objects", "tag", "clause", "formula"
    )
    for kpi in KPIS:
        entry = kpi_entry(kpi)
        table.add_row(*(as_cell(entry[c]) for c in ("name", "title", "unit", "objects", "tag")),
                      kpi.clause, kpi.formula)  # fmt: skip
    console.print(table)


def _when(text: str | None, option: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return utc(dt.datetime.fromisoformat(text))
    except ValueError:
        raise fail(f"{option}: {text!r} is not an ISO 8601 time (e.g. 2026-03-02T10:00Z)") from None


def _site(ctx: typer.Context, site: Path | None) -> SiteDocument:
    if site is not None:
        document, _ = check_site_text(site.read_text(encoding="utf-8"), source=str(site))
        return document
    return cli_context(ctx).services().identity.document()


@app.command("show")
@handle_errors
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="KPI name (see 'openipn kpi catalog')")],
    obj: Annotated[str, typer.Option("--object", help=OBJECT_HELP)] = "site",
    start: Annotated[
        str | None, typer.Option("--from", help="Start, ISO 8601 [default: to − 24 h]")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (exclusive) [default: now]")] = None,
    granularity: Annotated[Granularity, typer.Option(help="Bucket size")] = Granularity.HOUR,
    site: Annotated[
        Path | None, typer.Option(help="Resolve objects in this site file, not the store")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
) -> None:
    """A KPI per time bucket for an object, with the counter totals behind each value."""
    hi = _when(end, "--to") or dt.datetime.now(dt.UTC)
    lo = _when(start, "--from") or hi - DEFAULT_SPAN
    telemetry = cli_context(ctx).telemetry()
    if not telemetry.exists():
        raise fail(f"no telemetry store at {telemetry.root}; nothing has been collected yet")
    store = telemetry.store()
    try:
        kpi = kpi_by_name(name)
        scope = find_scope(_site(ctx, site), store, obj)  # the model's, or as stored
        result = compute(store, kpi, scope, lo, hi, granularity)
    except KpiError as exc:
        raise fail(f"{OPTION_OF.get(exc.parameter, exc.parameter)}: {exc}") from None
    if as_json:
        typer.echo(json.dumps(result_body(result), indent=2))
        return
    table = Table("bucket start (UTC)", f"{kpi.name} [{kpi.unit.value}]", "inputs",
                  title=f"{kpi.title}, {result.object}")  # fmt: skip
    for row in result.rows:
        value = "—" if row.value is None else f"{row.value:.6g}"
        value += "" if row.complete else " (incomplete)"
        table.add_row(row.bucket_start.strftime("%Y-%m-%d %H:%M"), value, as_cell(row.inputs))
    console.print(table)
