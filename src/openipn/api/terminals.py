"""The live terminal view: latest status, history and a filtered list of terminal status.

A terminal's name never ends in `/status` or `/history` in the collection's routes
(api/paths.py), so `/terminals/<name>/status` is this router's whatever the method.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import Engine

from openipn.api.deps import Instant, PageQuery, PageSizeQuery, ServicesDep, get_telemetry
from openipn.api.paths import TerminalNamePath
from openipn.api.problems import ProblemError
from openipn.api.schemas import TELEMETRY_FAMILY
from openipn.api.telemetry_schemas import declared
from openipn.api.terminal_schemas import HistoryOut, StatusPageOut, TerminalStateOut
from openipn.assure.sla import WindowTooLargeError, load_reports
from openipn.codecs.terminal_report import TERMINAL_SERIES, TerminalKey
from openipn.model.services import Slice
from openipn.model.times import utc
from openipn.store import queries
from openipn.store.telemetry.api import TelemetryStore
from openipn.store.terminals import StatusFilter, StoredStatus, TerminalStatusBook

API = "/api/v1"
DEFAULT_WINDOW = dt.timedelta(hours=1)
# History columns: measurement name -> field of a history item.
HISTORY_FIELDS = {
    TERMINAL_SERIES[TerminalKey.LATENCY_MS]: "latency_ms",
    TERMINAL_SERIES[TerminalKey.LATENCY_UL_MS]: "latency_ul_ms",
    TERMINAL_SERIES[TerminalKey.LATENCY_DL_MS]: "latency_dl_ms",
    TERMINAL_SERIES[TerminalKey.RELIABILITY]: "reliability",
    TERMINAL_SERIES[TerminalKey.DL_BPS]: "dl_bps",
    TERMINAL_SERIES[TerminalKey.UL_BPS]: "ul_bps",
    TERMINAL_SERIES[TerminalKey.X_M]: "x_m",
    TERMINAL_SERIES[TerminalKey.Y_M]: "y_m",
    TERMINAL_SERIES[TerminalKey.REGISTERED]: "registered",
    TERMINAL_SERIES[TerminalKey.CONNECTED]: "connected",
    TERMINAL_SERIES[TerminalKey.ACTIVE]: "active",
}
_FLAGS = {"registered", "connected", "active"}
FromQuery = Annotated[
    Instant | None, Query(alias="from", description="Window start (event time, UTC).")
]
ToQuery = Annotated[Instant | None, Query(description="Window end, exclusive (UTC).")]


def window(
    engine: Engine, start: dt.datetime | None, end: dt.datetime | None, terminal: str | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """[from, to): given, or the hour up to the newest report (event time, never wall time)."""
    if end is None:
        anchor = TerminalStatusBook(engine).newest_report(terminal)
        end = anchor if anchor is not None else (utc(start) + DEFAULT_WINDOW if start else None)
    if end is None:
        end = dt.datetime.now(dt.UTC)  # nothing reported yet: any window is empty
    end = utc(end)
    begin = utc(start) if start is not None else end - DEFAULT_WINDOW
    if end <= begin:
        raise ProblemError(
            422, f"'to' ({end.isoformat()}) must be after 'from' ({begin.isoformat()})"
        )
    return begin, end


def status_out(row: StoredStatus) -> dict[str, Any]:
    """A terminal's stored status as the API shows it."""
    has_position = row.x_m is not None and row.y_m is not None
    detail = dict(row.detail)
    active = detail.pop(str(TerminalKey.ACTIVE), None)  # kept in detail, shown beside the flags
    return {
        "terminal": row.terminal,
        "telemetry": "reporting",
        "reported_at": row.reported_at.isoformat(),
        "supi": row.supi,
        "registered": row.registered,
        "connected": row.connected,
        "active": None if active is None else active >= 0.5,
        "cell": row.cell,
        "slice": row.slice,
        "latency_ms": row.latency_ms,
        "position": {"x_m": row.x_m, "y_m": row.y_m} if has_position else None,
        "detail": detail,
    }


def _no_telemetry(name: str) -> dict[str, Any]:
    return {"terminal": name, "telemetry": "none", "reported_at": None, "in_model": True}


