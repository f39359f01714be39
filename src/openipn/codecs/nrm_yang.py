"""The openipn-nrm YANG module as Python tables: schema, value types, DNs and rpc-error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

from lxml import etree

NRM_NS = "urn:openipn:yang:openipn-nrm"
NRM_PREFIX = "oipn"
NRM_MODULE = "openipn-nrm"
NRM_REVISION = "2026-12-07"
NRM_CAPABILITY = f"{NRM_NS}?module={NRM_MODULE}&revision={NRM_REVISION}"
BASE_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
YANG_DIR = Path(__file__).parent / "yang"
ATTRIBUTES = "attributes"
KEY = "id"

Tree = dict[str, Any]
Value = int | float | str
Location = tuple[tuple[str, str], ...]  # (class, id) pairs from ManagedElement down

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:+-]{0,127}")  # typedef ObjectId
_INT_RE = re.compile(r"[+-]?[0-9]+")  # RFC 6020 9.2.1
_DECIMAL_RE = re.compile(r"[+-]?([0-9]+)(?:\.([0-9]+))?")  # RFC 6020 9.3.1


class LeafType(StrEnum):
    """YANG built-in types used by the module."""

    ENUMERATION = "enumeration"
    INTEGER = "integer"
    DECIMAL64 = "decimal64"
    STRING = "string"


@dataclass(frozen=True)
class LeafSpec:
    """One leaf of an `attributes` container (range is the length for strings)."""

    name: str
    type: LeafType
    low: float = 0
    high: float = 0
    fraction_digits: int = 0
    values: tuple[str, ...] = ()
    config: bool = True


@dataclass(frozen=True)
class ListSpec:
    """One managed object class: a YANG list keyed by `id`."""

    name: str
    leaves: tuple[LeafSpec, ...]
    children: tuple[ListSpec, ...] = ()

    def leaf(self, name: str) -> LeafSpec | None:
        """The attribute leaf of that name, if any."""
        return next((leaf for leaf in self.leaves if leaf.name == name), None)

    def child(self, name: str) -> ListSpec | None:
        """The contained class of that name, if any."""
        return next((child for child in self.children if child.name == name), None)


_ADMIN = LeafSpec(
    "administrativeState", LeafType.ENUMERATION, values=("LOCKED", "UNLOCKED", "SHUTTING_DOWN")
)
_OPER = LeafSpec(
    "operationalState", LeafType.ENUMERATION, values=("ENABLED", "DISABLED"), config=False
)
_STATE = (_ADMIN, _OPER)
NR_CELL_DU = ListSpec(
    "NRCellDU",
    (
        *_STATE,
        LeafSpec("cellLocalId", LeafType.INTEGER, 0, 16383),
        LeafSpec("nRPCI", LeafType.INTEGER, 0, 1007),
        LeafSpec("nRTAC", LeafType.INTEGER, 0, 16_777_215),
        LeafSpec("txPower", LeafType.DECIMAL64, -30, 60, fraction_digits=2),
        LeafSpec("cellIndividualOffset", LeafType.DECIMAL64, -24, 24, fraction_digits=1),
        LeafSpec("antennaTilt", LeafType.DECIMAL64, -90, 90, fraction_digits=1),
    ),
)
GNB_DU_FUNCTION = ListSpec(
    "GNBDUFunction",
    (
        LeafSpec("gNBId", LeafType.INTEGER, 0, 2**32 - 1),
        LeafSpec("gNBIdLength", LeafType.INTEGER, 22, 32),
    ),
    (NR_CELL_DU,),
)
MANAGED_ELEMENT = ListSpec(
    "ManagedElement",
    (LeafSpec("userLabel", LeafType.STRING, 0, 256),),
    (
        GNB_DU_FUNCTION,
        ListSpec("UPFFunction", _STATE),
        ListSpec("EASFunction", _STATE),  # TS 28.538 edge application server (an edge node)
        ListSpec("EP_RP", _STATE),  # TS 28.622 end point of a transport link
    ),
)


class ErrorTag(StrEnum):
    """The rpc-error tags this codec and the twin use (RFC 6241 Appendix A)."""

    IN_USE = "in-use"
    INVALID_VALUE = "invalid-value"
    MISSING_ATTRIBUTE = "missing-attribute"
    BAD_ATTRIBUTE = "bad-attribute"
    UNKNOWN_ELEMENT = "unknown-element"
    UNKNOWN_NAMESPACE = "unknown-namespace"
    MISSING_ELEMENT = "missing-element"
    LOCK_DENIED = "lock-denied"
    DATA_EXISTS = "data-exists"
    DATA_MISSING = "data-missing"
    OPERATION_NOT_SUPPORTED = "operation-not-supported"
    OPERATION_FAILED = "operation-failed"
    MALFORMED_MESSAGE = "malformed-message"


class ErrorType(StrEnum):
    """The layer where an error occurred (RFC 6241 §4.3)."""

    TRANSPORT = "transport"
    RPC = "rpc"
    PROTOCOL = "protocol"
    APPLICATION = "application"


class RpcError(Exception):
    """An RFC 6241 §4.3 rpc-error, raised by the codec and turned into a reply by a server."""

    def __init__(
        self,
        tag: ErrorTag | str,
        message: str,
        *,
        error_type: ErrorType | str = ErrorType.APPLICATION,
        path: str | None = None,
        info: dict[str, str] | None = None,
        severity: str = "error",
    ) -> None:
        super().__init__(message)
        self.tag, self.message, self.error_type = str(tag), message, str(error_type)
        self.path, self.info, self.severity = path, dict(info or {}), severity

    def to_xml(self) -> etree._Element:
        """The <rpc-error> element."""
        error = etree.Element(q(BASE_NS, "rpc-error"), nsmap=nsmap(BASE_NS))
        for name, text in (
            ("error-type", self.error_type),
            ("error-tag", self.tag),
            ("error-severity", self.severity),
        ):
            etree.SubElement(error, q(BASE_NS, name)).text = text
        if self.path:
            path = etree.SubElement(error, q(BASE_NS, "error-path"), nsmap={NRM_PREFIX: NRM_NS})
            path.text = self.path
        message = etree.SubElement(error, q(BASE_NS, "error-message"))
        message.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        message.text = self.message
        if self.info:
            info = etree.SubElement(error, q(BASE_NS, "error-info"))
            for name, text in self.info.items():
                etree.SubElement(info, q(BASE_NS, name)).text = text
        return error

    @classmethod
    def from_xml(cls, element: etree._Element) -> RpcError:
        """Parse an <rpc-error> element (as a NETCONF client receives it)."""

        def text(name: str) -> str | None:
            found = element.find(q(BASE_NS, name))
            return None if found is None else (found.text or "").strip()

        info_element = element.find(q(BASE_NS, "error-info"))
        info = {
            etree.QName(child).localname: (child.text or "").strip()
            for child in (() if info_element is None else info_element.iterchildren("{*}*"))
        }
        return cls(
            text("error-tag") or "",
            text("error-message") or "",
            error_type=text("error-type") or ErrorType.APPLICATION,
            path=text("error-path"),
            info=info,
            severity=text("error-severity") or "error",
        )


def q(namespace: str, name: str) -> str:
    """Clark notation {namespace}name."""
    return f"{{{namespace}}}{name}"


def make_parser() -> etree.XMLParser:
    """An XML parser that never resolves entities or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def parse_xml(xml: str | bytes | etree._Element) -> etree._Element:
    """An element from XML text (or the element itself)."""
    if isinstance(xml, etree._Element):
        return xml
    data = xml.encode() if isinstance(xml, str) else xml
    try:
        return etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError as exc:
        raise RpcError(
            ErrorTag.MALFORMED_MESSAGE, f"not well-formed XML: {exc}", error_type="rpc"
        ) from None


