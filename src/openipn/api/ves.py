"""The VES event listener (ONAP collector interface, standards.md §4.1) and the collector status.

``POST /eventListener/v7`` takes ``{"event": {…}}``, ``POST /eventListener/v7/eventBatch`` takes
``{"eventList": […]}`` (one domain per batch, one stndDefinedNamespace for stndDefined). ``202``
means the events are on disk; ``400`` names the failing field; ``401`` asks for credentials;
``503`` with Retry-After means try again later (nothing was stored).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from openipn.api.problems import ProblemError
from openipn.api.schemas import problem_responses
from openipn.api.telemetry_schemas import VesAcceptedOut, VesStatusOut, declared
from openipn.collect.journal import JournalBusyError
from openipn.collect.ves_collector import CollectorBusyError, VesCollector
from openipn.collect.ves_validate import HEADER, HEADER_OPTIONAL, VesRequestError, check_body

JSON_TYPES = ("application/json",)


# Event times are microseconds since 1970 that a date of the years 1..9999 can hold.
EPOCH_MICROS = {"minimum": -62_135_596_800_000_000, "maximum": 253_402_300_799_999_999}
EPOCH_FIELDS = ("startEpochMicrosec", "lastEpochMicrosec")


def _member(kind: str, allowed: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": kind, "enum": list(allowed)} if allowed else {"type": kind}


def _header_member(name: str, kind: str, allowed: tuple[str, ...] = ()) -> dict[str, Any]:
    member = _member(kind, allowed)
    return member | EPOCH_MICROS if name in EPOCH_FIELDS else member


def event_schema() -> dict[str, Any]:
    """A VES 7 event as far as its commonEventHeader (CommonEventFormat 30.2.1 `required`)."""
    header = {
        "type": "object",
        "required": [field.name for field in HEADER],
        "properties": {
            **{name: _header_member(name, kind) for name, kind in HEADER_OPTIONAL.items()},
            **{
                field.name: _header_member(field.name, field.kind, field.allowed)
                for field in HEADER
            },
        },
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "required": ["commonEventHeader"],
        "properties": {"commonEventHeader": header},
    }


def body_doc(*, batch: bool) -> dict[str, Any]:
    """The request body of the event listener: `{"event": …}` or `{"eventList": [… ≥ 1]}`."""
    member: dict[str, Any] = event_schema()
    if batch:
        member = {"type": "array", "minItems": 1, "items": member}
    name = "eventList" if batch else "event"
    schema = {"type": "object", "required": [name], "properties": {name: member}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": VesAcceptedOut, "description": "Stored durably"},
    400: {"description": "Not a valid VES 7 body (the failing field is named)"},
    401: {"description": "Credentials missing or wrong"},
    413: {"description": "Body too large"},
    415: {"description": "Not application/json"},
    503: {"description": "Busy or not running; retry after Retry-After seconds"},
}


def get_collector(request: Request) -> VesCollector:
    """The running collector, or a 503 problem when `serve` runs without one."""
    runtime = getattr(request.app.state, "runtime", None)
    collector = getattr(runtime, "ves", None)
    if collector is None:
        raise ProblemError(503, "the VES collector is not running in this server")
    return cast(VesCollector, collector)


def _authorise(request: Request, collector: VesCollector) -> None:
    credentials = collector.credentials
    if not credentials.accepts(request.headers.get("authorization")):
        challenge = {"WWW-Authenticate": credentials.challenge}
        raise ProblemError(401, "VES credentials are missing or wrong", headers=challenge)


async def _read_json(request: Request, limit: int) -> tuple[bytes, Any]:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in JSON_TYPES:
        raise ProblemError(415, f"VES bodies are application/json, not {media or 'untyped'}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProblemError(413, f"the body exceeds {limit} bytes")
    raw = await request.body()
    if len(raw) > limit:
        raise ProblemError(413, f"the body exceeds {limit} bytes")
    try:  # RFC 8259 JSON in UTF-8; orjson also refuses NaN and nesting deeper than 1024
        return raw, orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(400, f"the request body is not valid JSON: {exc}") from None


async def accept(request: Request, *, batch: bool) -> JSONResponse:
    """Authenticate, check, journal durably, then answer 202."""
    collector = get_collector(request)
    _authorise(request, collector)
    raw, body = await _read_json(request, collector.limits.max_body_bytes)
    try:
        checked = check_body(body, batch=batch)
    except VesRequestError as exc:
        first = exc.issues[0]
        more = f" (and {len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
        raise ProblemError(400, f"{first.path}: {first.message}{more}", errors=exc.issues) from None
    try:
        memo = (checked.parsed, checked.events)
        position = await asyncio.wrap_future(collector.submit(raw, len(checked.events), memo))
    except (CollectorBusyError, JournalBusyError) as exc:
        wait = getattr(exc, "retry_after", collector.limits.retry_after_s)
        raise ProblemError(503, str(exc), headers={"Retry-After": str(wait)}) from None
    return JSONResponse({"accepted": len(checked.events), "position": position}, status_code=202)


def ves_router() -> APIRouter:
    """The ONAP-compatible event listener routes and the collector status."""
    router = APIRouter(tags=["ves"])

    @router.post(
        "/eventListener/v7",
        summary="Submit one VES event",
        status_code=202,
        responses=_RESPONSES,
        openapi_extra=body_doc(batch=False),
    )
    async def post_event(request: Request) -> JSONResponse:
        """`{"event": {...}}`; acknowledged only once stored durably."""
        return await accept(request, batch=False)

    @router.post(
        "/eventListener/v7/eventBatch",
        summary="Submit a batch of VES events of one domain",
        status_code=202,
        responses=_RESPONSES,
        openapi_extra=body_doc(batch=True),
    )
    async def post_batch(request: Request) -> JSONResponse:
        """`{"eventList": [...]}` of one domain; acknowledged only once stored durably."""
        return await accept(request, batch=True)

    @router.get(
        "/api/v1/collector/ves",
        summary="VES collector status",
        **declared(VesStatusOut, problem_responses(503)),
    )
    def status(request: Request) -> dict[str, Any]:
        """Journal and consumer positions, backlog and dead-lettered events."""
        return get_collector(request).stats()

    return router
