"""Console output and error handling shared by the CLI commands."""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openipn.app import NotInitialisedError
from openipn.model.document import Issue, SiteFileError
from openipn.secure.secrets import SecretError
from openipn.store.changes import ChangeOp, Plan

P = ParamSpec("P")
R = TypeVar("R")


def _width() -> int | None:
    """Terminal width on a terminal; a wide page when piped (Rich would cut tables at 80)."""
    if sys.stdout.isatty():
        return None
    return int(os.environ.get("COLUMNS", "200"))


console = Console(highlight=False, width=_width())
errors = Console(stderr=True, highlight=False)

OP_STYLE = {ChangeOp.CREATE: "green", ChangeOp.UPDATE: "yellow", ChangeOp.DELETE: "red"}
USER_ERRORS = (NotInitialisedError, SecretError, KeyError, ValueError, FileNotFoundError)


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code=1)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into a clear message and exit code 1 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SiteFileError as exc:
            errors.print(f"[bold red]error:[/] {len(exc.issues)} problem(s); nothing was changed")
            for issue in exc.issues:
                errors.print(f"  {issue.path}: {issue.message}", soft_wrap=True, markup=False)
            raise typer.Exit(code=1) from None
        except USER_ERRORS as exc:
            text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            raise fail(str(text)) from None

    return wrapper


PLAN_LINES = 50  # beyond this many changes, a plan is shown per kind unless --full is given


def print_plan(plan: Plan, *, full: bool = False) -> None:
    """Show a plan the way `terraform plan` does: one line per object, then a summary."""
    if full or len(plan.changes) <= PLAN_LINES:
        for change in plan.changes:
            console.print(
                change.describe(), style=OP_STYLE[change.op], markup=False, soft_wrap=True
            )
    else:
        _print_plan_by_kind(plan)
    console.print(f"Plan: {plan.summary()}" if not plan.empty else "no changes")
    print_warnings(plan.warnings)


def print_warnings(warnings: list[Issue]) -> None:
    """Warnings on stderr: the network is accepted but will not work as drawn."""
    for warning in warnings:
        errors.print(f"[yellow]warning:[/] {escape(str(warning))}", soft_wrap=True)


def _print_plan_by_kind(plan: Plan) -> None:
    counted = Counter((change.op, change.kind) for change in plan.changes)
    for (op, kind), count in counted.items():
        mark = {ChangeOp.CREATE: "+", ChangeOp.UPDATE: "~", ChangeOp.DELETE: "-"}[op]
        console.print(f"{mark} {count} {kind}(s)", style=OP_STYLE[op], markup=False)
    console.print(f"({len(plan.changes)} changes; --full lists every object)")


def as_cell(value: Any) -> str:
    """A table cell for a JSON value."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(as_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={as_cell(v)}" for k, v in value.items())
    return str(value)


def progress_bar() -> Progress:
    """A counted progress bar on stderr that disappears when done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )
