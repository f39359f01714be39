"""API docs served from this machine: the Swagger UI 5 assets shipped by fastapi-offline.

Plants are air-gapped, so /docs must not load anything from a CDN. (Swagger UI 4 cannot read
the OpenAPI 3.1 document FastAPI writes, so the assets must be version 5 or later.)
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from openipn.api.problems import PROBLEM_MEDIA_TYPE
from openipn.api.schemas import PROBLEM_DESCRIPTIONS, Problem

STATIC = "/static/swagger-ui"
ASSETS = files("fastapi_offline") / "static"
COMPONENTS = "#/components/schemas"


def install_docs(app: FastAPI) -> None:
    """Mount the bundled Swagger UI assets and serve /docs from them."""
    app.mount(STATIC, StaticFiles(directory=str(ASSETS)), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Interactive API documentation."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.png",
        )


def problem_content() -> dict[str, Any]:
    """The content of an error response: an RFC 9457 problem document."""
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"{COMPONENTS}/{Problem.__name__}"}}}


def framework_statuses(operation: Mapping[str, Any]) -> list[str]:
    """Statuses FastAPI itself answers for an operation: 422 on bad input, 400 on bad JSON."""
    statuses = []
    if operation.get("parameters") or "requestBody" in operation:
        statuses.append("422")
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        statuses.append("400")
    return statuses


def describe_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Every error response declared as application/problem+json, as the handlers send it."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template=COMPONENTS + "/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas[Problem.__name__] = problem
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status in framework_statuses(operation):
                responses.setdefault(status, {"description": PROBLEM_DESCRIPTIONS[int(status)]})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = problem_content()
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 body: never sent
        schemas.pop(name, None)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve an OpenAPI document whose error responses are the problem documents sent."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
