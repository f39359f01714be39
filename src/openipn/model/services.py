"""Network slices with their SLA, and the industrial applications that use them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, WithJsonSchema, model_validator

from openipn.model.base import FloatRange, IntRange, InventoryObject, Name, Strict
from openipn.model.identifiers import SD_RE, string_schema


class SliceSla(Strict):
    """Service level a slice promises."""

    latency_budget_ms: FloatRange(0.1, 10_000) = 10.0  # type: ignore[valid-type]
    reliability_percent: FloatRange(0, 100) = 99.99  # type: ignore[valid-type]
    guaranteed_bitrate_mbps: FloatRange(0, 100_000) = 0.0  # type: ignore[valid-type]
    max_terminals: IntRange(1, 10_000_000) = 1000  # type: ignore[valid-type]


class Slice(InventoryObject):
    """A network slice identified by its S-NSSAI (TS 23.003 §28.4.2)."""

    sst: IntRange(0, 255)  # type: ignore[valid-type]
    sd: Annotated[str, WithJsonSchema(string_schema(SD_RE.pattern))] | None = None
    sla: SliceSla = Field(default_factory=SliceSla)

    @model_validator(mode="after")
    def _check_sd(self) -> Slice:
        if self.sd is not None:
            if not SD_RE.fullmatch(self.sd):
                raise ValueError(f"sd {self.sd!r} is not 6 hexadecimal digits")
            self.sd = self.sd.lower()
        return self

    @property
    def snssai(self) -> str:
        """S-NSSAI as SST and SD in hex, e.g. '01000001'."""
        return f"{self.sst:02x}{self.sd or ''}"


class ApplicationClass(StrEnum):
    """Industrial application classes with distinct traffic and latency needs."""

    AGV_CONTROL = "agv_control"
    MOTION_CONTROL = "motion_control"
    MACHINE_VISION_QC = "machine_vision_qc"
    AR_MAINTENANCE = "ar_maintenance"
    SENSORS = "sensors"
    VIDEO_SURVEILLANCE = "video_surveillance"


class Application(InventoryObject):
    """An industrial application: its slice, edge node, latency budget and where it must work."""

    app_class: ApplicationClass = Field(alias="class")
    slice: Name
    edge_node: Name | None = None
    latency_budget_ms: FloatRange(0.1, 10_000)  # type: ignore[valid-type]
    reliability_percent: FloatRange(0, 100) = 99.99  # type: ignore[valid-type]
    bitrate_ul_mbps: FloatRange(0, 100_000) = 0.0  # type: ignore[valid-type]
    bitrate_dl_mbps: FloatRange(0, 100_000) = 0.0  # type: ignore[valid-type]
    areas: list[Name] = Field(min_length=1)
