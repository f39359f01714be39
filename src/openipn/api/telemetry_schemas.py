"""Response models of the telemetry routes: VES, PM files, KPIs, measurements, discovered objects.

They document the bodies only: the handlers still return plain JSON-ready data, written by
`ModelJSONResponse` exactly as before (`declared` sets it and no `response_model`), so a body is
never validated, filtered or changed by its model. A key that is only sometimes present is
declared optional and not nullable (`Absent`); a value that can be null is declared nullable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import pydantic_core
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from openipn.assure.kpi_catalog import ScopeKind, Tag, Unit
from openipn.assure.kpis import Granularity

Absent = SkipJsonSchema[None]  # `X | Absent = None`: the key may be missing, never null


class ModelJSONResponse(JSONResponse):
    """JSON as FastAPI writes a response model's: Pydantic's encoder, NaN and ±inf as null."""

    def render(self, content: Any) -> bytes:
        """The content as compact UTF-8 JSON (byte for byte what `dict[str, Any]` gave)."""
        return pydantic_core.to_json(content, inf_nan_mode="null")


def declared(
    model: Any, others: Mapping[int | str, dict[str, Any]] | None = None, status: int = 200
) -> dict[str, Any]:
    """Route arguments declaring `model` as the body of `status`, for the document only."""
    responses: dict[int | str, dict[str, Any]] = {status: {"model": model}, **(others or {})}
    return {"response_model": None, "response_class": ModelJSONResponse, "responses": responses}


class Closed(BaseModel):
    """A body that holds exactly the declared keys."""

    model_config = ConfigDict(extra="forbid")


class StoredRangeOut(Closed):
    """The range of stored data, oldest period start to newest period end."""

    from_: dt.datetime = Field(alias="from", description="Start of the oldest stored period")
    to: dt.datetime = Field(description="End of the newest stored period")


class NoDataOut(Closed):
    """Keys a telemetry answer adds when its window holds no data."""

    note: str | Absent = Field(None, description="Why nothing was found (only when empty)")
    stored: StoredRangeOut | None = Field(
        None, description="What is stored for the object (only when empty); null: nothing"
    )


class VesStatusOut(Closed):
    """Positions and sizes of the VES collector's journal and consumer."""

    journaled: int = Field(description="Events below this position are on disk")
    consumed: int = Field(description="Events below this position have been processed")
    backlog_events: int = Field(description="Events journaled but not yet processed")
    journal_bytes: int = Field(description="Bytes held in journal segment files (bytes)")
    queue_bytes: int = Field(description="Request bytes waiting for the journal writer (bytes)")
    dead_lettered: int = Field(description="Events skipped into the dead-letter file")


class VesAcceptedOut(Closed):
    """The events of a request, journaled durably."""

    accepted: int = Field(description="How many events the request held")
    position: int = Field(description="Journal position of the first of them")


class KpiEntryOut(Closed):
    """One KPI of the catalogue."""

    name: str = Field(description="TS 28.554 name verbatim where one exists")
    title: str
    formula: str = Field(description="Over TS 28.552 counters")
    unit: Unit = Field(description="Unit of the KPI's values")
    objects: list[ScopeKind] = Field(description="What it can be computed for, sorted")
    sliceable: bool = Field(description="A slice scope reads the counters' .SNSSAI subcounters")
    clause: str = Field(description="Clause of TS 28.554 (or the standard) defining it")
    tag: Tag = Field(description="How well the entry is backed")
    notes: str
    counters: dict[str, str] = Field(description="Counter -> the measured object class")
    optional_counters: list[str] = Field(description="Counters that count as 0 when missing")


class KpiCatalogOut(Closed):
    """The KPI catalogue."""

    items: list[KpiEntryOut]


