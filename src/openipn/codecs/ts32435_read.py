"""Reading 3GPP PM files: TS 32.435 measCollecFile and TS 28.532 measDataFile, streaming.

Tolerant of what real files contain (standards.md §1.4); the domain values are those of
`openipn.codecs.ts32435_pm`, so `decode(encode_meas_collec(f)) == f`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from lxml import etree

from openipn.codecs.ts32435_pm import (
    FileHeader,
    ManagedElement,
    MeasInfo,
    MeasValue,
    PmFile,
    PmFileError,
    Result,
    parse_result,
)

# --- decoder ---------------------------------------------------------------------

_CHUNK = 1 << 17  # feed size: small enough to prune often, large enough to amortise calls
# Quirk (standards.md §1.4): <?xml-stylesheet?> before the XML declaration; drop such PIs.
_LEADING_PIS = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?(?!xml[\s?])(?:[^?]|\?(?!>))*\?>\s*)+(?=<\?xml[\s?])"
)
_DURATION = re.compile(r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:\.0*)?S)?)?")
_EVENTS = (
    "fileHeader", "managedElement", "measEntity", "measValue", "measInfo", "measData",
    "fileFooter",
)  # fmt: skip
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


@dataclass(frozen=True, slots=True)
class Block:
    """A measInfo (or a bounded run of its measValues) with the element it belongs to.

    TS 32.432 file types C/D repeat measData, each with its own managedElement (TS 28.532:
    measEntity); each block carries the element of its own measData.
    """

    header: FileHeader
    element: ManagedElement
    info: MeasInfo


class _Reader:
    """Handlers for the pull parser's end events; the caller prunes what has been read.

    `several` accepts several managed elements (one per measData) and requires one for
    every measInfo; `block_rows` cuts a long measInfo into blocks of that many measValues.
    """

    def __init__(self, line_offset: int, several: bool = False, block_rows: int = 0) -> None:
        self.offset = line_offset
        self.several = several
        self.block_rows = block_rows
        self.header: FileHeader | None = None
        self.element: ManagedElement | None = None  # the first (decode: the only) one
        self.current: ManagedElement | None = None  # the one of the open measData
        self.blocks: list[tuple[ManagedElement | None, MeasInfo]] = []
        self.emitted = False  # part of the open measInfo already went out as a block
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
            "measData": self.on_data,
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
        if not self.several and self.element not in (None, found):
            raise self.error("several managed elements (TS 32.432 type B/D) not supported", elem)
        self.element = self.element or found
        self.current = found

    def on_data(self, elem: _Elem) -> None:
        self.current = None  # the next measData names its own element

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
        if self.block_rows and len(info.values) >= self.block_rows:
            self.emit(info)
            self.emitted = True

    def emit(self, info: _Info) -> None:
        """Hand out the measValues read so far as one block."""
        if self.several and self.current is None:
            where = "in the file" if self.element is None else "in this measData"
            raise self.error(f"no managedElement / measEntity {where}", info.element)
        fields = info.fields
        self.blocks.append(
            (
                self.current,
                MeasInfo(meas_types=info.types, meas_values=tuple(info.values), **fields),
            )
        )
        info.values = []

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
        if info.values or not self.emitted:
            self.emit(info)
        self.info, self.emitted = None, False

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
        return PmFile(self.header, element, tuple(info for _, info in self.blocks), self.end_time)

    def drain(self) -> Iterator[Block]:
        """The blocks read so far (intake mode: every one has its element)."""
        if self.blocks and self.header is None:
            raise self.error("no fileHeader before the measurements")
        for element, info in self.blocks:
            assert self.header is not None and element is not None
            yield Block(self.header, element, info)
        self.blocks.clear()


def _parser() -> Any:
    """A pull parser for end events of the PM elements (no entities, no network)."""
    return etree.XMLPullParser(
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


def _read(chunks: Iterator[bytes], reader_of: Any) -> Iterator[_Reader]:
    """Feed the chunks to a pull parser; yield the reader after each chunk's events."""
    head, offset = next(chunks, b""), 0
    if match := _LEADING_PIS.match(head):
        head, offset = head[match.end() :], head.count(b"\n", 0, match.end())
    reader: _Reader = reader_of(offset)
    parser = _parser()
    try:
        for chunk in chain((head,), chunks):
            parser.feed(chunk)
            reader.handle(parser.read_events())
            reader.prune()
            yield reader
        parser.close()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno + offset if exc.lineno else None
        message = _LXML_WHERE.sub("", exc.msg)  # lxml appends the unshifted line and column
        raise PmFileError(f"not well-formed XML: {message}", line) from None
    reader.handle(parser.read_events())
    yield reader


def _decode_chunks(chunks: Iterator[bytes]) -> PmFile:
    *_, reader = _read(chunks, _Reader)
    return reader.result()


def iter_blocks(chunks: Iterable[bytes], block_rows: int = 0) -> Iterator[Block]:
    """Stream a PM file's measInfos as blocks, each with its own managed element.

    Accepts several managed elements (TS 32.432 types C/D); refuses a file that has none.
    With `block_rows`, a measInfo comes in blocks of at most that many measValues, so memory
    stays bounded whatever the file size.  A file without footer raises after its last block,
    so a consumer must commit nothing before the iterator is exhausted.
    """
    reader = None
    for reader in _read(iter(chunks), partial(_Reader, several=True, block_rows=block_rows)):
        if reader.element is None and reader.blocks:
            raise reader.error("no managedElement / measEntity in the file")
        yield from reader.drain()
    assert reader is not None
    if reader.element is None:
        raise reader.error("no managedElement / measEntity in the file")
    reader.result()  # header and footer present


def decode(data: bytes | str | os.PathLike[str]) -> PmFile:
    """Read a TS 32.435 measCollecFile or TS 28.532 measDataFile from bytes or a file path.

    Streams with an lxml pull parser (no entity expansion, no network, no huge_tree) and
    prunes the tree as it goes.  Raises ``PmFileError`` for malformed or incomplete files.
    """
    if isinstance(data, bytes):
        return _decode_chunks(data[i : i + _CHUNK] for i in range(0, len(data) or 1, _CHUNK))
    with Path(data).open("rb") as handle:
        return _decode_chunks(iter(partial(handle.read, _CHUNK), b""))
