"""Errors as RFC 9457 problem details (`application/problem+json`), never with a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from openipn.model.document import Issue, SiteFileError, format_loc
from openipn.model.kinds import BY_SECTION, KINDS, KindSpec
from openipn.model.suggest import unknown_field_message
from openipn.store.inventory import ConflictError, MissingError

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://openipn.dev/problems/"
API_PREFIX = "/api/v1/"
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
SLUGS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    415: "unsupported-media-type",
    422: "validation-error",
    500: "internal-error",
    503: "service-unavailable",
}


class ProblemError(Exception):
    """An error the API reports as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Sequence[Issue] = (),
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.title = title
        self.headers = dict(headers or {})


def problem_type(status: int) -> str:
    """The stable URI that names a kind of problem."""
    return PROBLEM_BASE + SLUGS.get(status, f"http-{status}")


def problem_response(request: Request, problem: ProblemError) -> JSONResponse:
    """Render a problem with type, title, status, detail, instance and (maybe) errors."""
    body: dict[str, Any] = {
        "type": problem_type(problem.status),
        "title": problem.title or HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path,
    }
    if problem.errors:
        body["errors"] = [{"path": i.path, "message": i.message} for i in problem.errors]
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=problem.headers
    )


def clean_message(error: Mapping[str, Any], spec: KindSpec | None = None) -> str:
    """A pydantic/FastAPI error message without its prefixes, in site-file wording."""
    if error.get("type") == "extra_forbidden":
        loc = tuple(error.get("loc", ()))[1:]  # after "body": the object's own fields
        return unknown_field_message(spec.model, loc) if spec else "unknown field"
    if error.get("type") == "missing":
        return "required field is missing"
    if error.get("type") == "json_invalid":
        return f"not valid JSON: {error.get('ctx', {}).get('error', 'decode error')}"
    text = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text


def route_spec(request: Request) -> KindSpec | None:
    """The kind whose route serves the request, if any."""
    route = request.scope.get("route")
    return next((BY_SECTION[t] for t in getattr(route, "tags", ()) if t in BY_SECTION), None)


def object_prefix(request: Request, body: object) -> str:
    """`cells[C1]` (or `site`) for a request to one kind's route; '' for other routes."""
    spec = route_spec(request)
    if spec is None:
        return ""
    if spec.singleton:
        return spec.section
    name = request.path_params.get("name")
    if name is None and isinstance(body, Mapping):
        name = body.get(spec.key_field)
    return f"{spec.section}[{name}]" if isinstance(name, str) and name else spec.section


def request_issues(
    request: Request, errors: Iterable[Mapping[str, Any]], body: object
) -> list[Issue]:
    """FastAPI validation errors as issues with paths like `cells[C1].pci` or `query.page`."""
    prefix, spec = object_prefix(request, body), route_spec(request)
    issues = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            path = "(body)"
        elif loc[:1] == ("body",):
            path = format_loc(prefix, loc[1:]) or "(body)"
        else:
            path = format_loc("", loc)
        body_error = loc[:1] == ("body",)
        issues.append(Issue(path, clean_message(error, spec if body_error else None)))
    return issues


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc)


async def _on_site_file_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SiteFileError)
    detail = f"{len(exc.issues)} error(s); nothing was changed"
    status = 409 if isinstance(exc, ConflictError) else 422
    if isinstance(exc, MissingError):
        status, detail = 404, "; ".join(issue.message for issue in exc.issues)
    return problem_response(request, ProblemError(status, detail, errors=exc.issues))


async def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    issues = request_issues(request, errors, exc.body)
    if any(error.get("type") == "json_invalid" for error in errors):
        problem = ProblemError(400, "the request body is not valid JSON", errors=issues)
    else:
        problem = ProblemError(422, f"{len(issues)} error(s) in the request", errors=issues)
    return problem_response(request, problem)


def _not_found_detail(path: str) -> str:
    if path.startswith(API_PREFIX):
        section = path.removeprefix(API_PREFIX).split("/", 1)[0]
        if section not in BY_SECTION:
            known = ", ".join(spec.section for spec in KINDS)
            return f"unknown kind or endpoint {section!r}; collections: {known}"
    return f"nothing at {path}"


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (RFC 9110 §15.5.6 `Allow`).

    Each method is tried against the app's routes, so routes of included routers count too.
    """
    return [
        method
        for method in METHOD_ORDER
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    ]


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
    headers = dict(exc.headers or {})
    if status == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
        detail = _not_found_detail(request.url.path)
    if status == 405:
        headers["Allow"] = allow = ", ".join(allowed_methods(request))
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {allow}"
    return problem_response(request, ProblemError(status, detail, headers=headers))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error serving %s %s", request.method, request.url.path)
    detail = "an unexpected error occurred; it has been logged"
    return problem_response(request, ProblemError(500, detail))


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(SiteFileError, _on_site_file_error)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
