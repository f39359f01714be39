"""3GPP PM measurement files: TS 32.435 measCollecFile writer, TS 32.435/TS 28.532 reader.

Domain values are frozen dataclasses.  A result is ``int | float | str | None``: ``None`` is
NIL (TS 32.435) / NULL (TS 28.532) or an empty ``<r>``.  Vendor array counters
(``<r p="2">86,87,2</r>``, ``, , ,``) are kept verbatim as ``str``; ``array_values`` splits them.
``decode(encode_meas_collec(f)) == f`` for every ``PmFile`` the encoder accepts.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

NS_MEAS_COLLEC = "http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec"
NS_MEAS_DATA = "http://www.3gpp.org/ftp/specs/archive/28_series/28.532#measData"
DEFAULT_FORMAT_VERSION = "32.435 V10.0"

Result = int | float | str | None


class PmFileError(ValueError):
    """A PM file is not well-formed or lacks something it must have; ``line`` if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def _require_aware(value: datetime, what: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (xs:dateTime with offset)")


@dataclass(frozen=True, slots=True)
class FileHeader:
    """fileHeader: format version, vendor, DN prefix, sender and collection begin time."""

    begin_time: datetime
    file_format_version: str = DEFAULT_FORMAT_VERSION
    vendor_name: str | None = None
    dn_prefix: str | None = None
    sender_local_dn: str | None = None  # 28.532: fileSender@senderName
    sender_element_type: str | None = None  # 28.532: fileSender@senderType

    def __post_init__(self) -> None:
        _require_aware(self.begin_time, "beginTime")


@dataclass(frozen=True, slots=True)
class ManagedElement:
    """measData/managedElement (28.532: measEntity) attributes."""

    local_dn: str | None = None
    user_label: str | None = None
    sw_version: str | None = None


@dataclass(frozen=True, slots=True)
class MeasValue:
    """One measured object: results aligned with the measInfo's meas_types."""

    meas_obj_ldn: str
    results: tuple[Result, ...]
    suspect: bool = False


@dataclass(frozen=True, slots=True)
class MeasInfo:
    """One measInfo block: granularity period (seconds), end time, counter names, values."""

    gran_period_s: int
    end_time: datetime
    meas_types: tuple[str, ...]
    meas_values: tuple[MeasValue, ...] = ()
    meas_info_id: str | None = None
    job_id: str | None = None
    rep_period_s: int | None = None

    def __post_init__(self) -> None:
        _require_aware(self.end_time, "granPeriod endTime")
        width = len(self.meas_types)
        for value in self.meas_values:
            if len(value.results) != width:
                raise ValueError(
                    f"{value.meas_obj_ldn}: {len(value.results)} results for {width} meas types"
                )

    def column(self, meas_type: str) -> dict[str, Result]:
        """Results of one counter, by measObjLdn."""
        index = self.meas_types.index(meas_type)
        return {value.meas_obj_ldn: value.results[index] for value in self.meas_values}


@dataclass(frozen=True, slots=True)
class PmFile:
    """A type-A PM file: one managed element, one or more measInfo blocks."""

    header: FileHeader
    managed_element: ManagedElement
    meas_infos: tuple[MeasInfo, ...]
    end_time: datetime  # fileFooter/measCollec@endTime

    def __post_init__(self) -> None:
        _require_aware(self.end_time, "fileFooter endTime")

    def full_dn(self, ldn: str) -> str:
        """Full DN of a measObjLdn, from dnPrefix and the managed element's localDn."""
        return full_dn(ldn, self.header.dn_prefix, self.managed_element.local_dn)


# --- DNs (TS 32.300 annex C: DN = dnPrefix + LDN) ---------------------------------

_RDN_SPLIT = re.compile(r"(?<!\\),")


def _rdns(dn: str | None) -> list[str]:
    return [rdn.strip() for rdn in _RDN_SPLIT.split(dn)] if dn else []


def _element_rdns(managed_element_dn: str | None) -> list[str]:
    """RDNs of the managed element; a plain name (no ``=``) is the ManagedElement's id."""
    rdns = _rdns(managed_element_dn)
    if len(rdns) == 1 and "=" not in rdns[0]:  # Ericsson: localDn="seliitdus00487"
        return [f"ManagedElement={rdns[0]}"]
    return rdns


def _is_element(rdn: str) -> bool:
    return rdn.partition("=")[0].strip() == "ManagedElement"


def full_dn(ldn: str, dn_prefix: str | None, managed_element_dn: str | None) -> str:
    """Full DN of an LDN written relative to the managed element or from within its DN.

    TS 32.300 annex C: DN = dnPrefix + LDN.  The base is dnPrefix followed by the element's
    localDn (a plain name is ``ManagedElement=<name>``); an LDN whose first RDN occurs in the
    base is spliced in at that RDN, so no RDN is repeated; an LDN starting with another
    ``ManagedElement=`` id (Ericsson's local ``ManagedElement=1``) names the file's element.
    Raises ``PmFileError`` when an
    RDN of the result has no ``=``.
    """
    prefix, element, rdns = _rdns(dn_prefix), _element_rdns(managed_element_dn), _rdns(ldn)
    if prefix and element[: len(prefix)] == prefix:  # localDn written as a full DN
        element = element[len(prefix) :]
    base = prefix + element
    plain = element[-1:] == [f"ManagedElement={rdns[0]}"] if rdns else False
    own = bool(rdns and element) and _is_element(rdns[0]) and _is_element(element[-1])
    if plain or own:  # the element's plain name, or its local MO id (`ManagedElement=1`)
        rdns[0] = element[-1]
    if rdns and rdns[0] in base:
        base = base[: base.index(rdns[0])]
    joined = base + rdns
    bad = next((rdn for rdn in joined if "=" not in rdn), None)
    if bad is not None:
        raise PmFileError(f"measObjLdn {ldn!r}: RDN {bad!r} has no '=' (TS 32.300 annex C)")
    return ",".join(joined)


# --- results ---------------------------------------------------------------------

_NIL_TEXT = frozenset({"", "NIL", "NULL"})  # 32.435 NIL, 28.532 NULL, empty <r> quirk
_SPECIAL_FLOATS = {"INF": math.inf, "+INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
_INT_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_result(text: str | None) -> Result:
    """One result text as int, float (xs:float lexical form), None (NIL/NULL/empty) or str."""
    if text is None:
        return None
    if text.isdecimal():
        return int(text)
    if text.replace(".", "", 1).isdecimal():
        return float(text)
    stripped = text.strip()
    if stripped in _NIL_TEXT:
        return None
    if _INT_RE.fullmatch(stripped):
        return int(stripped)
    if _FLOAT_RE.fullmatch(stripped):
        return float(stripped)
    return _SPECIAL_FLOATS.get(stripped, stripped)


def array_values(result: Result) -> tuple[Result, ...]:
    """Elements of a comma-separated array result (``86,87,,2``); a scalar gives a 1-tuple."""
    if isinstance(result, str):
        return tuple(parse_result(item) for item in result.split(","))
    return (result,)


# --- encoder ---------------------------------------------------------------------

_ATTR_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_ATTR_ESCAPES |= {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_SPECIAL = re.compile(r'[&<>"\t\n\r]')
_TEXT_SPECIAL = re.compile(r"[&<>\r]")
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAME_START = (
    ":A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_XML_NAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\xb7\u0300-\u036f\u203f\u2040]*")


def _escape(text: str, special: re.Pattern[str], table: dict[str, str]) -> str:
    if _NOT_XML_CHAR.search(text):
        raise ValueError(f"{text!r} contains a character XML 1.0 cannot carry")
    return special.sub(lambda match: table[match.group()], text) if special.search(text) else text


def _attr(name: str, value: str | None) -> str:
    if value is None:
        return ""
    return f' {name}="{_escape(value, _ATTR_SPECIAL, _ATTR_ESCAPES)}"'


def _time(value: datetime) -> str:
    """xs:dateTime with the UTC offset kept (XSD: offset in whole minutes, at most 14:00)."""
    offset = value.utcoffset()
    if offset is None or offset % timedelta(minutes=1) or abs(offset) > timedelta(hours=14):
        raise ValueError(f"{value!r}: needs a UTC offset of whole minutes within ±14:00")
    return value.isoformat()


def _duration(seconds: int) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError(f"{seconds!r} is not a duration in whole seconds")
    return f"PT{seconds}S"


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a measurement; use None (NIL) for a missing value")
    return repr(value)


def _str_text(value: str) -> str:
    decoded = parse_result(value)
    if type(decoded) is not str or decoded != value:
        raise ValueError(f"string result {value!r} would be read back as {decoded!r}")
    return _escape(value, _TEXT_SPECIAL, _TEXT_ESCAPES)


_RESULT_TEXT: dict[type, Any] = {
    int: int.__repr__,
    float: _float_text,
    str: _str_text,
    type(None): lambda _: "NIL",  # TS 32.435: NIL = no value available
}


def _result_text(value: Result) -> str:
    formatter = _RESULT_TEXT.get(type(value))
    if formatter is None:  # e.g. numpy scalars, which register with the numbers ABCs
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"result {value!r} is not int, float, str or None")
        formatter, value = (
            (int.__repr__, int(value))
            if isinstance(value, numbers.Integral)
            else (_float_text, float(value))
        )
    text: str = formatter(value)
    return text


def _meas_type(name: str) -> str:
    if not _XML_NAME.fullmatch(name):
        raise ValueError(f"meas type {name!r} is not an XML Name (measCollec.xsd measType)")
    return name


def _encode_info(info: MeasInfo, out: list[str]) -> None:
    out.append(f"<measInfo{_attr('measInfoId', info.meas_info_id)}>")
    if info.job_id is not None:
        out.append(f"<job{_attr('jobId', info.job_id)}/>")
    period, end = _duration(info.gran_period_s), _time(info.end_time)
    out.append(f'<granPeriod duration="{period}" endTime="{end}"/>')
    if info.rep_period_s is not None:
        out.append(f'<repPeriod duration="{_duration(info.rep_period_s)}"/>')
    positions = range(1, len(info.meas_types) + 1)
    out.extend(
        f'<measType p="{p}">{_meas_type(n)}</measType>'
        for p, n in zip(positions, info.meas_types, strict=True)
    )
    opens = [f'<r p="{p}">' for p in positions]
    for value in info.meas_values:
        out.append(f"<measValue{_attr('measObjLdn', value.meas_obj_ldn)}>")
        out.extend([f"{o}{_result_text(r)}</r>" for o, r in zip(opens, value.results, strict=True)])
        out.append("<suspect>true</suspect></measValue>" if value.suspect else "</measValue>")
    out.append("</measInfo>")


def encode_meas_collec(pm: PmFile) -> bytes:
    """Serialise as a TS 32.435 measCollecFile (``measType p=`` / ``r p=`` form), UTF-8."""
    head, element = pm.header, pm.managed_element
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<measCollecFile xmlns="{NS_MEAS_COLLEC}">',
        f"<fileHeader{_attr('fileFormatVersion', head.file_format_version)}"
        f"{_attr('vendorName', head.vendor_name)}{_attr('dnPrefix', head.dn_prefix)}>",
        f"<fileSender{_attr('localDn', head.sender_local_dn)}"
        f"{_attr('elementType', head.sender_element_type)}/>",
        f'<measCollec beginTime="{_time(head.begin_time)}"/></fileHeader>',
        f"<measData><managedElement{_attr('localDn', element.local_dn)}"
        f"{_attr('userLabel', element.user_label)}{_attr('swVersion', element.sw_version)}/>",
    ]
    for info in pm.meas_infos:
        _encode_info(info, out)
    out.append(f'</measData><fileFooter><measCollec endTime="{_time(pm.end_time)}"/>')
    out.append("</fileFooter></measCollecFile>\n")
    return "".join(out).encode("utf-8")