class KpiRowOut(Closed):
    """One bucket of a KPI series and the counter terms behind its value."""

    bucket_start: dt.datetime
    object: str = Field(description="The scope's label")
    value: float | None = Field(description="In `unit`; null: no data or a zero denominator")
    unit: str = Field(description="The KPI's unit")
    complete: bool = Field(description="False: the bucket runs past the newest data or now")
    inputs: dict[str, float | None] = Field(
        description="Each term of the formula (null: no data) and the sums behind rates"
    )


class KpiSeriesOut(NoDataOut):
    """A KPI over an object and time range, one row per bucket."""

    name: str
    object: str = Field(description="The scope's label, e.g. cell:<name> or site")
    from_: dt.datetime = Field(alias="from")
    to: dt.datetime
    granularity: Granularity
    unit: Unit
    rows: list[KpiRowOut]


class SampleOut(Closed):
    """One stored counter value."""

    object: str = Field(description="DN of the measured object")
    measurement: str = Field(description="Counter name (a slice's as `<name>.<S-NSSAI>`)")
    start: dt.datetime = Field(description="Start of the measurement period")
    seconds: int = Field(description="Length of the period (s)")
    value: float


class MeasurementsOut(NoDataOut):
    """Stored counter values of an object, oldest first."""

    object: str = Field(description="The scope's label")
    from_: dt.datetime = Field(alias="from")
    to: dt.datetime
    truncated: bool = Field(description="More values than `limit` are stored")
    items: list[SampleOut]


class StoredObjectOut(Closed):
    """One stored object (DN) and its range."""

    object: str = Field(description="DN as stored")
    ref: str | None = Field(description="The model object it is (kind:name); null: unmodelled")
    from_: dt.datetime = Field(alias="from", description="Start of its oldest period")
    to: dt.datetime = Field(description="End of its newest period")
    measurements: int = Field(description="How many counters are stored for it")


class StoredObjectsOut(Closed):
    """A page of the stored objects."""

    total: int = Field(description="Objects matching, on every page")
    items: list[StoredObjectOut]


class MeasurementNameOut(Closed):
    """One stored counter name and its range."""

    name: str
    from_: dt.datetime = Field(alias="from", description="Start of its oldest period")
    to: dt.datetime = Field(description="End of its newest period")
    objects: int = Field(description="How many objects it is stored for")


class MeasurementNamesOut(Closed):
    """The stored counter names."""

    items: list[MeasurementNameOut]


class DiscoveredOut(Closed):
    """An object seen on the wire that the model did not name."""

    dn: str = Field(description="DN as seen")
    source: str = Field(description="pm-file, ves, prometheus or netconf")
    first_seen: dt.datetime
    last_seen: dt.datetime
    names: list[str] = Field(description="Counters or alarm conditions seen (at most 50)")
    sightings: int = Field(description="How many times it was seen")
    now_modelled_as: str | None = Field(description="The model object it is now; null: none")


class DiscoveredPageOut(Closed):
    """A page of discovered objects, most recently seen first."""

    total: int = Field(description="Objects matching, on every page")
    items: list[DiscoveredOut]


class PmConflictOut(Closed):
    """Two different values for one object, counter and period: `kept` stays stored."""

    object: str
    measurement: str
    start: dt.datetime = Field(description="Start of the period")
    seconds: int = Field(description="Length of the period (s)")
    kept: float
    refused: float


class PmFileOut(Closed):
    """What became of an uploaded PM file."""

    name: str = Field(description="The file's name")
    outcome: Literal["stored", "duplicate"]
    rows: int = Field(description="Values stored")
    sha256: str = Field(description="SHA-256 of the decompressed bytes (hex)")
    skipped: int = Field(description="Values already stored (same object, counter, period)")
    conflict_count: int = Field(description="Values that differ from the stored ones")
    conflicts: list[PmConflictOut] = Field(description="The conflicts (the first ones)")
    objects: list[str] = Field(description="Objects the file brought in, as model DNs")
    measurements: list[str] = Field(description="Counters the file brought in")
    unmodelled: list[str] = Field(description="DNs the model does not name: /api/v1/discovered")
