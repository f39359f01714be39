"""Writing a plan as a new version: inventory rows and change records, in bulk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from openipn.store.changes import Change, ChangeOp, Plan
from openipn.store.schema import ChangeRow, InventoryRow, VersionRow

BIG_WRITE = 10_000  # changes in one version after which PostgreSQL statistics are refreshed
INVENTORY: Table = InventoryRow.__table__  # type: ignore[assignment]
CHANGES: Table = ChangeRow.__table__  # type: ignore[assignment]


def write_version(
    session: Session,
    plan: Plan,
    *,
    author: str,
    reason: str,
    source: str,
    restored_from: int | None = None,
) -> int:
    """Record the plan as the next version and apply it to the inventory; returns its number."""
    number = int(session.scalar(select(func.max(VersionRow.number))) or 0) + 1
    counts = plan.counts()
    session.add(
        VersionRow(
            number=number,
            created_at=dt.datetime.now(dt.UTC),
            author=author,
            reason=reason,
            source=source,
            creates=counts["create"],
            updates=counts["update"],
            deletes=counts["delete"],
            restored_from=restored_from,
        )
    )
    session.flush()
    _apply_rows(session, plan.changes, number)
    rows = [_change_row(change, number) for change in plan.changes]
    for start in range(0, len(rows), 5000):
        session.execute(insert(CHANGES), rows[start : start + 5000])
    if len(rows) >= BIG_WRITE and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics right away, or the planner scans after a bulk import.
        session.execute(text("ANALYZE inventory_objects, version_changes"))
    return number


def _change_row(change: Change, number: int) -> dict[str, Any]:
    return {
        "version": number,
        "kind": change.kind,
        "name": change.name,
        "op": change.op.value,
        "before": change.before.data if change.before else None,
        "after": change.after.data if change.after else None,
        "before_secrets": change.before.secrets if change.before else None,
        "after_secrets": change.after.secrets if change.after else None,
    }


def _apply_rows(session: Session, changes: list[Change], number: int) -> None:
    creates, updates, deletes = [], [], []
    for change in changes:
        if change.op == ChangeOp.DELETE:
            deletes.append({"b_kind": change.kind, "b_name": change.name})
            continue
        assert change.after is not None
        row = {
            "kind": change.kind,
            "name": change.name,
            "data": change.after.data,
            "secrets": change.after.secrets,
            "version": number,
        }
        if change.op == ChangeOp.CREATE:
            creates.append(row)
        else:
            updates.append({"b_" + key: value for key, value in row.items()})
    where = (INVENTORY.c.kind == bindparam("b_kind")) & (INVENTORY.c.name == bindparam("b_name"))
    if deletes:
        session.execute(delete(INVENTORY).where(where), deletes)
    if updates:
        values: dict[str, Any] = {
            "data": bindparam("b_data"),
            "secrets": bindparam("b_secrets"),
            "version": bindparam("b_version"),
        }
        session.execute(update(INVENTORY).where(where).values(values), updates)
    for start in range(0, len(creates), 5000):
        session.execute(insert(INVENTORY), creates[start : start + 5000])
