"""The FastAPI application factory: routes, problem handlers and OpenAPI metadata."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI

from openipn import __version__
from openipn.api.alarms import alarms_router
from openipn.api.collections import collection_router
from openipn.api.deps import TELEMETRY_STATE, ServicesDep
from openipn.api.docs import install_docs, install_openapi
from openipn.api.kpis import kpi_router
from openipn.api.measurements import discovered_router, measurements_router
from openipn.api.metrics import metrics_router
from openipn.api.network import network_router
from openipn.api.pm import pm_router
from openipn.api.problems import ProblemError, install_problem_handlers
from openipn.api.schemas import HealthOut, problem_responses
from openipn.api.sla import sla_router
from openipn.api.terminals import terminals_router
from openipn.api.ves import ves_router
from openipn.app import Services
from openipn.model.kinds import KINDS
from openipn.store.db import ping

if TYPE_CHECKING:
    from openipn.runtime import Runtime

DESCRIPTION = (
    "Operations and maintenance of an industrial 5G standalone non-public network: the network "
    "model as collections of objects, whole-network plan/apply, versions and restore. Errors "
    "are RFC 9457 problem details (`application/problem+json`)."
)


def _tags() -> list[dict[str, Any]]:
    tags = [{"name": "network", "description": "Whole-network plan, apply, versions, views."}]
    for spec in KINDS:
        doc = (spec.model.__doc__ or spec.kind).strip().splitlines()[0]
        tags.append({"name": spec.section, "description": doc})
    tags.append({"name": "ves", "description": "VES 7 event listener (ONAP-compatible)."})
    tags.append({"name": "alarms", "description": "Equipment and platform alarms."})
    tags.append({"name": "kpis", "description": "TS 28.554 KPIs and raw TS 28.552 counters."})
    tags.append({"name": "pm-files", "description": "Upload of TS 32.435 / TS 28.532 PM files."})
    tags.append({"name": "terminal status", "description": "Live terminal view and history."})
    tags.append({"name": "service levels", "description": "Slice and application SLAs."})
    tags.append({"name": "health", "description": "Liveness of the server and its database."})
    return tags


def health_router() -> APIRouter:
    """GET /healthz: 200 when the database answers, a 503 problem when it does not."""
    router = APIRouter(tags=["health"])

    @router.get(
        "/healthz",
        summary="Health check",
        response_model=None,
        responses={200: {"model": HealthOut}, **problem_responses(503)},
    )
    def healthz(services: ServicesDep) -> dict[str, Any]:
        """Liveness and database reachability."""
        try:
            ping(services.engine)
        except Exception as exc:  # any database failure means unhealthy
            raise ProblemError(503, f"database unreachable: {type(exc).__name__}") from None
        return {"status": "ok", "version": __version__}

    return router


def _lifespan(runtime: Runtime | None) -> Any:
    """Start the runtime's workers when the server starts and stop them when it stops."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            runtime.start()
        try:
            yield
        finally:
            if runtime is not None:
                runtime.stop()

    return lifespan


def create_app(services: Services, runtime: Runtime | None = None) -> FastAPI:
    """Build the API around built services; `runtime` holds the workers `serve` runs."""
    app = FastAPI(
        lifespan=_lifespan(runtime),
        title="OpenIPN",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served by install_docs from local assets
        redoc_url=None,
        openapi_tags=_tags(),
    )
    app.state.services = services
    app.state.runtime = runtime
    setattr(app.state, TELEMETRY_STATE, runtime.telemetry if runtime else None)
    install_problem_handlers(app)
    install_docs(app)
    install_openapi(app)
    app.include_router(health_router())
    app.include_router(network_router())
    app.include_router(ves_router())
    app.include_router(alarms_router())
    app.include_router(pm_router())
    app.include_router(kpi_router())
    app.include_router(measurements_router())
    app.include_router(discovered_router())
    app.include_router(sla_router())
    app.include_router(terminals_router())  # before the collections: /terminals/{name}/status
    app.include_router(metrics_router(runtime.metrics if runtime else {}))
    for spec in KINDS:
        app.include_router(collection_router(spec))
    return app
