"""POST /api/v1/pm-files: upload one TS 32.435 / TS 28.532 PM file and ingest it now."""

from __future__ import annotations

import email.parser
import email.policy
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from openipn.api.deps import ServicesDep, TelemetryDep
from openipn.api.problems import ProblemError
from openipn.api.schemas import problem_responses
from openipn.api.telemetry_schemas import PmFileOut
from openipn.collect.pm_intake import IngestResult, Outcome, PmIntake
from openipn.collect.pm_parse import file_key
from openipn.collect.pm_source import IntakeLimits
from openipn.collect.pm_watch import PmDirs
from openipn.model.document import Issue
from openipn.store.telemetry.api import Conflict

NAME_HEADER = "X-OpenIPN-File-Name"
RAW_TYPES = ("application/xml", "text/xml", "application/gzip", "application/octet-stream", "")
MAX_NAME_BYTES = 200  # file systems hold 255; room for a quarantine suffix
# At most MAX_NAME_BYTES of UTF-8 as a pattern: printable ASCII (1 byte each) up to that many
# characters, else up to a quarter as many (UTF-8 takes at most 4 bytes, RFC 3629 §3).
NAME_PATTERN = (
    rf"^(?:[\x20-\x7e]{{0,{MAX_NAME_BYTES}}}|[^\x00-\x1f\x7f]{{0,{MAX_NAME_BYTES // 4}}})$"
)
NAME_RULE: dict[str, Any] = {"pattern": NAME_PATTERN, "max_length": MAX_NAME_BYTES}


def _multipart_file(body: bytes, content_type: str) -> tuple[bytes, str | None]:
    """The first file part of a multipart/form-data body and its filename."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    for part in message.iter_parts() if message.is_multipart() else ():
        if part.get_content_disposition() == "form-data" and part.get_filename():
            payload = part.get_payload(decode=True)
            return (payload if isinstance(payload, bytes) else b""), part.get_filename()
    raise ProblemError(400, "the multipart body has no file part (form field with a filename)")


async def _upload(request: Request, name: str | None, limit: int) -> tuple[bytes, str]:
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        raise ProblemError(413, f"a PM file upload is limited to {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProblemError(413, f"a PM file upload is limited to {limit} bytes")
    return _unpacked(request, bytes(body), name)


def _unpacked(request: Request, body: bytes, name: str | None) -> tuple[bytes, str]:
    media_type = request.headers.get("content-type", "")
    if media_type.split(";")[0].strip().lower() == "multipart/form-data":
        body, filename = _multipart_file(body, media_type)
        name = name or filename
    elif media_type.split(";")[0].strip().lower() not in RAW_TYPES:
        raise ProblemError(
            415, f"send the PM file as application/xml or multipart, not {media_type}"
        )
    if not body:
        raise ProblemError(400, "the request body is empty; send a PM file")
    return body, file_name(name) or f"upload-{file_key(body)[:16]}.xml"


def file_name(name: str | None) -> str:
    """The upload's name as a file name ('' for none); 400 when no file system can hold it."""
    safe = PurePath(name or "").name  # never a path: quarantine writes under this name
    if safe == "..":
        return ""
    if any(ord(char) < 32 or ord(char) == 127 for char in safe):
        raise ProblemError(400, f"the file name {safe!r} holds control characters")
    if len(safe.encode()) > MAX_NAME_BYTES:
        raise ProblemError(400, f"the file name is longer than {MAX_NAME_BYTES} bytes")
    return safe


def _conflict(c: Conflict) -> dict[str, Any]:
    return {
        "object": c.object,
        "measurement": c.measurement,
        "start": c.start.isoformat(),
        "seconds": c.seconds,
        "kept": c.kept,
        "refused": c.refused,
    }


def _answer(result: IngestResult) -> JSONResponse:
    body: dict[str, Any] = {
        "name": result.name,
        "outcome": str(result.outcome),
        "rows": result.rows,
        "sha256": result.key,
        "skipped": result.skipped,  # values already stored (same object, counter, period)
        "conflict_count": result.conflict_count,
        "conflicts": [_conflict(c) for c in result.conflicts],
        "objects": list(result.objects),  # what the file brought in, as model DNs
        "measurements": list(result.measurements),
        "unmodelled": list(result.unmodelled),  # kept as seen; see /api/v1/discovered
    }
    if result.outcome is Outcome.QUARANTINED:
        where = f"line {result.line}" if result.line else result.name
        raise ProblemError(
            422,
            f"{result.name} is not a usable PM file: {result.reason}; it was quarantined",
            errors=[Issue(where, result.reason or "malformed")],
        )
    return JSONResponse(body, status_code=201 if result.outcome is Outcome.STORED else 200)


def pm_router() -> APIRouter:
    """The PM-file upload route; needs `app.state.telemetry` and the services."""
    router = APIRouter(prefix="/api/v1", tags=["pm-files"])

    @router.post(
        "/pm-files",
        summary="Ingest one PM file",
        status_code=201,
        response_model=None,
        responses={
            201: {"model": PmFileOut, "description": "stored"},
            200: {"model": PmFileOut, "description": "duplicate: already stored"},
            **problem_responses(400, 413, 415, 422, 503),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "A TS 32.435 measCollecFile or TS 28.532 measDataFile (or .gz).",
                "content": {
                    "application/xml": {"schema": {"type": "string"}},
                    "multipart/form-data": {
                        "schema": {"type": "object", "properties": {"file": {"type": "string"}}}
                    },
                },
            }
        },
    )
    async def upload_pm_file(
        request: Request,
        services: ServicesDep,
        store: TelemetryDep,
        name: Annotated[
            str | None, Query(description="File name (else header/filename)", **NAME_RULE)
        ] = None,
        header_name: Annotated[str | None, Header(alias=NAME_HEADER, **NAME_RULE)] = None,
    ) -> JSONResponse:
        """Parse, map and store the file; 201 stored, 200 duplicate, 422 quarantined."""
        settings = services.settings
        data, file_name = await _upload(request, name or header_name, settings.pm_max_bytes)
        dirs = PmDirs.under(settings.data_dir, settings.pm_inbox_dir, settings.pm_quarantine_dir)
        limits = IntakeLimits(settings.pm_max_bytes, settings.pm_clock_tolerance_s)
        intake = PmIntake(store, dirs.quarantine, limits=limits, identity=services.identity)
        result = await run_in_threadpool(intake.ingest_bytes, data, file_name)
        return _answer(result)

    return router
