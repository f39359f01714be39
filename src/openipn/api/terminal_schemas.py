"""Response models of the terminal routes: status, history, the status list, SLA, latency map.

Documentation only, as in telemetry_schemas: the handlers' bodies are sent unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, RootModel

from openipn.api.telemetry_schemas import Absent, Closed

Share = Annotated[
    float | None, Field(description="Part of the whole, 0..1 (6 places); null: nothing counted")
]
LatencyMs = Annotated[float | None, Field(description="Latency (ms); null: no value")]


class PositionOut(Closed):
    """Where the terminal was, in site-local coordinates."""

    x_m: float = Field(description="Site-local x (m)")
    y_m: float = Field(description="Site-local y (m)")


class NeighbourOut(Closed):
    """A neighbour cell the terminal measured (TS 38.331 measurement report)."""

    pci: int = Field(ge=0, le=1007, description="Physical cell identity (TS 38.211 §7.4.2.1)")
    rsrpDbm: float = Field(description="SS-RSRP of the neighbour (dBm, TS 38.215 §5.1.1)")


class TerminalDetailOut(Closed):
    """Further values of the report (a value missing from it is left out)."""

    event_id: str = Field(description="eventId of the VES event that carried the report")
    session: float | Absent = Field(None, description="PDU session up: 1, down: 0")
    latencyUlMs: float | Absent = Field(None, description="Uplink latency (ms)")
    latencyDlMs: float | Absent = Field(None, description="Downlink latency (ms)")
    reliability: float | Absent = Field(None, description="Share delivered within budget, 0..1")
    dlBps: float | Absent = Field(None, description="Served downlink bit rate (bit/s)")
    ulBps: float | Absent = Field(None, description="Served uplink bit rate (bit/s)")
    rsrpDbm: float | Absent = Field(None, description="Serving SS-RSRP (dBm, TS 38.215 §5.1.1)")
    rsrqDb: float | Absent = Field(None, description="Serving SS-RSRQ (dB, TS 38.215 §5.1.3)")
    sinrDb: float | Absent = Field(None, description="Serving SS-SINR (dB, TS 38.215 §5.1.5)")
    neighbours: list[NeighbourOut] | Absent = Field(
        None, description="Strongest neighbours measured, strongest first (at most 3)"
    )


class TerminalStatusOut(Closed):
    """The newest report of a terminal."""

    terminal: str
    telemetry: Literal["reporting"]
    reported_at: dt.datetime = Field(description="Event time of the report (UTC)")
    supi: str | None
    registered: bool
    connected: bool
    active: bool | None = Field(
        description="The application had traffic to send; false: idle or switched off by choice "
        "(its reports are not evaluated against the SLA); null: not reported (taken as active)"
    )
    cell: str | None = Field(description="Serving cell; null: not connected or not reported")
    slice: str | None = Field(description="S-NSSAI as reported (hex, e.g. 01000002)")
    latency_ms: LatencyMs
    position: PositionOut | None = Field(description="null: not reported")
    detail: TerminalDetailOut


class ReportingTerminalOut(TerminalStatusOut):
    """A terminal's newest report, and whether the model names the terminal."""

    in_model: bool


class SilentTerminalOut(Closed):
    """A terminal of the model that never reported."""

    terminal: str
    telemetry: Literal["none"]
    reported_at: None
    in_model: Literal[True]


class TerminalStateOut(
    RootModel[Annotated[ReportingTerminalOut | SilentTerminalOut, Field(discriminator="telemetry")]]
):
    """A terminal's status: its newest report, or `telemetry: none` if it never reported."""


class StatusPageOut(Closed):
    """A page of terminal status, ordered by terminal name."""

    items: list[TerminalStatusOut]
    total: int = Field(description="Terminals matching, on every page")
    page: int
    page_size: int


class HistoryItemOut(Closed):
    """One report of a terminal (null: the value was not reported)."""

    start: dt.datetime = Field(description="Start of the report's period")
    seconds: int = Field(description="Length of the period (s)")
    latency_ms: LatencyMs
    latency_ul_ms: LatencyMs
    latency_dl_ms: LatencyMs
    reliability: float | None = Field(description="Share delivered within budget, 0..1")
    dl_bps: float | None = Field(description="Served downlink bit rate (bit/s)")
    ul_bps: float | None = Field(description="Served uplink bit rate (bit/s)")
    x_m: float | None = Field(description="Site-local x (m)")
    y_m: float | None = Field(description="Site-local y (m)")
    registered: bool | None
    connected: bool | None
    active: bool | None = Field(
        description="The application had traffic to send; false: idle or switched off by choice "
        "(its reports are not evaluated against the SLA); null: not reported (taken as active)"
    )


class HistoryOut(Closed):
    """The reports of a terminal in [from, to), oldest first."""

    terminal: str
    from_: dt.datetime = Field(alias="from")
    to: dt.datetime
    items: list[HistoryItemOut]


