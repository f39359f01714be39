"""Terminals, subscriptions (SIMs) and the profiles they use."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr, WithJsonSchema, field_validator

from openipn.model.base import NAME_RE, FloatRange, IntRange, InventoryObject, Name, Strict
from openipn.model.identifiers import (
    Iccid,
    Imei,
    Supi,
    check_iccid,
    check_imei,
    check_supi,
    string_schema,
)

HEX32_RE = re.compile(r"^[0-9A-Fa-f]{32}$")
AMF_RE = re.compile(r"^[0-9A-Fa-f]{4}$")
SQN_RE = re.compile(r"^[0-9A-Fa-f]{12}$")
SECRET_FIELDS = ("k", "op", "opc")

# K, OP and OPc: 128-bit MILENAGE inputs (TS 35.206), written only, never returned.
SECRET_SCHEMA = string_schema(HEX32_RE.pattern) | {"format": "password", "writeOnly": True}
Secret128 = Annotated[SecretStr, WithJsonSchema(SECRET_SCHEMA)]


class TerminalType(StrEnum):
    """Kinds of industrial terminal."""

    AGV = "agv"
    ROBOT_CELL = "robot_cell"
    PLC = "plc"
    QC_CAMERA = "qc_camera"
    AR_HEADSET = "ar_headset"
    SENSOR = "sensor"
    CPE = "cpe"
    HANDHELD = "handheld"


class AuthMethod(StrEnum):
    """Primary authentication method (TS 33.501 §6.1)."""

    FIVE_G_AKA = "5G_AKA"
    EAP_AKA_PRIME = "EAP_AKA_PRIME"


class SimProfile(InventoryObject):
    """A subscription template: slices, DNNs and QoS that a SIM row can name."""

    slices: list[Name] = Field(min_length=1)
    dnns: list[str] = Field(min_length=1)
    five_qi: IntRange(1, 255) = 9  # type: ignore[valid-type]
    ambr_ul_mbps: FloatRange(0, 100_000) = 100.0  # type: ignore[valid-type]
    ambr_dl_mbps: FloatRange(0, 100_000) = 100.0  # type: ignore[valid-type]


# A terminal's reports are addressed as <terminal name>/status and /history (the REST API's
# sub-resources), so a terminal's name never ends in one of those segments.
TERMINAL_SUB_RESOURCES = ("status", "history")
TERMINAL_NAME_RE = re.compile(
    "^(?!.*/(?:{})$)".format("|".join(TERMINAL_SUB_RESOURCES)) + NAME_RE.pattern.removeprefix("^")
)


def _check_terminal_name(value: str) -> str:
    if not TERMINAL_NAME_RE.fullmatch(value):
        ends = " or ".join(f"/{sub}" for sub in TERMINAL_SUB_RESOURCES)
        raise ValueError(f"{value!r}: a terminal name cannot end in {ends} (its reports' address)")
    return value


TerminalName = Annotated[
    Name,
    AfterValidator(_check_terminal_name),
    WithJsonSchema({"type": "string", "pattern": TERMINAL_NAME_RE.pattern, "maxLength": 128}),
]


class Terminal(InventoryObject):
    """An industrial device with a 5G module."""

    name: TerminalName
    type: TerminalType
    imei: Imei | None = None
    supi: Supi | None = None
    owner: str = ""  # production line or workshop that owns it
    expected_area: Name | None = None
    application: Name | None = None

    @field_validator("imei")
    @classmethod
    def _check_imei(cls, value: str | None) -> str | None:
        return None if value is None else check_imei(value)

    @field_validator("supi")
    @classmethod
    def _check_supi(cls, value: str | None) -> str | None:
        return None if value is None else check_supi(value)


class Subscription(Strict):
    """A subscription (SIM): SUPI, credentials and what it may use.

    K, OP and OPc never leave the store in clear: they are excluded from dumps and reprs.
    """

    supi: Supi
    iccid: Iccid | None = None
    auth_method: AuthMethod = AuthMethod.FIVE_G_AKA
    k: Secret128 | None = Field(default=None, exclude=True, repr=False)
    op: Secret128 | None = Field(default=None, exclude=True, repr=False)
    opc: Secret128 | None = Field(default=None, exclude=True, repr=False)
    # authentication management field, TS 33.102 §6.3.2
    amf: str = Field(default="8000", json_schema_extra=string_schema(AMF_RE.pattern))
    sqn: str = Field(default="000000000000", json_schema_extra=string_schema(SQN_RE.pattern))
    profile: Name | None = None
    imei: Imei | None = None  # IMEI binding: the only device allowed to use this SIM
    description: str = ""

    @field_validator("supi")
    @classmethod
    def _check_supi(cls, value: str) -> str:
        return check_supi(value)

    @field_validator("iccid")
    @classmethod
    def _check_iccid(cls, value: str | None) -> str | None:
        return None if value is None else check_iccid(value)

    @field_validator("imei")
    @classmethod
    def _check_imei(cls, value: str | None) -> str | None:
        return None if value is None else check_imei(value)

    @field_validator("k", "op", "opc", mode="before")
    @classmethod
    def _secret_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("k", "op", "opc")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not HEX32_RE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 32 hexadecimal digits (128 bits)")
        return None if value is None else SecretStr(value.get_secret_value().lower())

    @field_validator("amf")
    @classmethod
    def _check_amf(cls, value: str) -> str:
        if not AMF_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not an AMF (4 hexadecimal digits)")
        return value.lower()

    @field_validator("sqn")
    @classmethod
    def _check_sqn(cls, value: str) -> str:
        if not SQN_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a SQN (12 hexadecimal digits)")
        return value.lower()

    @property
    def name(self) -> str:
        """Subscriptions are keyed by SUPI."""
        return self.supi

    def has_secrets(self) -> bool:
        """True when the object carries K and OP or OPc."""
        return self.k is not None and (self.op is not None or self.opc is not None)
