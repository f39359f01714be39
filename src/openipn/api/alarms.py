"""GET /api/v1/alarms: the alarm list (equipment faults and platform alarms), newest first."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from openipn.api.deps import PageQuery, PageSizeQuery, ServicesDep
from openipn.model.alarms import PerceivedSeverity
from openipn.model.objref import ObjectRef
from openipn.model.resolve import Resolver
from openipn.store.alarms import AlarmBook, StoredAlarm


class AlarmOut(BaseModel):
    """One alarm: identity (source, object, condition), state and times (event time, UTC)."""

    id: int
    source: str
    object: str
    ref: str | None  # the model object (`cell:<name>` …) the object DN names, null if none
    condition: str
    specific_problem: str
    severity: str
    event_type: str | None
    probable_cause: str | None
    origin: str
    active: bool
    raised_at: dt.datetime
    updated_at: dt.datetime
    cleared_at: dt.datetime | None
    text: str
    event_id: str | None


class AlarmPageOut(BaseModel):
    """A page of alarms."""

    items: list[AlarmOut]
    total: int
    page: int
    page_size: int


def _ref(ref: ObjectRef | None) -> str | None:
    return str(ref) if ref else None


def alarm_out(alarm: StoredAlarm, resolver: Resolver) -> dict[str, Any]:
    """A stored alarm as the API shows it, with the model object its DN names."""
    ref = resolver.resolve(alarm.object, element=alarm.source).ref
    return dataclasses.asdict(alarm) | {"ref": _ref(ref)}


def alarms_router() -> APIRouter:
    """The alarm list."""
    router = APIRouter(prefix="/api/v1", tags=["alarms"])

    @router.get("/alarms", summary="List alarms", response_model=AlarmPageOut)
    def list_alarms(
        services: ServicesDep,
        active: Annotated[
            bool | None, Query(description="true: only active; false: only cleared")
        ] = None,
        source: Annotated[str | None, Query(description="Only this source (sourceName)")] = None,
        severity: Annotated[
            PerceivedSeverity | None, Query(description="Only this perceived severity (X.733)")
        ] = None,
        page: PageQuery = 1,
        page_size: PageSizeQuery = 100,
    ) -> dict[str, Any]:
        """Alarms matching the filters, the most recently raised first."""
        found = AlarmBook(services.engine).page(
            active=active,
            source=source,
            severity=severity,
            page=page,
            page_size=page_size,
        )
        resolver = services.identity.resolver()
        items = [alarm_out(alarm, resolver) for alarm in found.items]
        return {"items": items, "total": found.total, "page": page, "page_size": page_size}

    return router
