"""SLA compliance of slices and applications, and the latency circles of an application."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from openipn.api.deps import ServicesDep, get_telemetry
from openipn.api.problems import ProblemError
from openipn.api.schemas import TELEMETRY_FAMILY
from openipn.api.telemetry_schemas import declared
from openipn.api.terminal_schemas import LatencyMapOut, SlaOut
from openipn.api.terminals import FromQuery, ToQuery, window
from openipn.assure.latency_map import (
    DEFAULT_CELL_M,
    MAX_CELL_M,
    MIN_CELL_M,
    MapError,
    UnknownApplicationError,
    latency_map,
)
from openipn.assure.sla import WindowTooLargeError
from openipn.assure.sla_rollup import sla_over

API = "/api/v1"


def sla_router() -> APIRouter:
    """GET /sla and GET /latency-map."""
    router = APIRouter(prefix=API, tags=["service levels"], responses=TELEMETRY_FAMILY)
    _add_sla_route(router)
    _add_latency_map_route(router)
    return router


def _add_sla_route(router: APIRouter) -> None:
    @router.get("/sla", summary="SLA compliance of every slice and application", **declared(SlaOut))
    def get_sla(
        request: Request, services: ServicesDep, start: FromQuery = None, end: ToQuery = None
    ) -> dict[str, Any]:
        """Latency, reliability and bit-rate compliance over [from, to) with the counts behind.

        Default window: the hour up to the newest terminal report (event time). Windows up to
        2 h read every report (`method: raw`); longer ones, up to the roll-up retention, read
        hourly roll-ups (`method: hourly`: bounds where an hour mixes met and missed reports).
        """
        store = get_telemetry(request)
        begin, until = window(services.engine, start, end)
        try:
            return sla_over(services.inventory.export(), store, begin, until)
        except WindowTooLargeError as exc:
            raise ProblemError(422, str(exc)) from None


def _add_latency_map_route(router: APIRouter) -> None:
    @router.get(
        "/latency-map", summary="Latency circles of an application", **declared(LatencyMapOut)
    )
    def get_latency_map(
        request: Request,
        services: ServicesDep,
        application: Annotated[str, Query(description="Application name")],
        start: FromQuery = None,
        end: ToQuery = None,
        cell_m: Annotated[
            float,
            Query(
                ge=MIN_CELL_M,
                le=MAX_CELL_M,
                allow_inf_nan=False,
                description=f"Grid cell size, {MIN_CELL_M} to {MAX_CELL_M} m.",
            ),
        ] = DEFAULT_CELL_M,
    ) -> dict[str, Any]:
        """Per grid cell of each area the application must work in: reports and latency."""
        store = get_telemetry(request)
        begin, until = window(services.engine, start, end)
        document = services.inventory.export()
        try:
            return latency_map(document, store, application, begin, until, cell_m)
        except MapError as exc:
            status = 404 if isinstance(exc, UnknownApplicationError) else 422
            raise ProblemError(status, str(exc)) from None
        except WindowTooLargeError as exc:
            raise ProblemError(422, str(exc)) from None