def terminal_status(engine: Engine, name: str) -> dict[str, Any]:
    """The latest status of a terminal; 404 when it is neither in the model nor reported."""
    row = TerminalStatusBook(engine).status(name)
    out = None if row is None else status_out(row)
    in_model = queries.get_object(engine, "terminal", name) is not None
    if out is None:
        if not in_model:
            raise ProblemError(404, f"no terminal named {name!r}")
        return _no_telemetry(name)
    return out | {"in_model": in_model}


def history(
    store: TelemetryStore, name: str, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """One item per report of the terminal in [start, end), oldest first."""
    try:
        table = load_reports(store, list(HISTORY_FIELDS), start, end, [name])
    except WindowTooLargeError as exc:
        raise ProblemError(422, str(exc)) from None
    order = sorted(range(len(table)), key=lambda i: int(table.start[i]))
    items = []
    for i in order:
        item: dict[str, Any] = {
            "start": dt.datetime.fromtimestamp(int(table.start[i]), dt.UTC).isoformat(),
            "seconds": int(table.seconds[i]),
        }
        for measurement, label in HISTORY_FIELDS.items():
            value = float(table.column(measurement)[i])
            known = not math.isnan(value)  # NaN: not reported
            item[label] = (value >= 0.5 if label in _FLAGS else value) if known else None
        items.append(item)
    return items


def snssai(engine: Engine, value: str | None) -> str | None:
    """A slice filter as S-NSSAI hex: a slice's name is translated, anything else kept."""
    if value is None:
        return None
    data = queries.get_object(engine, "slice", value)
    return Slice.model_validate(data).snssai if data is not None else value.lower()


def _status_page(
    engine: Engine, filters: StatusFilter, page: int, page_size: int
) -> dict[str, Any]:
    found = TerminalStatusBook(engine).page(filters, page, page_size)
    items = [status_out(row) for row in found.items]
    return {"items": items, "total": found.total, "page": page, "page_size": page_size}


def terminals_router() -> APIRouter:
    """GET terminal status, history and the status list."""
    router = APIRouter(prefix=API, tags=["terminal status"], responses=TELEMETRY_FAMILY)
    _add_terminal_routes(router)
    _add_list_route(router)
    return router


def _add_terminal_routes(router: APIRouter) -> None:
    """GET one terminal's status and history."""

    @router.get(
        "/terminals/{name:object_name}/status",
        summary="Latest status of a terminal",
        **declared(TerminalStateOut),
    )
    def get_status(name: TerminalNamePath, services: ServicesDep) -> dict[str, Any]:
        """The newest report of a terminal, or `telemetry: none` if it never reported."""
        return terminal_status(services.engine, name)

    @router.get(
        "/terminals/{name:object_name}/history",
        summary="Reports of a terminal over time",
        **declared(HistoryOut),
    )
    def get_history(
        name: TerminalNamePath,
        request: Request,
        services: ServicesDep,
        start: FromQuery = None,
        end: ToQuery = None,
    ) -> dict[str, Any]:
        """The terminal's reports in [from, to); default: the hour up to its newest report."""
        status = terminal_status(services.engine, name)  # 404 for an unknown terminal
        begin, until = window(services.engine, start, end, name)
        items = history(get_telemetry(request), name, begin, until)
        return {
            "terminal": status["terminal"],
            "from": begin.isoformat(),
            "to": until.isoformat(),
            "items": items,
        }


def _add_list_route(router: APIRouter) -> None:
    """GET the status list."""

    @router.get("/terminal-status", summary="List terminal status", **declared(StatusPageOut))
    def list_status(
        services: ServicesDep,
        cell: Annotated[str | None, Query(description="Serving cell name")] = None,
        slice_: Annotated[
            str | None, Query(alias="slice", description="Slice name or S-NSSAI hex")
        ] = None,
        registered: bool | None = None,
        connected: bool | None = None,
        page: PageQuery = 1,
        page_size: PageSizeQuery = 100,
    ) -> dict[str, Any]:
        """A page of terminal status ordered by terminal name, filtered by equality."""
        filters = StatusFilter(
            cell=cell,
            slice=snssai(services.engine, slice_),
            registered=registered,
            connected=connected,
        )
        return _status_page(services.engine, filters, page, page_size)
