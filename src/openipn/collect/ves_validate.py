"""Fast checks of VES 7 request bodies: what the ONAP schema requires, without jsonschema.

The rules are the `required` lists, types and enumerations of CommonEventFormat 30.2.1
(standards.md §4.2, §4.3), the schema's `format` constraints on the domain blocks, ONAP's batch
rule (§4.1) and, for stndDefined namespaces this platform reads, the notification's own required
members; all held as tables. Every issue names the failing field, e.g.
``eventList[3].commonEventHeader.sourceName: missing``. An event that passes is also parsed by
`openipn.codecs.ves_parse.parse_event`, so whatever is journaled can be read.

Formats (schema 30.2.1 has three, all on optional block members; it has no pattern or bound):

- ``ipv4`` (pnfRegistrationFields.oamV4IpAddress): dotted-quad of four decimal octets 0..255
  (RFC 2673 §3.2). A leading zero (``09.1.1.1``) is refused: it is octal to some parsers and
  decimal to others, so the address it names is ambiguous (stdlib `ipaddress`, Python ≥ 3.9.5).
- ``ipv6`` (pnfRegistrationFields.oamV6IpAddress): RFC 4291 §2.2 text forms, including the
  embedded IPv4 form and an RFC 4007 §11 zone index (``fe80::1%eth2``), which ONAP's collector
  accepts too (its ``ves7_valid_ip_v6_with_zone_index`` event).
- ``uri`` (stndDefinedFields.schemaReference): an RFC 3986 absolute URI: a scheme, then only
  URI characters, every ``%`` followed by two hex digits.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openipn.codecs.ves import SEVERITY_OF_VES, Domain, Priority, VesEvent, VesFormatError
from openipn.codecs.ves_3gpp import FAULT_SUPERVISION, notification_issues
from openipn.codecs.ves_parse import parse_event
from openipn.model.document import Issue

MAX_ISSUES = 20


@dataclass(frozen=True)
class Field:
    """One required member: its JSON type and, for enumerations, the allowed values."""

    name: str
    kind: str  # "string", "integer", "number", "object", "array"
    allowed: tuple[str, ...] = ()


def _fields(spec: str) -> tuple[Field, ...]:
    """'name:type name:type …' as Fields (enumerations are added separately)."""
    pairs = (item.split(":") for item in spec.split())
    return tuple(Field(name, kind) for name, kind in pairs)


# commonEventHeader.required with types and enumerations (schema 30.2.1, standards.md §4.2).
HEADER: tuple[Field, ...] = (
    Field("domain", "string", tuple(Domain)),
    *_fields("eventId:string eventName:string lastEpochMicrosec:number"),
    Field("priority", "string", tuple(Priority)),
    *_fields("reportingEntityName:string sequence:integer sourceName:string"),
    Field("startEpochMicrosec", "number"),
    Field("version", "string", ("4.0", "4.0.1", "4.1")),
    Field("vesEventListenerVersion", "string", ("7.0", "7.0.1", "7.1", "7.1.1", "7.2", "7.2.1")),
)
# The optional members and their types: the schema allows no other (additionalProperties false).
HEADER_OPTIONAL: dict[str, str] = {
    spec.name: spec.kind
    for spec in _fields(
        "eventType:string internalHeaderFields:object nfcNamingCode:string nfNamingCode:string "
        "nfVendorName:string reportingEntityId:string sourceId:string "
        "stndDefinedNamespace:string timeZoneOffset:string"
    )
}
_HEADER_REQUIRED = frozenset(spec.name for spec in HEADER)
_HEADER_ALLOWED = _HEADER_REQUIRED | HEADER_OPTIONAL.keys()

_VF_STATUS = ("Active", "Idle", "Preparing to terminate", "Ready to terminate",
              "Requesting termination")  # fmt: skip
_STATES = ("inService", "maintenance", "outOfService")  # stateChangeFields new/oldState


def _version(name: str, *values: str) -> Field:
    """A block's version member and the values schema 30.2.1 allows."""
    return Field(name, "string", values)


