"""3GPP PM measurement files: TS 32.435 measCollecFile writer, TS 32.435/TS 28.532 reader.

Domain values are frozen dataclasses.  A result is ``int | float | str | None``: ``None`` is
NIL (TS 32.435) / NULL (TS 28.532) or an empty ``<r>``.  Vendor array counters
(``<r p="2">86,87,2</r>``, ``, , ,``) are kept verbatim as ``str``; ``array_values`` splits them.
``decode(encode_meas_collec(f)) == f`` for every ``PmFile`` the encoder accepts.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from lxml import etree

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


def full_dn(ldn: str, dn_prefix: str | None, managed_element_dn: str | None) -> str:
    """Full DN of an LDN written relative to the managed element or from within its DN.

    An LDN that already starts with dnPrefix is returned unchanged; one whose first RDN occurs
    in the managed element's localDn (``ManagedElement=1,...``) is spliced in at that RDN.
    """
    prefix, element, rdns = _rdns(dn_prefix), _rdns(managed_element_dn), _rdns(ldn)
    if prefix and rdns[: len(prefix)] == prefix:
        return ldn
    if prefix and element[: len(prefix)] == prefix:  # localDn written as a full DN
        element = element[len(prefix) :]
    if rdns and rdns[0] in element:
        element = element[: element.index(rdns[0])]
    return ",".join(prefix + element + rdns)


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


# --- decoder ---------------------------------------------------------------------

_CHUNK = 1 << 17  # feed size: small enough to prune often, large enough to amortise calls
# Quirk (standards.md §1.4): <?xml-stylesheet?> before the XML declaration; drop such PIs.
_LEADING_PIS = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?(?!xml[\s?])(?:[^?]|\?(?!>))*\?>\s*)+(?=<\?xml[\s?])"
)
_DURATION = re.compile(r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:\.0*)?S)?)?")
_EVENTS = ("fileHeader", "managedElement", "measEntity", "measValue", "measInfo", "fileFooter")
_ROOTS = frozenset({"measCollecFile", "measDataFile"})  # TS 32.435, TS 28.532
_LXML_WHERE = re.compile(r", line [0-9]+, column [0-9]+$")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}  # xs:boolean
# measInfo children before the first measValue: element -> ((attribute, field, kind), ...)
_INFO_ATTRS = {
    "job": (("jobId", "job_id", "text"),),
    "granPeriod": (("duration", "gran_period_s", "duration"), ("endTime", "end_time", "time")),
    "repPeriod": (("duration", "rep_period_s", "duration"),),
}
_Elem = Any  # lxml.etree._Element


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _positive(text: str | None) -> int:
    """A p attribute as a positive integer; 0 if it is not one."""
    return int(text) if text and text.strip().isdecimal() else 0


def _fast_results(texts: list[str]) -> tuple[Result, ...]:
    """Results of one measValue; all-integer rows take a C-level path."""
    try:
        values: list[Result] = list(map(int, texts))
        if "_" not in "".join(texts):  # int() accepts 1_000; xs:integer does not
            return tuple(values)
    except ValueError:
        pass
    return tuple(map(parse_result, texts))


@dataclass(slots=True)
class _Info:
    """A measInfo being read: header fields, counter positions, XPaths and values so far."""

    element: _Elem
    fields: dict[str, Any]
    types: tuple[str, ...]
    positions: dict[int, int]  # p -> index in types
    expected_p: list[str]  # the p attributes of a complete, ordered measValue
    p_of: etree.XPath
    text_of: etree.XPath
    values: list[MeasValue] = field(default_factory=list)


class _Reader:
    """Handlers for the pull parser's end events; the caller prunes what has been read."""

    def __init__(self, line_offset: int) -> None:
        self.offset = line_offset
        self.header: FileHeader | None = None
        self.element: ManagedElement | None = None
        self.infos: list[MeasInfo] = []
        self.end_time: datetime | None = None
        self.info: _Info | None = None
        self.last: _Elem = None
        self.convert = {"text": self.required, "time": self.time, "duration": self.duration}
        self.handlers = {
            "fileHeader": self.on_header,
            "managedElement": self.on_element,
            "measEntity": self.on_element,  # TS 28.532 name
            "measValue": self.on_value,
            "measInfo": self.on_info,
            "fileFooter": self.on_footer,
        }

    def error(self, message: str, elem: _Elem = None) -> PmFileError:
        line = None if elem is None else elem.sourceline
        return PmFileError(message, line + self.offset if line else None)

    def handle(self, events: Iterable[tuple[str, _Elem]]) -> None:
        handlers = self.handlers
        for _, elem in events:
            if self.header is None:
                self.check_document(elem)
            handlers[_local(elem.tag)](elem)
            self.last = elem

    def check_document(self, elem: _Elem) -> None:
        tree = elem.getroottree()
        if tree.docinfo.doctype:
            raise self.error("DOCTYPE declarations are not accepted in PM files")
        if _local(tree.getroot().tag) not in _ROOTS:
            raise self.error(f"root element {tree.getroot().tag!r} is not a PM file")

    def required(self, elem: _Elem, name: str) -> str:
        value: str | None = elem.get(name)
        if value is None:
            raise self.error(f"{_local(elem.tag)} lacks required attribute {name}", elem)
        return value

    def time(self, elem: _Elem, name: str) -> datetime:
        text = self.required(elem, name).strip()
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise self.error(f"{name} {text!r} is not an xs:dateTime", elem) from None
        if value.utcoffset() is None:
            raise self.error(f"{name} {text!r} has no UTC offset", elem)
        return value

    def duration(self, elem: _Elem, name: str) -> int:
        text = self.required(elem, name)
        match = _DURATION.fullmatch(text.strip())
        if match is None or not any(match.groups()):
            raise self.error(f"duration {text!r} is not a whole number of seconds", elem)
        days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds

    def timed_child(self, elem: _Elem, name: str) -> datetime:
        """beginTime / endTime of the measCollec (28.532: measData) child."""
        for child in elem.iterchildren(etree.Element):
            if child.get(name) is not None:
                return self.time(child, name)
        raise self.error(f"{_local(elem.tag)} has no {name}", elem)

    def on_header(self, elem: _Elem) -> None:
        sender = next(elem.iterchildren("{*}fileSender"), None)
        get = {}.get if sender is None else sender.get
        self.header = FileHeader(
            file_format_version=self.required(elem, "fileFormatVersion"),
            begin_time=self.timed_child(elem, "beginTime"),
            vendor_name=elem.get("vendorName"),
            dn_prefix=elem.get("dnPrefix"),
            sender_local_dn=get("localDn", get("senderName")),  # 28.532: senderName
            sender_element_type=get("elementType", get("senderType")),
        )

    def on_element(self, elem: _Elem) -> None:
        found = ManagedElement(elem.get("localDn"), elem.get("userLabel"), elem.get("swVersion"))
        if self.element not in (None, found):
            raise self.error("several managed elements (TS 32.432 type B/D) not supported", elem)
        self.element = found

    def on_footer(self, elem: _Elem) -> None:
        self.end_time = self.timed_child(elem, "endTime")

    def start_info(self, elem: _Elem) -> _Info:
        fields: dict[str, Any] = {"meas_info_id": elem.get("measInfoId")}
        typed: dict[int, str] = {}
        for child in elem.iterchildren(etree.Element):
            name = _local(child.tag)
            if name == "measValue":
                break
            for attribute, key, kind in _INFO_ATTRS.get(name, ()):
                fields[key] = self.convert[kind](child, attribute)
            if name == "measTypes":  # space-separated form
                typed.update(enumerate((child.text or "").split(), start=1))
            elif name == "measType":
                p = _positive(child.get("p"))
                if not p or p in typed:
                    raise self.error(f"measType p={child.get('p')!r} is missing or repeated", child)
                typed[p] = (child.text or "").strip()
        if "gran_period_s" not in fields:
            raise self.error("measInfo has no granPeriod", elem)
        return self.make_info(elem, fields, typed)

    def make_info(self, elem: _Elem, fields: dict[str, Any], typed: dict[int, str]) -> _Info:
        order = sorted(typed)
        namespace = elem.tag.rpartition("}")[0].lstrip("{")
        spaces, prefix = ({"m": namespace}, "m:") if namespace else (None, "")
        p_of, text_of = (
            etree.XPath(f"{prefix}r/{leaf}", namespaces=spaces, smart_strings=False)
            for leaf in ("@p", "text()")
        )
        return _Info(
            element=elem,
            fields=fields,
            types=tuple(typed[p] for p in order),
            positions={p: index for index, p in enumerate(order)},
            expected_p=[str(p) for p in order],
            p_of=p_of,
            text_of=text_of,
        )

    def on_value(self, elem: _Elem) -> None:
        info, parent = self.info, elem.getparent()
        if info is None or info.element is not parent:
            if _local(parent.tag) != "measInfo":
                raise self.error("measValue outside a measInfo", elem)
            info = self.info = self.start_info(parent)
        ldn = self.required(elem, "measObjLdn")
        p_list: list[str] = info.p_of(elem)  # type: ignore[assignment]
        try:
            texts: list[str] = info.text_of(elem) if p_list == info.expected_p else []  # type: ignore[assignment]
            if texts and len(texts) == len(p_list):
                results = _fast_results(texts)
            else:
                results = self.general_results(elem, info)
        except PmFileError:
            raise
        except ValueError as exc:  # e.g. an integer beyond Python's digit limit
            raise self.error(f"measValue {ldn!r}: {exc}", elem) from None
        suspect = len(elem) > len(p_list) and self.suspect(elem[-1])
        info.values.append(MeasValue(ldn, results, suspect))

    def general_results(self, elem: _Elem, info: _Info) -> tuple[Result, ...]:
        """Sparse, unordered or empty ``r p=`` elements, or the ``measResults`` list form."""
        results: list[Result] = [None] * len(info.types)
        seen: set[int] = set()
        for child in elem.iterchildren(etree.Element):
            name = _local(child.tag)
            if name == "measResults":
                items = (child.text or "").split()
                if len(items) != len(results):
                    message = f"measResults has {len(items)} values for {len(results)} types"
                    raise self.error(message, child)
                results = [parse_result(item) for item in items]
            elif name == "r":
                index = info.positions.get(_positive(child.get("p")))
                if index is None or index in seen:
                    raise self.error(f"r p={child.get('p')!r} has no measType or repeats", child)
                seen.add(index)
                results[index] = parse_result(child.text)
        return tuple(results)

    def suspect(self, elem: _Elem) -> bool:
        if _local(elem.tag) != "suspect":
            return False
        flag = _BOOLEANS.get((elem.text or "").strip())
        if flag is None:
            raise self.error(f"suspect {elem.text!r} is not an xs:boolean", elem)
        return flag

    def on_info(self, elem: _Elem) -> None:
        info = self.info
        if info is None or info.element is not elem:
            info = self.start_info(elem)  # a measInfo without measValues
        values = tuple(info.values)
        self.infos.append(MeasInfo(meas_types=info.types, meas_values=values, **info.fields))
        self.info = None

    def prune(self) -> None:
        """Drop the elements read so far (all siblings before the last one handled)."""
        last = self.last
        if last is not None and (parent := last.getparent()) is not None:
            last.clear()  # end events only: `last` is complete and already read
            del parent[: parent.index(last)]

    def result(self) -> PmFile:
        if self.header is None:
            raise self.error("no fileHeader (not a TS 32.435 / TS 28.532 PM file?)")
        if self.end_time is None:
            raise self.error("no fileFooter endTime")
        element = self.element or ManagedElement()
        return PmFile(self.header, element, tuple(self.infos), self.end_time)


