"""The site, its SNPN identity, floor areas and frequency permits."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from openipn.model.base import FloatRange, InventoryObject, Name, Polygon, Strict, Text
from openipn.model.identifiers import (
    Nid,
    NidAssignmentMode,
    PlmnId,
    check_nid,
    home_network_domain,
    nid_assignment_mode,
    serving_network_name,
)


class GeoAnchor(Strict):
    """WGS 84 position of the local origin (0, 0) and the bearing of the local +y axis."""

    latitude: FloatRange(-90, 90)  # type: ignore[valid-type]
    longitude: FloatRange(-180, 180)  # type: ignore[valid-type]
    altitude_m: float = 0.0
    bearing_deg: FloatRange(0, 360) = 0.0  # type: ignore[valid-type]


class TelemetryRetention(Strict):
    """How many days the telemetry store keeps each resolution tier (raw, hourly, daily)."""

    raw_days: int = Field(default=35, ge=1)
    hourly_days: int = Field(default=400, ge=1)
    daily_days: int = Field(default=3650, ge=1)


class Site(Strict):
    """The plant: one site file describes one site."""

    name: Name
    description: str = ""
    timezone: str = "Asia/Shanghai"
    anchor: GeoAnchor
    telemetry: TelemetryRetention | None = None  # None: the store's defaults


class Snpn(Strict):
    """SNPN identity: PLMN ID + NID (TS 23.501 §5.30.2.1)."""

    plmn: PlmnId
    nid: Nid
    nid_assignment: NidAssignmentMode | None = None

    @field_validator("nid")
    @classmethod
    def _check_nid(cls, value: str) -> str:
        return check_nid(value)

    @model_validator(mode="after")
    def _check_mode(self) -> Snpn:
        encoded = nid_assignment_mode(self.nid)
        if self.nid_assignment is None:
            self.nid_assignment = encoded
        elif self.nid_assignment != encoded:
            raise ValueError(
                f"nid {self.nid} encodes assignment mode {encoded.value}, "
                f"not {self.nid_assignment.value} (TS 23.003 §12.7)"
            )
        return self

    @property
    def serving_network_name(self) -> str:
        """Serving network name used in 5G AKA key derivation."""
        return serving_network_name(self.plmn, self.nid)

    @property
    def home_network_domain(self) -> str:
        """Home network domain name of the SNPN."""
        return home_network_domain(self.plmn, self.nid)


class AreaKind(StrEnum):
    """What an area of the floor is used for."""

    WORKSHOP = "workshop"
    WAREHOUSE = "warehouse"
    OFFICE = "office"
    YARD = "yard"
    DATA_ROOM = "data_room"


class Area(InventoryObject):
    """A named area of the site floor, a polygon in local metres."""

    kind: AreaKind = AreaKind.WORKSHOP
    polygon: Polygon
    ceiling_height_m: float = Field(default=8.0, gt=0)


class FrequencyRange(Strict):
    """A permitted frequency range in MHz."""

    start_mhz: float = Field(gt=0)
    end_mhz: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> FrequencyRange:
        if self.end_mhz <= self.start_mhz:
            raise ValueError(f"end_mhz {self.end_mhz} is not above start_mhz {self.start_mhz}")
        return self


class Permit(InventoryObject):
    """A radio frequency permit: who may transmit what, where and until when."""

    number: Text
    holder: str
    valid_from: dt.date
    valid_until: dt.date
    ranges: list[FrequencyRange] = Field(min_length=1)
    max_eirp_dbm: float
    area: Polygon

    @model_validator(mode="after")
    def _dates(self) -> Permit:
        if self.valid_until < self.valid_from:
            raise ValueError(
                f"valid_until {self.valid_until} is before valid_from {self.valid_from}"
            )
        return self

    def covers(self, low_mhz: float, high_mhz: float) -> bool:
        """True when the whole band low..high lies inside one permitted range."""
        return any(r.start_mhz <= low_mhz and high_mhz <= r.end_mhz for r in self.ranges)
