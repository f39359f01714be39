"""Managed elements, gNB functions and NR cells (TS 28.541 / TS 28.622 names in comments)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationInfo, WithJsonSchema, field_validator, model_validator

from openipn.model.arfcn import FR1_BANDWIDTHS_MHZ, FR2_BANDWIDTHS_MHZ, arfcn_to_mhz, is_fr2
from openipn.model.base import (
    SPACE,
    FloatRange,
    IntRange,
    InventoryObject,
    Name,
    Point,
    Strict,
    Text,
)
from openipn.model.identifiers import Nid, check_nid, string_schema

MAX_NIDS_PER_PLMN = 12  # a cell broadcasts at most 12 NIDs per PLMN (TS 38.331 / NRM nIDList)
NR_BANDWIDTHS_MHZ = sorted(FR1_BANDWIDTHS_MHZ | FR2_BANDWIDTHS_MHZ)  # TS 38.104 §5.3.2
Bandwidth = Annotated[int, WithJsonSchema({"type": "integer", "enum": NR_BANDWIDTHS_MHZ})]

# TS 32.300 §7: a DN is RDNs `Class=id` joined by commas; _check_dn strips each part (SPACE),
# and the class stops at the first `=`.
_RDN = rf"[^,=]*[^{SPACE},=][^,=]*=[^,]*[^{SPACE},][^,]*"
_PLAIN_ID = rf"[^,]*[^{SPACE},][^,]*"  # a local_dn of one part: any id, e.g. `seliitdus00487`
_ME_RDN = rf"[{SPACE}]*ManagedElement[{SPACE}]*=[^,]*[^{SPACE},][^,]*"
DN_PREFIX_SCHEMA = string_schema(rf"^{_RDN}(?:,{_RDN})*$")
LOCAL_DN_SCHEMA = string_schema(rf"^(?:{_PLAIN_ID}|(?:{_RDN},)+{_ME_RDN})$")


class AdministrativeState(StrEnum):
    """ITU-T X.731 administrative state, as in TS 28.622."""

    LOCKED = "LOCKED"
    UNLOCKED = "UNLOCKED"
    SHUTTING_DOWN = "SHUTTING_DOWN"


class OperationalState(StrEnum):
    """ITU-T X.731 operational state."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class ManagementEndpoint(Strict):
    """How the platform reaches a managed element."""

    netconf_host: str | None = None
    netconf_port: IntRange(1, 65535) = 830  # type: ignore[valid-type]
    ves_source_name: str | None = None


def _is_rdn(text: str) -> bool:
    """`Class=id` with both parts present."""
    cls, sep, value = text.partition("=")
    return bool(sep and cls.strip() and value.strip())