def _decode_chunks(chunks: Iterator[bytes]) -> PmFile:
    head, offset = next(chunks, b""), 0
    if match := _LEADING_PIS.match(head):
        head, offset = head[match.end() :], head.count(b"\n", 0, match.end())
    reader = _Reader(offset)
    parser = etree.XMLPullParser(
        events=("end",),
        tag=[f"{{*}}{name}" for name in _EVENTS],
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
        collect_ids=False,
    )
    try:
        for chunk in chain((head,), chunks):
            parser.feed(chunk)
            reader.handle(parser.read_events())
            reader.prune()
        parser.close()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno + offset if exc.lineno else None
        message = _LXML_WHERE.sub("", exc.msg)  # lxml appends the unshifted line and column
        raise PmFileError(f"not well-formed XML: {message}", line) from None
    reader.handle(parser.read_events())
    return reader.result()


def decode(data: bytes | str | os.PathLike[str]) -> PmFile:
    """Read a TS 32.435 measCollecFile or TS 28.532 measDataFile from bytes or a file path.

    Streams with an lxml pull parser (no entity expansion, no network, no huge_tree) and
    prunes the tree as it goes.  Raises ``PmFileError`` for malformed or incomplete files.
    """
    if isinstance(data, bytes):
        return _decode_chunks(data[i : i + _CHUNK] for i in range(0, len(data) or 1, _CHUNK))
    with Path(data).open("rb") as handle:
        return _decode_chunks(iter(partial(handle.read, _CHUNK), b""))
