"""Transport network: switches, routers, TSN bridges, links and the PTP grandmaster."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from openipn.model.base import FloatRange, IntRange, InventoryObject, Name, Point
from openipn.model.radio import AdministrativeState


class TransportNodeType(StrEnum):
    """Kinds of transport node."""

    SWITCH = "switch"
    ROUTER = "router"
    TSN_BRIDGE = "tsn_bridge"


class TransportNode(InventoryObject):
    """A switch, router or TSN bridge."""

    type: TransportNodeType
    managed_element: Name | None = None
    area: Name | None = None
    position: Point | None = None


class Link(InventoryObject):
    """A transport link between two nodes (any named node of the topology)."""

    a: Name
    b: Name
    capacity_mbps: float = Field(gt=0)
    latency_us: FloatRange(0, 1_000_000) = 5.0  # type: ignore[valid-type]
    redundancy_group: str | None = None
    administrative_state: AdministrativeState = AdministrativeState.UNLOCKED

    @model_validator(mode="after")
    def _distinct(self) -> Link:
        if self.a == self.b:
            raise ValueError(f"link connects {self.a} to itself")
        return self


class PtpGrandmaster(InventoryObject):
    """The PTP grandmaster clock (IEEE 1588 / ITU-T G.8275.1 telecom profile)."""

    managed_element: Name | None = None
    domain: IntRange(0, 255) = 24  # type: ignore[valid-type]  # G.8275.1 default domain 24
    clock_class: IntRange(0, 255) = 6  # type: ignore[valid-type]  # 6 = locked to a PRTC
    gnss_locked: bool = True
    area: Name | None = None
