"""The fast decode path of PM files: bulk value extraction, or None when anything is unusual.

How (a fast path must give exactly what the general decoder gives, or decline):

1. one regular expression per measInfo width n matches each `<measValue>` whose children are
   exactly `<r p="1">…</r>` … `<r p="n">…</r>` in order (plus an optional plain `<suspect>`),
   with only XML white space between; the measValues of a measInfo must follow each other
   with nothing else in between;
2. the file with those measValues emptied (the skeleton: prolog, headers, measTypes, every
   measValue start tag with its measObjLdn) is parsed by lxml, which checks that it is
   well-formed and gives the structure; it must agree with the matches;
3. all texts become float64 in one `np.fromiter`; a text that is not a plain finite number
   (NIL, NULL, empty, arrays, `1_0`, INF) makes the whole file decline.

What the skeleton leaves out is well-formed by construction: fixed tags, white space and texts
of printable ASCII without `&`, `<`, `>` that must also parse as numbers. Anything else
(comments, CDATA, DOCTYPE or PIs in the document, namespace declarations below the root, the
`measTypes`/`measResults` forms, other quoting, missing or odd attributes) declines, and the
caller uses the general decoder, which also names the fault of a malformed file.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from lxml import etree

from openipn.codecs.ts32435_pm import full_dn
from openipn.store.telemetry.api import FloatArray

# Quirk (standards.md §1.4): a <?xml-stylesheet?> before the XML declaration; drop such PIs.
LEADING_PIS = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?(?!xml[\s?])(?:[^?]|\?(?!>))*\?>\s*)+(?=<\?xml[\s?])"
)
ROOTS = frozenset({"measCollecFile", "measDataFile"})  # TS 32.435, TS 28.532
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_MEAS_INFO = re.compile(rb"<measInfo[\s>]")
_MEAS_VALUE_OPEN = re.compile(rb"<measValue[\s>/]")
_MEAS_TYPE = re.compile(rb"<measType[\s>]")
_PT_SECONDS = re.compile(r"PT([0-9]+)S")
_SPACE = rb"[ \t\r\n]*"  # XML white space (bytes \s would also take \v and \f)
# a result text: printable ASCII but & < > and _ (float() takes 1_000, xs:float does not)
_TEXT = rb"([\t\n\r !-%'-;=?-^`-~]*)"
_SKELETON_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, collect_ids=False
)


@dataclass(frozen=True)
class PmTable:
    """One measInfo as a matrix: rows are objects (full DNs), columns counters; NaN unknown."""

    objects: tuple[str, ...]
    types: tuple[str, ...]
    start: int  # period start, epoch seconds UTC (granPeriod endTime - duration)
    seconds: int  # granularity period
    values: FloatArray  # shape (len(objects), len(types))


def strip_leading_pis(data: bytes) -> bytes:
    """The file without processing instructions placed before the XML declaration."""
    match = LEADING_PIS.match(data)
    return data[match.end() :] if match else data


def period_start(end: dt.datetime, seconds: int) -> int:
    """Epoch second (UTC) of the period that ends at `end` and lasts `seconds`."""
    return int(end.timestamp()) - seconds


_full_dn = functools.lru_cache(maxsize=1 << 13)(full_dn)  # the same LDNs every period


def resolve_dns(ldns: list[str], dn_prefix: str | None, element_dn: str | None) -> tuple[str, ...]:
    """Full DNs of measObjLdns (relative or full), per TS 32.300 annex C via `full_dn`."""
    return tuple(_full_dn(ldn, dn_prefix, element_dn) for ldn in ldns)


@cache
def _value_pattern(width: int) -> re.Pattern[bytes]:
    """A measValue with exactly `width` results `r p="1"`…`r p="width"` in order."""
    results = b"".join(b'<r p="%d">%s</r>%s' % (p, _TEXT, _SPACE) for p in range(1, width + 1))
    suspect = b"(?:<suspect>(?:true|false|1|0)</suspect>%s)?" % _SPACE
    parts = (b"(<measValue[^>]*>)", _SPACE, results, suspect, b"</measValue>", _SPACE)
    return re.compile(b"".join(parts))


def _has(body: bytes, rare: bytes, pattern: bytes, start: int) -> bool:
    """Whether `pattern` occurs from `start`; looks for a rare byte of it first (memchr)."""
    return body.find(rare, start) >= 0 and body.find(pattern, start) >= 0


def _simple_body(body: bytes) -> int | None:
    """Where the root's content starts, if the document is plain enough for regexes."""
    first = _FIRST_ELEMENT.search(body)
    if first is None or b"<!" in body[: first.start()]:
        return None  # DOCTYPE or comments in the prolog
    content = body.find(b"<", first.start() + 1)
    if content < 0 or _has(body, b"!", b"<!", content) or _has(body, b"?", b"<?", content):
        return None
    if _has(body, b"x", b"xmlns", content):
        return None  # namespaces redeclared below the root
    return content