class EquipmentNaming(Strict):
    """How the element's own equipment names things in PM files, VES and NETCONF (TS 32.300).

    `dn_prefix` is the DN of what contains the element (`SubNetwork=G3`, the PM file header's
    dnPrefix); `local_dn` is the element's local DN as the equipment writes it: a plain id
    (`seliitdus00487`) or a DN (`ManagedElement=seliitdus00487`). Both default to the model:
    no prefix and `ManagedElement=<name>`.
    """

    dn_prefix: Annotated[str, WithJsonSchema(DN_PREFIX_SCHEMA)] | None = None
    local_dn: Annotated[str, WithJsonSchema(LOCAL_DN_SCHEMA)] | None = None

    @field_validator("dn_prefix", "local_dn")
    @classmethod
    def _check_dn(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        parts = [part.strip() for part in value.split(",")]
        plain_id = info.field_name == "local_dn" and len(parts) == 1  # `seliitdus00487`
        if not value.strip() or any(
            not part or (not plain_id and not _is_rdn(part)) for part in parts
        ):
            raise ValueError(f"{value!r} is not a distinguished name (Class=id,Class=id,...)")
        last_class = parts[-1].partition("=")[0].strip()
        if info.field_name == "local_dn" and not plain_id and last_class != "ManagedElement":
            raise ValueError(f"{value!r} must end with the element's ManagedElement=<id>")
        return value.strip()


class ElementRole(StrEnum):
    """What a managed element hosts."""

    GNB = "gnb"
    CORE = "core"
    UPF = "upf"
    EDGE = "edge"
    TRANSPORT = "transport"
    TIMING = "timing"


class ManagedElement(InventoryObject):
    """A box the platform manages (TS 28.622 ManagedElement)."""

    role: ElementRole
    vendor: str
    model: str = ""
    software_version: Text = ""  # swVersion
    serial: Text = ""
    location_area: Name | None = None
    management: ManagementEndpoint = Field(default_factory=ManagementEndpoint)
    naming: EquipmentNaming = Field(default_factory=EquipmentNaming)


class Gnb(InventoryObject):
    """A gNB function (GNBDUFunction + GNBCUCPFunction) hosted by a managed element."""

    managed_element: Name
    gnb_id: IntRange(0, 2**32 - 1)  # type: ignore[valid-type]
    gnb_id_length: IntRange(22, 32) = 22  # type: ignore[valid-type]
    position: Point | None = None
    area: Name | None = None
    # TS 28.541 ids of the gNB's functions on its element, as its equipment numbers them
    # (default: the gNB's ordinal on the element; CU-CP and CU-UP default to the DU's id).
    du_function_id: IntRange(0, 2**32 - 1) | None = None  # type: ignore[valid-type]
    cucp_function_id: IntRange(0, 2**32 - 1) | None = None  # type: ignore[valid-type]
    cuup_function_id: IntRange(0, 2**32 - 1) | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _id_fits_length(self) -> Gnb:
        if self.gnb_id >= 1 << self.gnb_id_length:
            raise ValueError(
                f"gnb_id {self.gnb_id} does not fit in gnb_id_length {self.gnb_id_length} bits"
            )
        return self


class Cell(InventoryObject):
    """An NR cell (NRCellDU + NRCellCU)."""

    gnb: Name
    cell_local_id: IntRange(0, 16383)  # type: ignore[valid-type]
    pci: IntRange(0, 1007)  # type: ignore[valid-type]  # nRPCI
    tac: IntRange(0, 16_777_215)  # type: ignore[valid-type]  # nRTAC, 24 bits
    arfcn_dl: IntRange(0, 3_279_165)  # type: ignore[valid-type]  # arfcnDL
    bandwidth_mhz: Bandwidth = 100  # bSChannelBwDL
    tx_power_dbm: FloatRange(-30, 60) = 24.0  # type: ignore[valid-type]
    antenna_gain_dbi: FloatRange(-10, 30) = 5.0  # type: ignore[valid-type]
    azimuth_deg: FloatRange(0, 360) = 0.0  # type: ignore[valid-type]
    tilt_deg: FloatRange(-90, 90) = 0.0  # type: ignore[valid-type]
    cell_individual_offset_db: FloatRange(-24, 24) = 0.0  # type: ignore[valid-type]
    position: Point | None = None
    area: Name | None = None
    administrative_state: AdministrativeState = AdministrativeState.UNLOCKED
    operational_state: OperationalState = OperationalState.ENABLED
    slices: list[Name] = Field(default_factory=list)
    broadcast_nids: list[Nid] = Field(
        default_factory=list, json_schema_extra={"maxItems": MAX_NIDS_PER_PLMN}
    )
    neighbours: list[Name] = Field(default_factory=list)

    @field_validator("broadcast_nids")
    @classmethod
    def _check_nids(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_NIDS_PER_PLMN:
            raise ValueError(f"{len(value)} NIDs; a cell broadcasts at most {MAX_NIDS_PER_PLMN}")
        return [check_nid(nid) for nid in value]

    @field_validator("bandwidth_mhz")
    @classmethod
    def _check_bandwidth(cls, value: int) -> int:
        if value not in NR_BANDWIDTHS_MHZ:
            allowed = ", ".join(str(b) for b in NR_BANDWIDTHS_MHZ)
            raise ValueError(f"{value} MHz is not an NR channel bandwidth ({allowed})")
        return value

    @property
    def frequency_dl_mhz(self) -> float:
        """Centre frequency of the DL channel reference point (TS 38.104 §5.4.2.1)."""
        return arfcn_to_mhz(self.arfcn_dl)

    @property
    def band_edges_mhz(self) -> tuple[float, float]:
        """Lower and upper edge of the occupied channel, MHz."""
        half = self.bandwidth_mhz / 2
        return self.frequency_dl_mhz - half, self.frequency_dl_mhz + half

    @property
    def eirp_dbm(self) -> float:
        """Equivalent isotropic radiated power: transmit power plus antenna gain."""
        return float(self.tx_power_dbm + self.antenna_gain_dbi)

    @property
    def fr2(self) -> bool:
        """True for a millimetre-wave (FR2) cell."""
        return is_fr2(self.arfcn_dl)
