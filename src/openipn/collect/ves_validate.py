"""Fast checks of VES 7 request bodies: what the ONAP schema requires, without jsonschema.

The rules are the `required` lists, types and enumerations of CommonEventFormat 30.2.1
(standards.md §4.2, §4.3) plus ONAP's batch rule (§4.1), held as tables. Every issue names the
failing field, e.g. ``eventList[3].commonEventHeader.sourceName: missing``. An event that passes
is also parsed by `openipn.codecs.ves_parse.parse_event`, so whatever is journaled can be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openipn.codecs.ves import Domain, Priority, Severity, VesEvent, VesFormatError
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

_VF_STATUS = ("Active", "Idle", "Preparing to terminate", "Ready to terminate",
              "Requesting termination")  # fmt: skip

# Domain blocks and their required members (schema 30.2.1, standards.md §4.3). A domain listed
# here must carry its block; other domains (mobileFlow, sipSignaling, voiceQuality) are not
# checked beyond the header.
BLOCKS: dict[Domain, tuple[Field, ...]] = {
    Domain.FAULT: (
        *_fields("alarmCondition:string"),
        Field("eventSeverity", "string", tuple(Severity)),
        *_fields("eventSourceType:string faultFieldsVersion:string specificProblem:string"),
        Field("vfStatus", "string", _VF_STATUS),
    ),
    Domain.HEARTBEAT: _fields("heartbeatFieldsVersion:string heartbeatInterval:integer"),
    Domain.NOTIFICATION: _fields(
        "changeIdentifier:string changeType:string notificationFieldsVersion:string"
    ),
    Domain.MEASUREMENT: _fields("measurementInterval:number measurementFieldsVersion:string"),
    Domain.STND_DEFINED: _fields("data:object stndDefinedFieldsVersion:string"),
    Domain.PERF3GPP: _fields("measDataCollection:object perf3gppFieldsVersion:string"),
    Domain.PNF_REGISTRATION: _fields("pnfRegistrationFieldsVersion:string"),
    Domain.STATE_CHANGE: _fields(
        "newState:string oldState:string stateChangeFieldsVersion:string stateInterface:string"
    ),
    Domain.SYSLOG: _fields(
        "eventSourceType:string syslogFieldsVersion:string syslogMsg:string syslogTag:string"
    ),
    Domain.OTHER: _fields("otherFieldsVersion:string"),
}

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}
_ARTICLE = {"string": "a string", "integer": "an integer", "number": "a number",
            "object": "an object", "array": "an array"}  # fmt: skip


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
        elif not isinstance(value, _TYPES[spec.kind]) or isinstance(value, bool):
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
    if issues:
        return issues
    domain = Domain(header["domain"])
    if domain is Domain.STND_DEFINED and not header.get("stndDefinedNamespace"):
        # ONAP rejects stndDefined events without a namespace: it routes by it (§4.4).
        return [Issue(f"{where}.commonEventHeader.stndDefinedNamespace", "missing")]
    fields = BLOCKS.get(domain)
    if fields is None:
        return []
    block = event.get(f"{domain}Fields")
    if not isinstance(block, dict):
        return [
            Issue(f"{where}.{domain}Fields", "missing" if block is None else "must be an object")
        ]
    return _check_fields(block, fields, f"{where}.{domain}Fields")


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
