"""5G core functions, UPFs and edge (MEC) nodes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from openipn.model.base import FloatRange, InventoryObject, Name


class CoreFunctionType(StrEnum):
    """5GC network function types managed as core functions (TS 23.501 §6.2)."""

    AMF = "AMF"
    SMF = "SMF"
    NRF = "NRF"
    AUSF = "AUSF"
    UDM = "UDM"
    UDR = "UDR"
    PCF = "PCF"
    NSSF = "NSSF"


class CoreFunction(InventoryObject):
    """A control-plane core function with its endpoints."""

    type: CoreFunctionType
    managed_element: Name | None = None
    sbi_uri: str | None = None  # service-based interface, e.g. http://10.0.0.5:7777
    metrics_url: str | None = None  # Prometheus endpoint, e.g. http://10.0.0.5:9090/metrics
    ngap_address: str | None = None  # AMF N2 endpoint


class UpfRole(StrEnum):
    """Where a UPF sits."""

    CENTRAL = "central"
    EDGE = "edge"


class Upf(InventoryObject):
    """A user-plane function with the DNNs and slices it anchors."""

    role: UpfRole = UpfRole.CENTRAL
    managed_element: Name | None = None
    n3_address: str | None = None
    n4_address: str | None = None
    metrics_url: str | None = None
    dnns: list[str] = Field(min_length=1)
    slices: list[Name] = Field(default_factory=list)
    area: Name | None = None


class EdgeNode(InventoryObject):
    """A multi-access edge computing node, with the UPF that breaks traffic out to it."""

    managed_element: Name | None = None
    upf: Name
    area: Name | None = None
    cpu_cores: int = Field(default=16, gt=0)
    memory_gib: float = Field(default=64, gt=0)
    processing_latency_ms: FloatRange(0, 1000) = 0.2  # type: ignore[valid-type]
