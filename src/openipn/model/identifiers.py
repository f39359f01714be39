"""SNPN and 5G identifiers: PLMN ID, NID, S-NSSAI, NCI, SUPI, ICCID, PEI.

Pure functions and small immutable values; no I/O.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from openipn.model.base import SPACE, Text

MCC_RE = re.compile(r"^[0-9]{3}$")
MNC_RE = re.compile(r"^[0-9]{2,3}$")
NID_RE = re.compile(r"^[0-9A-Fa-f]{11}$")  # TS 24.501 SNN-NID = 11 hex digits
SD_RE = re.compile(r"^[0-9A-Fa-f]{6}$")  # TS 23.003 §28.4.2: SD is 3 octets
NCI_BITS = 36  # TS 38.300 §8.2: NR Cell Identity is 36 bits


def string_schema(pattern: str) -> dict[str, Any]:
    """The JSON schema of text matching `pattern` (declared; the validators enforce it)."""
    return {"type": "string", "pattern": pattern}


# TS 23.003 §12.7: the first NID digit is the assignment mode 0, 1 or 2; check_nid enforces it.
NID_SCHEMA = string_schema(r"^[0-2][0-9A-Fa-f]{10}$")
SUPI_SCHEMA = string_schema(rf"^(?:imsi-[0-9]{{6,15}}|nai-[^@{SPACE}]+@[^@{SPACE}]+)$")
# The Luhn check digit (ITU-T E.118) is enforced by check_iccid / check_imei, not declared.
ICCID_SCHEMA = string_schema(r"^[0-9]{19,20}$")
IMEI_SCHEMA = string_schema(r"^[0-9]{15,16}$")
Nid = Annotated[Text, WithJsonSchema(NID_SCHEMA)]
Supi = Annotated[str, WithJsonSchema(SUPI_SCHEMA)]
Iccid = Annotated[Text, WithJsonSchema(ICCID_SCHEMA)]
Imei = Annotated[Text, WithJsonSchema(IMEI_SCHEMA)]


class NidAssignmentMode(StrEnum):
    """NID assignment mode, the first hex digit of the NID (TS 23.003 §12.7)."""

    COORDINATED_OPTION_1 = "coordinated_option_1"  # digit 0: PEN-based, globally unique
    SELF_ASSIGNED = "self_assigned"  # digit 1
    COORDINATED_OPTION_2 = "coordinated_option_2"  # digit 2: unique with the PLMN ID


NID_MODE_DIGIT: dict[str, NidAssignmentMode] = {
    "0": NidAssignmentMode.COORDINATED_OPTION_1,
    "1": NidAssignmentMode.SELF_ASSIGNED,
    "2": NidAssignmentMode.COORDINATED_OPTION_2,
}


class PlmnId(BaseModel):
    """PLMN identity: MCC (3 digits) and MNC (2 or 3 digits); MCC 999 is allowed for SNPNs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mcc: str = Field(json_schema_extra=string_schema(MCC_RE.pattern))
    mnc: str = Field(json_schema_extra=string_schema(MNC_RE.pattern))

    @field_validator("mcc", mode="before")
    @classmethod
    def _check_mcc(cls, value: object) -> str:
        text = str(value)
        if not MCC_RE.fullmatch(text):
            raise ValueError(f"{text!r} is not an MCC (3 decimal digits)")
        return text

    @field_validator("mnc", mode="before")
    @classmethod
    def _check_mnc(cls, value: object) -> str:
        text = str(value)
        if not MNC_RE.fullmatch(text):
            raise ValueError(f"{text!r} is not an MNC (2 or 3 decimal digits)")
        return text

    @property
    def mnc3(self) -> str:
        """MNC padded to three digits, as used in domain names (TS 23.003 §28.2)."""
        return self.mnc.zfill(3)

    def __str__(self) -> str:
        return f"{self.mcc}-{self.mnc}"


def check_nid(nid: str) -> str:
    """Return the NID in lower case, or raise ValueError naming the rule."""
    if not NID_RE.fullmatch(nid):
        raise ValueError(f"{nid!r} is not a NID (11 hexadecimal digits, TS 24.501)")
    if nid[0] not in NID_MODE_DIGIT:
        raise ValueError(f"{nid!r} starts with assignment mode {nid[0]!r}; expected 0, 1 or 2")
    return nid.lower()


def nid_assignment_mode(nid: str) -> NidAssignmentMode:
    """The assignment mode encoded in the first digit of a NID."""
    return NID_MODE_DIGIT[check_nid(nid)[0]]


