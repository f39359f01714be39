"""Asking before a change deletes objects, above all SIMs whose credentials cannot come back."""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Annotated

import typer

from openipn.cli.output import errors, fail
from openipn.store.changes import Change, ChangeOp, Key, Plan

NAMES_SHOWN = 3  # names listed per kind before "..."

Yes = Annotated[
    bool, typer.Option("--yes", "-y", help="Delete without asking (needed when not on a terminal).")
]


def deletions(plan: Plan) -> list[Change]:
    """The plan's deletions, in plan order."""
    return [change for change in plan.changes if change.op == ChangeOp.DELETE]


def describe_deletions(changes: list[Change]) -> list[str]:
    """One line per kind: how many objects it loses and the first few names."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        by_kind[change.kind].append(change.name)
    lines = []
    for kind, names in by_kind.items():
        shown = ", ".join(names[:NAMES_SHOWN]) + (", ..." if len(names) > NAMES_SHOWN else "")
        lines.append(f"  {len(names)} {kind}(s): {shown}")
    return lines


def confirm_deletions(plan: Plan, *, yes: bool, every_delete: bool = False) -> frozenset[Key]:
    """Ask before deleting SIM credentials (or, with `every_delete`, any object).

    Returns the keys the person agreed to delete; raises the exit when they did not agree or
    cannot be asked (stdin is not a terminal and `--yes` was not given). Nothing is changed then.
    """
    sims = plan.credential_deletes()
    asked = deletions(plan) if every_delete else sims
    keys = frozenset((change.kind, change.name) for change in asked)
    if not asked:
        return keys
    errors.print(f"This deletes {len(asked)} object(s):", markup=False)
    for line in describe_deletions(asked):
        errors.print(line, markup=False, soft_wrap=True)
    if sims:
        errors.print(
            f"{len(sims)} of them hold SIM credentials (K, OPc), which cannot be recovered "
            "once deleted.",
            markup=False,
        )
    if yes:
        return keys
    if not sys.stdin.isatty():
        raise fail("not deleting without confirmation: stdin is not a terminal; add --yes")
    if not typer.confirm("Delete them?", default=False, err=True):
        raise fail("nothing was changed")
    return keys
