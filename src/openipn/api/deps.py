"""Request dependencies: the services of the app and the options every write takes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, Header, Path, Query, Request
from pydantic import BeforeValidator

from openipn.api.problems import ProblemError
from openipn.app import Services
from openipn.store.inventory import ApplyResult
from openipn.store.telemetry.api import TelemetryStore

AUTHOR_HEADER = "X-OpenIPN-Author"
MAX_PAGE = 10**9  # with MAX_PAGE_SIZE the row offset stays far inside a signed 64-bit integer
MAX_PAGE_SIZE = 1000
MAX_VERSION = 2**31 - 1  # a version number fits the INTEGER column of either database

PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
PageSizeQuery = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 1000).")
]
ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def iso_date_time(value: object) -> object:
    """Only an ISO 8601 date-time (RFC 3339): pydantic alone reads `0.5` as a Unix time."""
    if isinstance(value, str) and not ISO_DATE_TIME.match(value):
        raise ValueError(f"{value!r} is not an ISO 8601 date-time (e.g. 2026-12-07T08:30:00Z)")
    return value


Instant = Annotated[dt.datetime, BeforeValidator(iso_date_time)]
VersionPath = Annotated[int, Path(ge=0, le=MAX_VERSION, description="A version number.")]


def get_services(request: Request) -> Services:
    """The services the app was built with."""
    return cast(Services, request.app.state.services)


ServicesDep = Annotated[Services, Depends(get_services)]


@dataclass(frozen=True)
class WriteOptions:
    """Who writes, why, and whether only to try."""

    author: str
    reason: str | None
    dry_run: bool


def write_options(
    services: ServicesDep,
    dry_run: Annotated[bool, Query(description="Validate and plan only; change nothing.")] = False,
    reason: Annotated[
        str | None, Query(description="Why the change is made (kept with the version).")
    ] = None,
    author: Annotated[
        str | None, Header(alias=AUTHOR_HEADER, description="Who makes the change.")
    ] = None,
) -> WriteOptions:
    """Options of a write request; the author defaults to the configured one."""
    return WriteOptions(author or services.settings.author, reason, dry_run)


WriteDep = Annotated[WriteOptions, Depends(write_options)]


def write_result(result: ApplyResult) -> dict[str, Any]:
    """The response to a write: the new version (if any), dry_run and the plan."""
    return {"version": result.version, "dry_run": result.dry_run, "plan": result.plan.as_dict()}


TELEMETRY_STATE = "telemetry"  # app.state attribute holding the TelemetryStore


def get_telemetry(request: Request) -> TelemetryStore:
    """The app's time-series store; a 503 problem when none is configured."""
    store = getattr(request.app.state, TELEMETRY_STATE, None)
    if store is None:
        raise ProblemError(503, "no telemetry store is configured on this server")
    return cast(TelemetryStore, store)


TelemetryDep = Annotated[TelemetryStore, Depends(get_telemetry)]