def home_network_domain(plmn: PlmnId, nid: str) -> str:
    """SNPN home network domain, TS 23.003 §28.2."""
    return f"5gc.nid{nid.lower()}.mnc{plmn.mnc3}.mcc{plmn.mcc}.3gppnetwork.org"


def serving_network_name(plmn: PlmnId, nid: str) -> str:
    """Serving network name for key derivation in an SNPN, TS 24.501 §9.12.1 / TS 33.501."""
    return f"5G:mnc{plmn.mnc3}.mcc{plmn.mcc}.3gppnetwork.org:{nid.lower()}"


class Snssai(BaseModel):
    """S-NSSAI: slice/service type (0..255) and optional slice differentiator (6 hex digits)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sst: Annotated[int, WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 255})]
    sd: Annotated[str, WithJsonSchema(string_schema(SD_RE.pattern))] | None = None

    @field_validator("sst")
    @classmethod
    def _check_sst(cls, value: int) -> int:
        if not 0 <= value <= 255:
            raise ValueError(f"{value} is outside 0..255")
        return value

    @field_validator("sd", mode="before")
    @classmethod
    def _check_sd(cls, value: object) -> str | None:
        if value is None:
            return None
        text = str(value)
        if not SD_RE.fullmatch(text):
            raise ValueError(f"{text!r} is not an SD (6 hexadecimal digits)")
        return text.lower()

    def __str__(self) -> str:
        return f"{self.sst:02x}{self.sd}" if self.sd else f"{self.sst:02x}"


def nci(gnb_id: int, gnb_id_length: int, cell_local_id: int) -> int:
    """36-bit NR Cell Identity: gNB ID in the leftmost gnb_id_length bits (TS 38.300 §8.2)."""
    local_bits = NCI_BITS - gnb_id_length
    if not 0 <= gnb_id < (1 << gnb_id_length):
        raise ValueError(f"gNB ID {gnb_id} does not fit in {gnb_id_length} bits")
    if not 0 <= cell_local_id < (1 << local_bits):
        raise ValueError(
            f"cell local id {cell_local_id} does not fit in {local_bits} bits "
            f"(gNB ID length {gnb_id_length})"
        )
    return (gnb_id << local_bits) | cell_local_id


def luhn_ok(digits: str) -> bool:
    """True when the last digit is the Luhn check digit of the others (ITU-T E.118, TS 23.003)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def luhn_digit(body: str) -> str:
    """The Luhn check digit to append to body."""
    for digit in "0123456789":
        if luhn_ok(body + digit):
            return digit
    raise AssertionError("unreachable")


SUPI_IMSI_RE = re.compile(r"^imsi-([0-9]{6,15})$")
SUPI_NAI_RE = re.compile(r"^nai-[^@\s]+@[^@\s]+$")


def check_supi(supi: str) -> str:
    """Validate a SUPI of type IMSI (`imsi-<digits>`) or NAI (`nai-user@realm`), TS 23.003 §2.2B."""
    if SUPI_IMSI_RE.fullmatch(supi) or SUPI_NAI_RE.fullmatch(supi):
        return supi
    if is_ascii_digits(supi):
        raise ValueError(f"{supi!r} lacks its type prefix; write 'imsi-{supi}'")
    raise ValueError(f"{supi!r} is not a SUPI ('imsi-' + 6..15 digits, or 'nai-user@realm')")


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits 0-9 only (no full-width or other digits)."""
    return text.isascii() and text.isdigit()


def check_iccid(iccid: str) -> str:
    """Validate an ICCID: 19 or 20 digits ending in a Luhn check digit (ITU-T E.118)."""
    if not (is_ascii_digits(iccid) and 19 <= len(iccid) <= 20):
        raise ValueError(f"{iccid!r} is not an ICCID (19 or 20 digits)")
    if not luhn_ok(iccid):
        raise ValueError(f"{iccid!r} fails the ICCID Luhn check digit")
    return iccid


def check_imei(imei: str) -> str:
    """Validate an IMEI (15 digits, Luhn) or IMEISV (16 digits), TS 23.003 §6.2."""
    if is_ascii_digits(imei) and len(imei) == 16:
        return imei
    if not (is_ascii_digits(imei) and len(imei) == 15):
        raise ValueError(f"{imei!r} is not an IMEI (15 digits) or IMEISV (16 digits)")
    if not luhn_ok(imei):
        raise ValueError(f"{imei!r} fails the IMEI Luhn check digit")
    return imei


def imei_tac_snr(imei: str) -> str:
    """The first 14 digits (TAC + SNR) that identify a device in both IMEI and IMEISV."""
    return imei[:14]