def dn_of(location: Location) -> str:
    """The DN of a location, e.g. `ManagedElement=me-1,GNBDUFunction=gnb-1`."""
    return ",".join(f"{name}={key}" for name, key in location)


def parse_dn(dn: str) -> Location:
    """The location a DN names; raises ValueError for a malformed DN."""
    location: list[tuple[str, str]] = []
    for part in dn.split(","):
        name, sep, key = part.partition("=")
        if not sep or not name or not key:
            raise ValueError(f"{dn!r} is not a DN of the form Class=id,Class=id")
        location.append((name, key))
    return tuple(location)


def xpath_of(location: Location, *tail: str) -> str:
    """The error-path (RFC 6241 §4.3) of a location and optional trailing nodes."""
    steps = [f"{NRM_PREFIX}:{name}[{NRM_PREFIX}:{KEY}='{key}']" for name, key in location]
    steps += [f"{NRM_PREFIX}:{name}" for name in tail]
    return "/" + "/".join(steps)


def format_value(spec: LeafSpec, value: Value) -> str:
    """Canonical text of a leaf value (RFC 6020 §9.3.2 for decimal64)."""
    if spec.type is LeafType.DECIMAL64:
        text = f"{float(value):.{spec.fraction_digits}f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    return str(value)


def parse_value(spec: LeafSpec, text: str, path: str) -> Value:
    """A leaf value checked against the module's type and range; RpcError invalid-value."""
    value: Value
    if spec.type is LeafType.ENUMERATION:
        if text not in spec.values:
            invalid_value(path, f"{text!r} is not one of {', '.join(spec.values)}")
        return text
    if spec.type is LeafType.STRING:
        if not spec.low <= len(text) <= spec.high:
            invalid_value(
                path, f"length {len(text)} is outside {_num(spec.low)}..{_num(spec.high)}"
            )
        return text
    if spec.type is LeafType.INTEGER:
        if not _INT_RE.fullmatch(text):
            invalid_value(path, f"{text!r} is not an integer")
        value = int(text)
    else:
        match = _DECIMAL_RE.fullmatch(text)
        if not match or len(match.group(2) or "") > spec.fraction_digits:
            invalid_value(
                path, f"{text!r} is not a decimal with ≤{spec.fraction_digits} fraction digits"
            )
        value = float(text)
    if not spec.low <= value <= spec.high:
        invalid_value(path, f"{text} is outside {_num(spec.low)}..{_num(spec.high)}")
    return value


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def invalid_value(path: str, message: str) -> NoReturn:
    """Raise an invalid-value rpc-error for the node at `path`."""
    raise RpcError(ErrorTag.INVALID_VALUE, f"{path.rsplit(':', 1)[-1]}: {message}", path=path)


def parse_id(text: str | None, path: str) -> str:
    """A list key checked against typedef ObjectId."""
    if text is None or not _ID_RE.fullmatch(text):
        invalid_value(path, f"{text!r} is not a valid object id")
    return str(text)


def find_entry(tree: Tree, location: Location) -> Tree | None:
    """The entry at a location, or None."""
    node: Tree | None = tree
    for name, key in location:
        node = None if node is None else node.get(name, {}).get(key)
    return node


def spec_at(location: Location) -> ListSpec | None:
    """The class spec of a location (None if the path does not follow the schema)."""
    if not location or location[0][0] != MANAGED_ELEMENT.name:
        return None
    spec: ListSpec | None = MANAGED_ELEMENT
    for name, _ in location[1:]:
        spec = spec.child(name) if spec else None
    return spec


def nsmap(default: str, **prefixes: str) -> Any:
    """A namespace map with a default namespace (lxml-stubs do not accept the None key)."""
    return {None: default, **prefixes}