class TargetsOut(Closed):
    """What a slice or application promises each terminal; a bit rate of 0: no target."""

    latency_budget_ms: float = Field(description="One-way latency budget (ms)")
    reliability_percent: float = Field(description="Reliability target (%)")
    ul_mbps: float = Field(description="Uplink, per terminal (Mbit/s)")
    dl_mbps: float = Field(description="Downlink, per terminal (Mbit/s)")
    total_mbps: float = Field(description="Uplink and downlink together (Mbit/s)")


class ReportCountsOut(Closed):
    """Reports meeting the target (`_at_most`: the upper bound, hourly method only)."""

    total: int = Field(description="Evaluated reports: idle ones (active: false) are not")
    met: int
    met_at_most: int | Absent = None
    share: Share
    share_at_most: float | None = Field(None, description="0..1 (hourly method only)")


class IntervalCountsOut(Closed):
    """Report intervals (hours in the hourly method) in which every report met the target."""

    measured: int
    met: int
    met_at_most: int | Absent = None
    share: Share
    seconds_measured: int = Field(description="Time covered by the intervals (s)")
    seconds_met: int = Field(description="Time covered by the intervals met (s)")
    resolution_s: int | Absent = Field(None, description="Interval length (s), hourly only")


class TerminalCountsOut(Closed):
    """Terminals that met the target often enough."""

    evaluated: int = Field(description="Terminals with at least one evaluated (active) report")
    met: int
    met_at_most: int | Absent = None
    share: Share
    failing: list[str] = Field(description="Terminals that did not (at most 20)")


class CriterionOut(Closed):
    """Compliance with one target, counted by reports, intervals and terminals."""

    reports: ReportCountsOut
    intervals: IntervalCountsOut
    terminals: TerminalCountsOut


class LatencyCriterionOut(CriterionOut):
    """Latency compliance and the latency figures (percentiles: raw method only)."""

    no_service_reports: int = Field(
        description="Evaluated reports without a latency (no service: a miss)"
    )
    idle_reports: int = Field(
        description="Reports of an idle terminal (active: false), not evaluated for any target"
    )
    mean_ms: float | None = Field(None, description="Mean latency (ms), hourly method only")
    p50_ms: LatencyMs
    p95_ms: LatencyMs
    p99_ms: LatencyMs
    max_ms: LatencyMs


class SlaGroupOut(Closed):
    """A slice's or an application's compliance."""

    kind: Literal["slice", "application"]
    name: str
    slice: str = Field(description="The slice (an application's slice)")
    targets: TargetsOut
    terminals: int = Field(description="Terminals that use it")
    terminals_reporting: int = Field(description="Terminals with a report in the window")
    terminals_silent: int = Field(description="Terminals without a report in the window")
    terminals_idle: int = Field(
        description="Reporting terminals whose every report was idle (active: false): "
        "not evaluated, in no `terminals` count"
    )
    latency: LatencyCriterionOut
    reliability: CriterionOut
    bitrate: CriterionOut | None = Field(description="null: no bit-rate target")


class SlaOut(Closed):
    """SLA compliance of every slice and application over [from, to)."""

    from_: dt.datetime = Field(alias="from")
    to: dt.datetime
    method: Literal["raw", "hourly"] = Field(description="Every report, or hourly roll-ups")
    reports: int = Field(description="Terminal reports in the window")
    slices: list[SlaGroupOut]
    applications: list[SlaGroupOut]


class GridCellOut(Closed):
    """One grid cell of an area: its reports and latency (only `count` when it has none)."""

    count: int = Field(description="Reports placed in the cell")
    no_service: int | Absent = Field(None, description="Reports without a latency")
    p50_ms: LatencyMs = None
    p95_ms: LatencyMs = None
    max_ms: LatencyMs = None
    within_budget: int | Absent = Field(None, description="Reports within the latency budget")
    met: bool | Absent = Field(None, description="Within budget at least as often as the target")


class OriginOut(Closed):
    """The lower-left corner of the grid."""

    x_m: float = Field(description="Site-local x (m)")
    y_m: float = Field(description="Site-local y (m)")


class GridOut(Closed):
    """A grid of square cells over an area's bounding box."""

    origin: OriginOut
    cell_m: float = Field(description="Cell size (m)")
    columns: int
    rows: list[list[GridCellOut | None]] = Field(
        description="rows[0] is the lowest y; null: outside the area"
    )


class CoverageOut(Closed):
    """How many grid cells were measured and met the budget."""

    cells: int
    measured: int
    met: int
    unmeasured: int
    met_share_of_measured: Share
    unmeasured_share: Share
    met_share_of_area: Share


class AreaMapOut(Closed):
    """The latency grid of one area the application must work in."""

    area: str
    grid: GridOut
    reports: int = Field(description="Reports placed inside the area (idle ones are not)")
    idle_reports: int = Field(
        description="Reports inside the area of an idle terminal (active: false), not evaluated"
    )
    coverage: CoverageOut


class LatencyMapOut(Closed):
    """Latency circles of an application over [from, to)."""

    application: str
    from_: dt.datetime = Field(alias="from")
    to: dt.datetime
    latency_budget_ms: float = Field(description="The application's latency budget (ms)")
    reliability_percent: float = Field(description="The application's reliability target (%)")
    terminals: int = Field(description="Terminals of the application")
    areas: list[AreaMapOut]
    coverage: CoverageOut
