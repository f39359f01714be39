"""Stored counters and what they belong to: values, objects, names, and discovered objects.

`object` is a model object (`cell:<name>` …), a DN in any form the resolver accepts, or the LDN
exactly as a PM file wrote it. An unknown object is a 404 problem naming it; a window without
data says so and names the range that is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from openipn.api.deps import PageQuery, PageSizeQuery, ServicesDep, TelemetryDep
from openipn.api.kpis import FromQ, ObjectQ, ToQ, find, no_data, query_range
from openipn.api.schemas import TELEMETRY_RESPONSES
from openipn.api.telemetry_schemas import (
    DiscoveredPageOut,
    MeasurementNamesOut,
    MeasurementsOut,
    StoredObjectsOut,
    declared,
)
from openipn.assure.kpis import measurements
from openipn.model.resolve import Resolver
from openipn.store.telemetry.inventory import Stored


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _object_item(found: Stored, resolver: Resolver) -> dict[str, Any]:
    ref = resolver.resolve(found.name).ref
    return {
        "object": found.name,
        "ref": str(ref) if ref else None,
        "from": _iso(found.first_start),
        "to": _iso(found.last_end),
        "measurements": found.count,
    }


def measurements_router() -> APIRouter:
    """GET /api/v1/measurements, /measurements/objects and /measurements/names."""
    router = APIRouter(prefix="/api/v1", tags=["measurements"], responses=TELEMETRY_RESPONSES)

    @router.get("/measurements", summary="Raw stored counter values", **declared(MeasurementsOut))
    def raw(
        store: TelemetryDep,
        services: ServicesDep,
        name: Annotated[list[str] | None, Query(description="Counter names (repeatable).")] = None,
        scope_text: ObjectQ = "site",
        start: FromQ = None,
        end: ToQ = None,
        limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    ) -> dict[str, Any]:
        """Stored values of the object's counters, oldest first (at most `limit`)."""
        lo, hi = query_range(start, end)
        scope = find(services, store, scope_text)
        found = measurements(store, scope, name, lo, hi, limit + 1)
        body = {
            "object": scope.label,
            "from": lo.isoformat(),
            "to": hi.isoformat(),
            "truncated": len(found) > limit,
            "items": [asdict(s) | {"start": s.start.isoformat()} for s in found[:limit]],
        }
        return body if found else body | no_data(store, scope, lo, hi)

    @router.get(
        "/measurements/objects",
        summary="Stored objects with their time ranges",
        **declared(StoredObjectsOut),
    )
    def objects(
        store: TelemetryDep,
        services: ServicesDep,
        prefix: Annotated[str, Query(description="Only DNs starting with this.")] = "",
        page: PageQuery = 1,
        page_size: PageSizeQuery = 100,
    ) -> dict[str, Any]:
        """Every stored object (DN), the model object it is (`ref`, null when unmodelled)."""
        found = [s for s in store.stored("object") if s.name.startswith(prefix)]
        first, resolver = (page - 1) * page_size, services.identity.resolver()
        shown = found[first : first + page_size]
        return {"total": len(found), "items": [_object_item(s, resolver) for s in shown]}

    @router.get(
        "/measurements/names",
        summary="Stored counter names with their time ranges",
        **declared(MeasurementNamesOut),
    )
    def names(
        store: TelemetryDep,
        prefix: Annotated[str, Query(description="Only names starting with this.")] = "",
    ) -> dict[str, Any]:
        """Distinct counter names in the store, each with its range and how many objects."""
        chosen = store.measurement_names(prefix)
        found = store.stored("measurement", measurements=chosen) if chosen else []
        return {
            "items": [
                {"name": s.name, "from": _iso(s.first_start), "to": _iso(s.last_end),
                 "objects": s.count}
                for s in found
            ]
        }  # fmt: skip

    return router


def discovered_router() -> APIRouter:
    """GET /api/v1/discovered."""
    router = APIRouter(prefix="/api/v1", tags=["measurements"])

    @router.get(
        "/discovered",
        summary="Objects seen on the wire that the model does not name",
        **declared(DiscoveredPageOut),
    )
    def discovered(
        services: ServicesDep,
        source: Annotated[str | None, Query(description="pm-file, ves or prometheus.")] = None,
        page: PageQuery = 1,
        page_size: PageSizeQuery = 100,
    ) -> dict[str, Any]:
        """Unmodelled objects with source, first/last seen and the counters or alarms seen."""
        found = services.identity.book.page(
            source=source, limit=page_size, offset=(page - 1) * page_size
        )
        resolver = services.identity.resolver()
        items = []
        for item in found.items:
            ref = resolver.resolve(item.dn).ref  # the model may name it by now
            items.append(
                asdict(item)
                | {
                    "first_seen": _iso(item.first_seen),
                    "last_seen": _iso(item.last_seen),
                    "names": list(item.names),
                    "now_modelled_as": str(ref) if ref else None,
                }
            )
        return {"total": found.total, "items": items}

    return router
