"""`openipn ingest pm FILE…`: load PM files into the time-series store, each file once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from openipn.app import NotInitialisedError
from openipn.cli.context import CliContext
from openipn.cli.output import console, errors, fail, progress_bar
from openipn.collect.identity import ObjectIdentity
from openipn.collect.pm_intake import IngestResult, Outcome, PmIntake
from openipn.collect.pm_source import IntakeLimits
from openipn.collect.pm_watch import PmDirs, is_candidate
from openipn.settings import Settings

app = typer.Typer(help="Load collected data into the time-series store.", no_args_is_help=True)


@app.callback()
def ingest() -> None:
    """Load collected data (PM files) into the time-series store."""


def _context(ctx: typer.Context) -> CliContext:
    """The root command's context; the environment's (closed with it) when run on its own."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliContext):
        root.obj = CliContext(Settings())
        root.call_on_close(root.obj.close)
    return root.obj


def _identity(context: CliContext) -> ObjectIdentity | None:
    """The model's resolver when a model store is set up; without one, DNs are kept as seen."""
    try:
        return context.services().identity
    except NotInitialisedError:
        errors.print(
            "no network model (run 'openipn init'): DNs are stored as the files write them"
        )
        return None


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the finished PM files of each directory (sorted, not recursive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.iterdir()) if p.is_file() and is_candidate(p.name))
        elif path.is_file():
            found.append(path)
        else:
            raise fail(f"{path}: no such file or directory")
    return found


def _show(result: IngestResult) -> None:
    """One file's outcome, and its conflicts, on the terminal."""
    for c in result.conflicts:
        errors.print(
            f"{result.name}: conflict {c.object} {c.measurement}"
            f" {c.start.isoformat()}/{c.seconds}s: {c.refused} refused, {c.kept} kept",
            markup=False,
            soft_wrap=True,
        )
    if result.outcome is Outcome.STORED:
        console.print(f"{result.name}: stored {result.rows} values", markup=False)
    elif result.outcome is Outcome.DUPLICATE:
        console.print(f"{result.name}: duplicate (already stored)", markup=False)
    else:
        errors.print(
            f"{result.name}: quarantined as {result.quarantined_as}: {result.reason}",
            markup=False,
            soft_wrap=True,
        )


def _summary(paths: int, results: list[IngestResult]) -> None:
    counts = {outcome: sum(r.outcome is outcome for r in results) for outcome in Outcome}
    summary = ", ".join(f"{count} {outcome}" for outcome, count in counts.items())
    rows = sum(r.rows for r in results)
    console.print(f"{paths} file(s): {summary}; {rows} values stored", markup=False)
    discovered = sum(r.discovered for r in results)
    if discovered:
        console.print(
            f"{discovered} object(s) are not in the site model: stored as seen and listed by "
            "'openipn discovered'",
            markup=False,
        )


@app.command("pm")
def pm_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="PM files (.xml, .gz) or directories")],
    workers: Annotated[
        int | None, typer.Option(help="Parser processes [default: OPENIPN_PM_WORKERS]")
    ] = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="Where bad files are moved [default: <data>/pm/quarantine]")
    ] = None,
) -> None:
    """Ingest TS 32.435 / TS 28.532 PM files; bad ones are copied to quarantine with a reason."""
    context = _context(ctx)
    settings = context.settings
    paths = expand(files)
    identity = _identity(context)
    telemetry = context.telemetry()
    intake = PmIntake(
        telemetry.store(),
        quarantine or PmDirs.under(settings.data_dir, None, settings.pm_quarantine_dir).quarantine,
        workers=settings.pm_workers if workers is None else workers,
        opener=telemetry.opener(),
        limits=IntakeLimits(settings.pm_max_bytes, settings.pm_clock_tolerance_s),
        identity=identity,
    )
    results: list[IngestResult] = []
    try:
        with progress_bar() as progress:
            task = progress.add_task("ingesting PM files", total=len(paths))
            for result in intake.ingest_files(paths, move_bad=False):
                results.append(dataclasses.replace(result, objects=(), measurements=()))
                progress.advance(task)
                _show(result)
    finally:
        intake.close()
    _summary(len(paths), results)
    if any(r.outcome is Outcome.QUARANTINED for r in results):
        raise typer.Exit(code=1)
