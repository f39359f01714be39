"""Audit records for security-relevant actions (the SM3 hash chain builds on this later)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openipn.store.schema import AuditRow

log = logging.getLogger(__name__)


def record(engine: Engine, *, actor: str, action: str, detail: dict[str, Any]) -> None:
    """Store an audit record and log it (detail must never hold secret values)."""
    with Session(engine) as session, session.begin():
        session.add(AuditRow(at=dt.datetime.now(dt.UTC), actor=actor, action=action, detail=detail))
    log.warning("audit: %s by %s: %s", action, actor, detail)


def entries(engine: Engine, *, action: str | None = None) -> list[AuditRow]:
    """Audit records, oldest first."""
    with Session(engine) as session:
        query = select(AuditRow).order_by(AuditRow.id)
        if action is not None:
            query = query.where(AuditRow.action == action)
        return list(session.scalars(query))
