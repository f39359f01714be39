"""KPI and raw-counter routes: the TS 28.554 catalogue, KPI series and stored measurements.

The telemetry store comes from `request.app.state.telemetry` (set by the composition root);
objects are resolved against the stored network model. Bad input is a 422 problem naming the
query parameter (`query.name`, `query.object`, `query.from`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from openipn.api.deps import ServicesDep, TelemetryDep
from openipn.api.problems import ProblemError
from openipn.assure.kpi_catalog import COUNTER_CLASS, KPIS, Kpi, parse, terms
from openipn.assure.kpis import (
    Granularity,
    KpiError,
    KpiResult,
    compute,
    kpi_by_name,
    measurements,
    utc,
)
from openipn.assure.scopes import Scope, ScopeError, load_scope_document, resolve
from openipn.model.document import Issue

DEFAULT_SPAN = dt.timedelta(hours=24)
OBJECT_HELP = "cell:<name>, gnb:<name>, upf:<name>, nf:<name>, slice:<name>, site, or a DN"


def bad_parameter(parameter: str, message: str) -> ProblemError:
    """A 422 problem that names the query parameter at fault."""
    return ProblemError(422, message, errors=[Issue(f"query.{parameter}", message)])


def kpi_entry(kpi: Kpi) -> dict[str, Any]:
    """A catalogue entry as JSON, with the counters its formula reads and their classes."""
    counters = [t.counter for t in terms(parse(kpi.formula))]
    return {
        "name": kpi.name,
        "title": kpi.title,
        "formula": kpi.formula,
        "unit": kpi.unit.value,
        "objects": sorted(k.value for k in kpi.scopes),
        "sliceable": kpi.sliceable,
        "clause": kpi.clause,
        "tag": kpi.tag.value,
        "notes": kpi.notes,
        "counters": {c: COUNTER_CLASS[c] for c in dict.fromkeys(counters)},
        "optional_counters": sorted(kpi.optional),
    }


def result_body(result: KpiResult) -> dict[str, Any]:
    """A KPI series as JSON."""
    return {
        "name": result.kpi.name,
        "object": result.object,
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "granularity": result.granularity.value,
        "unit": result.kpi.unit.value,
        "rows": [
            {
                "bucket_start": row.bucket_start.isoformat(),
                "object": row.object,
                "value": row.value,
                "unit": row.unit,
                "inputs": row.inputs,
            }
            for row in result.rows
        ],
    }


def _range(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    end = utc(end) if end else dt.datetime.now(dt.UTC)
    start = utc(start) if start else end - DEFAULT_SPAN
    if start >= end:
        raise bad_parameter(
            "from", f"from ({start.isoformat()}) must be before to ({end.isoformat()})"
        )
    return start, end


def _scope(services: ServicesDep, text: str) -> Scope:
    try:
        return resolve(load_scope_document(services.engine), text)
    except ScopeError as exc:
        raise bad_parameter("object", str(exc)) from None


FromQ = Annotated[
    dt.datetime | None,
    Query(alias="from", description="Start (ISO 8601, UTC if no offset); default: to − 24 h."),
]
ToQ = Annotated[dt.datetime | None, Query(alias="to", description="End (exclusive); default: now.")]
ObjectQ = Annotated[str, Query(alias="object", description=OBJECT_HELP)]


def kpi_router() -> APIRouter:
    """GET /api/v1/kpis/catalog, /api/v1/kpis, /api/v1/measurements(/names)."""
    router = APIRouter(prefix="/api/v1", tags=["kpis"])

    @router.get("/kpis/catalog", summary="The KPI catalogue")
    def catalog() -> dict[str, Any]:
        """Every KPI: formula over TS 28.552 counters, unit, objects, clause and tag."""
        return {"items": [kpi_entry(k) for k in KPIS]}

    @router.get("/kpis", summary="A KPI over an object and time range")
    def kpi_series(
        store: TelemetryDep,
        services: ServicesDep,
        name: Annotated[str, Query(description="KPI name, see /api/v1/kpis/catalog.")],
        scope_text: ObjectQ = "site",
        start: FromQ = None,
        end: ToQ = None,
        granularity: Annotated[Granularity, Query()] = Granularity.HOUR,
    ) -> dict[str, Any]:
        """KPI values per bucket, with the counter totals each value was computed from."""
        try:
            kpi = kpi_by_name(name)
            lo, hi = _range(start, end)
            return result_body(
                compute(store, kpi, _scope(services, scope_text), lo, hi, granularity)
            )
        except KpiError as exc:
            raise bad_parameter(exc.parameter, str(exc)) from None

    @router.get("/measurements", summary="Raw stored counter values")
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
        lo, hi = _range(start, end)
        scope = _scope(services, scope_text)
        found = measurements(store, scope, name, lo, hi, limit + 1)
        return {
            "object": scope.label,
            "from": lo.isoformat(),
            "to": hi.isoformat(),
            "truncated": len(found) > limit,
            "items": [asdict(s) | {"start": s.start.isoformat()} for s in found[:limit]],
        }

    @router.get("/measurements/names", summary="Stored counter names")
    def names(
        store: TelemetryDep,
        prefix: Annotated[str, Query(description="Only names starting with this.")] = "",
    ) -> dict[str, Any]:
        """Distinct counter names in the store."""
        return {"items": store.measurement_names(prefix)}

    return router