# Domain blocks and their required members (schema 30.2.1, standards.md §4.3). A domain listed
# here must carry its block; other domains (mobileFlow, sipSignaling, voiceQuality) are not
# checked beyond the header.
BLOCKS: dict[Domain, tuple[Field, ...]] = {
    Domain.FAULT: (
        *_fields("alarmCondition:string"),
        Field("eventSeverity", "string", tuple(SEVERITY_OF_VES)),
        *_fields("eventSourceType:string"),
        _version("faultFieldsVersion", "4.0"),
        *_fields("specificProblem:string"),
        Field("vfStatus", "string", _VF_STATUS),
    ),
    Domain.HEARTBEAT: (
        _version("heartbeatFieldsVersion", "3.0"),
        *_fields("heartbeatInterval:integer"),
    ),
    Domain.NOTIFICATION: (
        *_fields("changeIdentifier:string changeType:string"),
        _version("notificationFieldsVersion", "2.0"),
    ),
    Domain.MEASUREMENT: (
        *_fields("measurementInterval:number"),
        _version("measurementFieldsVersion", "4.0"),
    ),
    Domain.STND_DEFINED: (*_fields("data:object"), _version("stndDefinedFieldsVersion", "1.0")),
    Domain.PERF3GPP: (
        *_fields("measDataCollection:object"),
        _version("perf3gppFieldsVersion", "1.0", "1.0.1"),
    ),
    Domain.PNF_REGISTRATION: (_version("pnfRegistrationFieldsVersion", "2.0", "2.1"),),
    Domain.STATE_CHANGE: (
        Field("newState", "string", _STATES),
        Field("oldState", "string", _STATES),
        _version("stateChangeFieldsVersion", "4.0"),
        *_fields("stateInterface:string"),
    ),
    Domain.SYSLOG: (
        *_fields("eventSourceType:string"),
        _version("syslogFieldsVersion", "4.0"),
        *_fields("syslogMsg:string syslogTag:string"),
    ),
    Domain.OTHER: (_version("otherFieldsVersion", "3.0"),),
}


def _is_ipv4(value: str) -> bool:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


# RFC 3986 §3 absolute URI: scheme ":" then unreserved / reserved / pct-encoded characters only.
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
)


@dataclass(frozen=True)
class Format:
    """A JSON-schema ``format`` on an optional string member, and what it is called."""

    name: str
    test: Callable[[str], object]  # truthy when the value has the format
    called: str


# The `format` constraints of schema 30.2.1, by the block that holds them.
FORMATS: dict[Domain, tuple[Format, ...]] = {
    Domain.PNF_REGISTRATION: (
        Format("oamV4IpAddress", _is_ipv4, "an IPv4 address"),
        Format("oamV6IpAddress", _is_ipv6, "an IPv6 address"),
    ),
    Domain.STND_DEFINED: (Format("schemaReference", _URI.fullmatch, "an absolute URI"),),
}

# stndDefined namespaces whose data this platform reads, and the check of that data.
NAMESPACES: dict[str, Callable[[Mapping[str, Any], str], list[Issue]]] = {
    FAULT_SUPERVISION: notification_issues,
}

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int, float),  # checked further by _is_kind: an integral float is an integer
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}
_ARTICLE = {"string": "a string", "integer": "an integer", "number": "a number",
            "object": "an object", "array": "an array"}  # fmt: skip


def _is_kind(value: Any, kind: str) -> bool:
    """Whether a JSON value is of a JSON Schema type: 1.0 is an integer, true is no number."""
    if isinstance(value, bool) or not isinstance(value, _TYPES[kind]):
        return False
    return (
        kind != "integer"
        or isinstance(value, int)
        or (isinstance(value, float) and value.is_integer())
    )


class VesRequestError(ValueError):
    """A request body that is not acceptable; `issues` name the failing fields."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class CheckedBody:
    """An acceptable body: its events and the batch key (domain, stndDefined namespace)."""

    events: list[dict[str, Any]]
    parsed: list[VesEvent]
    domain: Domain
    namespace: str


def _check_fields(obj: Mapping[str, Any], fields: tuple[Field, ...], where: str) -> list[Issue]:
    issues = []
    for spec in fields:
        value = obj.get(spec.name)
        path = f"{where}.{spec.name}"
        if value is None:
            issues.append(Issue(path, "missing"))
        elif not _is_kind(value, spec.kind):
            issues.append(Issue(path, f"must be {_ARTICLE[spec.kind]}"))
        elif spec.allowed and value not in spec.allowed:
            issues.append(Issue(path, f"{value!r} is not one of {', '.join(spec.allowed)}"))
    return issues


def _check_shape(event: Any, where: str) -> list[Issue]:
    """Issues of one event's header and domain block, by the tables."""
    if not isinstance(event, dict):
        return [Issue(where, "must be an object")]
    header = event.get("commonEventHeader")
    if not isinstance(header, dict):
        message = "missing" if header is None else "must be an object"
        return [Issue(f"{where}.commonEventHeader", message)]
    issues = _check_fields(header, HEADER, f"{where}.commonEventHeader")
    issues.extend(_check_optional(header, f"{where}.commonEventHeader"))
    if issues:
        return issues
    domain = Domain(header["domain"])
    namespace = header.get("stndDefinedNamespace")
    if domain is Domain.STND_DEFINED and not (namespace and isinstance(namespace, str)):
        # ONAP rejects stndDefined events without a namespace: it routes by it (§4.4).
        message = "missing" if not namespace else "must be a string"
        return [Issue(f"{where}.commonEventHeader.stndDefinedNamespace", message)]
    return _check_block(event, domain, namespace, where)