def _cut(body: bytes, content: int) -> tuple[bytes, list[tuple[int, list[Any]]]] | None:
    """The skeleton and, per measInfo, its width and the matched measValues' groups."""
    pieces, infos, position = [body[:content]], [], content
    for opening in _MEAS_INFO.finditer(body, content):
        start = opening.start()
        end = body.find(b"</measInfo>", start)
        if start < position or end < 0:
            return None  # nested or unterminated: let the general decoder judge
        first = _MEAS_VALUE_OPEN.search(body, start, end)
        head_end = first.start() if first else end
        width = len(_MEAS_TYPE.findall(body, start, head_end))
        pieces.append(body[position:head_end])
        groups: list[Any] = []
        if first is not None:
            if width == 0:
                return None
            expected = head_end  # measValues back to back, up to </measInfo>
            for match in _value_pattern(width).finditer(body, head_end, end):
                if match.start() != expected:
                    return None
                expected = match.end()
                found = match.groups()
                groups.append(found)
                pieces.append(found[0] + b"</measValue>")
            if expected != end:
                return None
        pieces.append(b"</measInfo>")
        infos.append((width, groups))
        position = end + len(b"</measInfo>")
    pieces.append(body[position:])
    return b"".join(pieces), infos


def _local(elem: Any) -> str:
    return str(elem.tag).rpartition("}")[2]


def _time(elem: Any, name: str) -> dt.datetime | None:
    text = elem.get(name) if elem is not None else None
    try:
        value = dt.datetime.fromisoformat(text.strip()) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and value.utcoffset() is not None else None


def _timed_child(elem: Any, name: str) -> dt.datetime | None:
    if elem is None:
        return None
    child = next((c for c in elem.iterchildren(etree.Element) if c.get(name) is not None), None)
    return _time(child, name)


def _header(root: Any) -> tuple[str | None, str | None] | None:
    """(dnPrefix, managed element localDn) when the header is complete, else None."""
    if _local(root) not in ROOTS or root.getroottree().docinfo.doctype:
        return None
    headers = root.findall("{*}fileHeader")
    footers = root.findall("{*}fileFooter")
    if len(headers) != 1 or len(footers) != 1 or headers[0].get("fileFormatVersion") is None:
        return None
    if _timed_child(headers[0], "beginTime") is None or _timed_child(footers[0], "endTime") is None:
        return None
    elements = {
        (e.get("localDn"), e.get("userLabel"), e.get("swVersion"))
        for e in itertools.chain(root.iter("{*}managedElement"), root.iter("{*}measEntity"))
    }
    if len(elements) != 1:
        return None  # several (TS 32.432 types C/D) or none: the general decoder decides
    sender = headers[0].find("{*}fileSender")
    sender_dn = None if sender is None else sender.get("localDn", sender.get("senderName"))
    return headers[0].get("dnPrefix"), next(iter(elements))[0] or sender_dn


def _info_frame(info: Any, width: int) -> tuple[tuple[str, ...], int, int, list[str]] | None:
    """(types, start, seconds, ldns) of a skeleton measInfo, or None when unusual."""
    periods = info.findall("{*}granPeriod")
    duration = _PT_SECONDS.fullmatch(periods[0].get("duration") or "") if periods else None
    end = _time(periods[0], "endTime") if periods else None
    if len(periods) != 1 or duration is None or end is None:
        return None
    types = info.findall("{*}measType")
    if [t.get("p") for t in types] != [str(p) for p in range(1, width + 1)]:
        return None
    if info.find("{*}measTypes") is not None:
        return None
    ldns = [v.get("measObjLdn") for v in info.iterchildren("{*}measValue")]
    if None in ldns or info.find("{*}measValue/*") is not None:
        return None
    seconds = int(duration.group(1))
    names = tuple((t.text or "").strip() for t in types)
    return names, period_start(end, seconds), seconds, ldns


def _matrix(groups: list[Any], width: int) -> FloatArray | None:
    texts = itertools.chain.from_iterable(g[1:] for g in groups)
    try:
        values = np.fromiter(map(float, texts), np.float64, len(groups) * width)
    except ValueError:
        return None  # NIL, NULL, empty, arrays, words: the general path decides
    if not np.isfinite(values).all():
        return None
    return values.reshape(len(groups), width)


def fast_tables(data: bytes) -> list[PmTable] | None:
    """The file's measInfos as tables, or None when the general decoder must read it."""
    body = strip_leading_pis(data)
    content = _simple_body(body)
    if content is None:
        return None
    cut = _cut(body, content)
    if cut is None:
        return None
    skeleton, matched = cut
    try:
        root = etree.fromstring(skeleton, _SKELETON_PARSER)
    except etree.XMLSyntaxError:
        return None
    header = _header(root)
    infos = list(root.iter("{*}measInfo"))
    if header is None or len(infos) != len(matched):
        return None
    if sum(1 for _ in root.iter("{*}measValue")) != sum(len(g) for _, g in matched):
        return None
    tables = []
    for info, (width, groups) in zip(infos, matched, strict=True):
        frame = _info_frame(info, width)
        values = _matrix(groups, width) if groups else np.empty((0, width))
        if frame is None or values is None or len(frame[3]) != len(groups):
            return None
        types, start, seconds, ldns = frame
        objects = resolve_dns(ldns, *header)
        tables.append(PmTable(objects, types, start, seconds, values))
    return tables
