"""KPI routes: the TS 28.554 catalogue and KPI series over any object and time range.

The telemetry store comes from `request.app.state.telemetry` (set by the composition root);
objects are resolved against the stored network model. Bad input is a 422 problem naming the
query parameter (`query.name`, `query.object`, `query.from`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from openipn.api.deps import Instant, ServicesDep, TelemetryDep
from openipn.api.problems import ProblemError
from openipn.api.schemas import OBJECT_PATTERN, TELEMETRY_RESPONSES
from openipn.api.telemetry_schemas import KpiCatalogOut, KpiSeriesOut, declared
from openipn.assure.kpi_catalog import KPIS
from openipn.assure.kpi_views import DEFAULT_SPAN, OBJECT_HELP, kpi_entry, result_body
from openipn.assure.kpis import BUCKET_SECONDS, Granularity, KpiError, compute, kpi_by_name
from openipn.assure.lookup import find_scope, stored_span
from openipn.assure.scopes import Scope, ScopeError, UnknownObjectError
from openipn.model.document import Issue
from openipn.model.times import utc
from openipn.store.telemetry.api import TelemetryStore

EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
MAX_BUCKETS = 10_000  # 104 days of 15 min, 416 days of hours, 27 years of days


def bad_parameter(parameter: str, message: str) -> ProblemError:
    """A 422 problem that names the query parameter at fault."""
    return ProblemError(422, message, errors=[Issue(f"query.{parameter}", message)])


def query_range(
    start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    """The `from`/`to` range in UTC, by default the last 24 h; 422 when empty."""
    end = utc(end) if end else dt.datetime.now(dt.UTC)
    start = utc(start) if start else end - min(DEFAULT_SPAN, end - EARLIEST)  # not before year 1
    if start >= end:
        raise bad_parameter(
            "from", f"from ({start.isoformat()}) must be before to ({end.isoformat()})"
        )
    return start, end


def check_buckets(start: dt.datetime, end: dt.datetime, granularity: Granularity) -> None:
    """A 422 when the range holds more than MAX_BUCKETS buckets (26 years of 15 min: 145 MB)."""
    seconds = BUCKET_SECONDS[granularity]
    buckets = (end - start).total_seconds() / seconds if seconds else 1
    if buckets > MAX_BUCKETS:
        message = (
            f"{granularity.value} buckets over {start.isoformat()} .. {end.isoformat()} are "
            f"{buckets:.0f}, more than {MAX_BUCKETS}: shorten the range or coarsen granularity"
        )
        raise bad_parameter("from", message)


def find(services: ServicesDep, store: TelemetryStore, text: str) -> Scope:
    """The scope `object` names: 404 problem when unknown, 422 when malformed."""
    try:
        identity = services.identity
        return find_scope(identity.document(), store, text, identity.resolver())
    except UnknownObjectError as exc:
        raise ProblemError(404, str(exc), errors=[Issue("query.object", str(exc))]) from None
    except ScopeError as exc:
        raise bad_parameter("object", str(exc)) from None


def no_data(
    store: TelemetryStore, scope: Scope, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """What a response says when its window holds no data: why, and what range is stored."""
    span = stored_span(store, scope)
    window = f"between {start.isoformat()} and {end.isoformat()}"
    if span is None:
        return {"note": f"no data is stored for {scope.label}", "stored": None}
    stored = {"from": span.first_start.isoformat(), "to": span.last_end.isoformat()}
    if span.first_start < end and start < span.last_end:
        note = f"{scope.label} has data {window}, but not the counters asked for"
    else:
        note = f"no data for {scope.label} {window}; stored from {stored['from']} to {stored['to']}"
    return {"note": note, "stored": stored}


FromQ = Annotated[
    Instant | None,
    Query(alias="from", description="Start (ISO 8601, UTC if no offset); default: to − 24 h."),
]
ToQ = Annotated[Instant | None, Query(alias="to", description="End (exclusive); default: now.")]
ObjectQ = Annotated[
    str,
    Query(alias="object", description=OBJECT_HELP, json_schema_extra={"pattern": OBJECT_PATTERN}),
]


def kpi_router() -> APIRouter:
    """GET /api/v1/kpis/catalog and /api/v1/kpis."""
    router = APIRouter(prefix="/api/v1", tags=["kpis"], responses=TELEMETRY_RESPONSES)

    @router.get("/kpis/catalog", summary="The KPI catalogue", **declared(KpiCatalogOut))
    def catalog() -> dict[str, Any]:
        """Every KPI: formula over TS 28.552 counters, unit, objects, clause and tag."""
        return {"items": [kpi_entry(k) for k in KPIS]}

    @router.get("/kpis", summary="A KPI over an object and time range", **declared(KpiSeriesOut))
    def kpi_series(
        store: TelemetryDep,
        services: ServicesDep,
        name: Annotated[
            str,
            Query(
                description="KPI name, see /api/v1/kpis/catalog.",
                json_schema_extra={"enum": sorted(kpi.name for kpi in KPIS)},
            ),
        ],
        scope_text: ObjectQ = "site",
        start: FromQ = None,
        end: ToQ = None,
        granularity: Annotated[Granularity, Query()] = Granularity.HOUR,
    ) -> dict[str, Any]:
        """KPI values per bucket, with the counter totals each value was computed from."""
        try:
            kpi = kpi_by_name(name)
            lo, hi = query_range(start, end)
            check_buckets(lo, hi, granularity)
            scope = find(services, store, scope_text)
            body = result_body(compute(store, kpi, scope, lo, hi, granularity))
        except KpiError as exc:
            raise bad_parameter(exc.parameter, str(exc)) from None
        if any(row["value"] is not None for row in body["rows"]):
            return body
        return body | no_data(store, scope, lo, hi)

    return router