def _check_optional(header: Mapping[str, Any], where: str) -> list[Issue]:
    """Issues of the header's optional members: unknown to the schema, or of the wrong type."""
    issues = []
    if not header.keys() <= _HEADER_ALLOWED:
        for name in sorted(header.keys() - _HEADER_ALLOWED):
            issues.append(Issue(f"{where}.{name}", "is not a member of commonEventHeader"))
    for name, kind in HEADER_OPTIONAL.items():
        value = header.get(name)
        if value is not None and not _is_kind(value, kind):
            issues.append(Issue(f"{where}.{name}", f"must be {_ARTICLE[kind]}"))
    return issues


def _check_block(event: dict[str, Any], domain: Domain, namespace: Any, where: str
                 ) -> list[Issue]:  # fmt: skip
    """Issues of the domain block: required members, formats, then a namespace's own data."""
    fields = BLOCKS.get(domain)
    if fields is None:
        return []
    block = event.get(f"{domain}Fields")
    at = f"{where}.{domain}Fields"
    if not isinstance(block, dict):
        return [Issue(at, "missing" if block is None else "must be an object")]
    issues = _check_fields(block, fields, at)
    if not issues and domain in FORMATS:
        issues = _check_formats(block, FORMATS[domain], at)
    check = NAMESPACES.get(namespace) if domain is Domain.STND_DEFINED else None
    if not issues and check is not None:
        issues = check(block["data"], f"{at}.data")
    return issues


def _check_formats(block: Mapping[str, Any], formats: tuple[Format, ...], where: str
                   ) -> list[Issue]:  # fmt: skip
    """Issues of the block's optional members that carry a schema `format`."""
    issues = []
    for spec in formats:
        value = block.get(spec.name)
        if value is None:
            continue
        if not isinstance(value, str):
            issues.append(Issue(f"{where}.{spec.name}", "must be a string"))
        elif not spec.test(value):
            issues.append(Issue(f"{where}.{spec.name}", f"{value!r} is not {spec.called}"))
    return issues


def check_event(event: Any, where: str) -> tuple[VesEvent | None, list[Issue]]:
    """One event (the value of ``event`` or an ``eventList`` item) parsed, or its issues."""
    issues = _check_shape(event, where)
    if issues:
        return None, issues
    try:
        return parse_event(event), []
    except VesFormatError as exc:
        return None, [Issue(where, str(exc))]


def _key(event: dict[str, Any]) -> tuple[Domain, str]:
    header = event["commonEventHeader"]
    domain = Domain(header["domain"])
    namespace = header.get("stndDefinedNamespace", "") if domain is Domain.STND_DEFINED else ""
    return domain, str(namespace)


def check_body(body: Any, *, batch: bool) -> CheckedBody:
    """The events of a request body, or VesRequestError naming every failing field."""
    member = "eventList" if batch else "event"
    if not isinstance(body, dict):
        raise VesRequestError([Issue("(body)", "must be a JSON object")])
    value = body.get(member)
    if batch and not (isinstance(value, list) and value):
        message = "missing" if value is None else "must be a non-empty array"
        raise VesRequestError([Issue(member, message)])
    events: list[Any] = value if isinstance(value, list) and batch else [value]
    paths = [f"eventList[{i}]" for i in range(len(events))] if batch else ["event"]
    issues: list[Issue] = []
    parsed: list[VesEvent] = []
    for event, path in zip(events, paths, strict=True):
        typed, found = check_event(event, path)
        if typed is not None:
            parsed.append(typed)
        issues.extend(found)
        if len(issues) >= MAX_ISSUES:
            break
    if issues:
        raise VesRequestError(issues[:MAX_ISSUES])
    return CheckedBody(events, parsed, *_batch_key(events, paths))


def _batch_key(events: list[dict[str, Any]], paths: list[str]) -> tuple[Domain, str]:
    """ONAP BatchEventValidator: one domain, and one stndDefinedNamespace (standards.md §4.1)."""
    first = _key(events[0])
    for event, path in zip(events[1:], paths[1:], strict=True):
        key = _key(event)
        if key[0] != first[0]:
            raise VesRequestError([Issue(
                f"{path}.commonEventHeader.domain",
                f"{key[0]!s} differs from the batch's domain {first[0]!s}: one domain per batch",
            )])  # fmt: skip
        if key[1] != first[1]:
            raise VesRequestError([Issue(
                f"{path}.commonEventHeader.stndDefinedNamespace",
                f"{key[1]!r} differs from the batch's namespace {first[1]!r}: "
                "one stndDefinedNamespace per batch",
            )])  # fmt: skip
    return first
