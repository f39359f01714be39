"""API docs served from this machine: the Swagger UI 5 assets shipped by fastapi-offline.

Plants are air-gapped, so /docs must not load anything from a CDN. (Swagger UI 4 cannot read
the OpenAPI 3.1 document FastAPI writes, so the assets must be version 5 or later.)
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/static/swagger-ui"
ASSETS = files("fastapi_offline") / "static"


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
