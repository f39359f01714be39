"""`openipn sims`: bulk import and export of subscriptions (SIMs) as CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from openipn.cli.context import cli_context
from openipn.cli.output import console, errors, fail, handle_errors, progress_bar
from openipn.secure.secrets import SecretBox
from openipn.store.sim_csv import export_sims, import_sims

app = typer.Typer(help="Bulk SIM lifecycle: CSV import and export.", no_args_is_help=True)

MAX_ERRORS_SHOWN = 200


@app.command("import")
@handle_errors
def import_command(
    ctx: typer.Context,
    csv_file: Annotated[
        Path, typer.Argument(help="CSV: imsi, iccid, k, op|opc, amf, profile, imei")
    ],
    update: Annotated[bool, typer.Option("--update", help="Replace existing SUPIs")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only")] = False,
    reason: Annotated[str, typer.Option("--reason", "-m")] = "",
) -> None:
    """Validate every row, then import all rows in one version (or none)."""
    context = cli_context(ctx)
    with progress_bar() as progress:
        task = progress.add_task("importing SIMs", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = import_sims(
            context.services(),
            csv_file,
            update=update,
            dry_run=dry_run,
            author=context.settings.author,
            reason=reason or f"import {csv_file.name}",
            progress=report,
        )
    if result.errors:
        errors.print(f"[bold red]error:[/] {len(result.errors)} row error(s); nothing imported")
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            errors.print(f"  {error}", markup=False, soft_wrap=True)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            errors.print(f"  ... and {len(result.errors) - MAX_ERRORS_SHOWN} more")
        raise typer.Exit(code=1)
    console.print(
        f"{result.rows} rows: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )
    if result.version is not None:
        console.print(f"applied as version {result.version}")
    elif dry_run:
        console.print("dry run: nothing was changed")


@app.command("export")
@handle_errors
def export_command(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
    with_secrets: Annotated[bool, typer.Option(help="Include K and OPc (audited)")] = False,
    key_file: Annotated[Path | None, typer.Option(help="Key file, required with secrets")] = None,
) -> None:
    """Write subscriptions as CSV (without K/OPc unless explicitly asked)."""
    context = cli_context(ctx)
    box = None
    if with_secrets:
        if key_file is None:
            raise fail("--with-secrets needs --key-file (the key that sealed the secrets)")
        box = SecretBox.from_key_file(key_file)
    if output is None:
        export_sims(
            context.services(),
            sys.stdout,
            with_secrets=with_secrets,
            box=box,
            actor=context.settings.author,
        )
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        count = export_sims(
            context.services(),
            handle,
            with_secrets=with_secrets,
            box=box,
            actor=context.settings.author,
        )
    console.print(f"wrote {count} subscriptions to {output}")
