"""Console output and error handling shared by the CLI commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from openipn.app import NotInitialisedError
from openipn.model.document import SiteFileError
from openipn.secure.secrets import SecretError
from openipn.store.changes import ChangeOp, Plan

P = ParamSpec("P")
R = TypeVar("R")

console = Console(highlight=False)
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


def print_plan(plan: Plan) -> None:
    """Show a plan the way `terraform plan` does: one line per object, then a summary."""
    for change in plan.changes:
        console.print(change.describe(), style=OP_STYLE[change.op], markup=False, soft_wrap=True)
    console.print(f"Plan: {plan.summary()}" if not plan.empty else "no changes")


def as_cell(value: Any) -> str:
    """A table cell for a JSON value."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(as_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={as_cell(v)}" for k, v in value.items())
    return str(value)
