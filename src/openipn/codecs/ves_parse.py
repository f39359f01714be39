"""Parsing VES 7.x events into typed views, and checking them against the ONAP schema.

The counterpart of `openipn.codecs.ves` (the builders): the platform reads what the twin and
real equipment send through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from openipn.codecs.ves import (
    EVENT_TYPE_KEY,
    EVENT_TYPES,
    FILE_READY_CHANGE_TYPE,
    PROBABLE_CAUSE_KEY,
    SEVERITY_OF_VES,
    Alarm,
    Compression,
    Domain,
    MeasurementInfo,
    NamedHashMap,
    NotificationInfo,
    PmFile,
    Priority,
    StndDefinedInfo,
    VesEvent,
    VesFormatError,
)
from openipn.codecs.ves_3gpp import FAULT_SUPERVISION, parse_alarm
from openipn.model.alarms import EventType

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_E = TypeVar("_E", bound=StrEnum)


def _get(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """obj[key] checked against kind, or a VesFormatError naming the field."""
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise VesFormatError(f"{where}.{key} is missing or has the wrong type")
    return value


def _get_int(obj: Mapping[str, Any], key: str, where: str) -> int:
    """obj[key] as an integer: JSON Schema counts 1.0 as an integer, so senders may write it."""
    value = _get(obj, key, (int, float), where)
    if isinstance(value, float) and not value.is_integer():
        raise VesFormatError(f"{where}.{key} must be an integer")
    return int(value)


def _opt(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def _str_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise VesFormatError(f"{where} must be a map of strings")
    return {str(k): v for k, v in value.items()}


def _enum(kind: type[_E], value: str, where: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        raise VesFormatError(f"{where}: unknown value {value!r}") from None


def _from_micros(value: float, where: str) -> datetime:
    try:
        return _EPOCH + timedelta(microseconds=int(value))
    except OverflowError:  # a datetime holds the years 1..9999
        raise VesFormatError(f"{where}: {value} is outside the years 1..9999") from None


def _parse_fault(block: Mapping[str, Any]) -> dict[str, Any]:
    where = "faultFields"
    info = _str_map(block.get("alarmAdditionalInformation"), f"{where}.alarmAdditionalInformation")
    raw_type = info.pop(EVENT_TYPE_KEY, None)
    alarm = Alarm(
        condition=_get(block, "alarmCondition", str, where),
        specific_problem=_get(block, "specificProblem", str, where),
        event_type=EventType(raw_type) if raw_type in EVENT_TYPES else None,
        probable_cause=info.pop(PROBABLE_CAUSE_KEY, None),
        source_type=_get(block, "eventSourceType", str, where),
        interface=_opt(block, "alarmInterfaceA"),
        additional=tuple(info.items()),
    )
    raw_severity = _get(block, "eventSeverity", str, where)
    severity = SEVERITY_OF_VES.get(raw_severity)
    if severity is None:
        raise VesFormatError(f"{where}: unknown value {raw_severity!r}")
    return {"alarm": alarm, "severity": severity}


def _parse_file(item: Any) -> PmFile:
    where = "notificationFields.arrayOfNamedHashMap[]"
    if not isinstance(item, Mapping):
        raise VesFormatError(f"{where} must be an object")
    values = _str_map(item.get("hashMap"), f"{where}.hashMap")
    return PmFile(
        name=_get(item, "name", str, where),
        location=_get(values, "location", str, f"{where}.hashMap"),
        compression=_enum(Compression, values.get("compression") or "none", where),
        format_type=values.get("fileFormatType", ""),
        format_version=values.get("fileFormatVersion", ""),
    )


def _parse_notification(block: Mapping[str, Any]) -> NotificationInfo:
    where = "notificationFields"
    named = block.get("arrayOfNamedHashMap") or []
    if not isinstance(named, list):
        raise VesFormatError(f"{where}.arrayOfNamedHashMap must be a list")
    change_type = _get(block, "changeType", str, where)
    files = tuple(_parse_file(i) for i in named) if change_type == FILE_READY_CHANGE_TYPE else ()
    return NotificationInfo(
        change_identifier=_get(block, "changeIdentifier", str, where),
        change_type=change_type,
        files=files,
        additional=_str_map(block.get("additionalFields"), f"{where}.additionalFields"),
        change_contact=_opt(block, "changeContact"),
    )


def _parse_named(item: Any, where: str) -> NamedHashMap:
    if not isinstance(item, Mapping):
        raise VesFormatError(f"{where} must be an object")
    name = _get(item, "name", str, where)
    return NamedHashMap(name, _str_map(item.get("hashMap"), f"{where}[{name}].hashMap"))


def _parse_measurement(block: Mapping[str, Any]) -> MeasurementInfo:
    where = "measurementFields"
    named = block.get("additionalMeasurements") or []
    if not isinstance(named, list):
        raise VesFormatError(f"{where}.additionalMeasurements must be a list")
    interval = _get(block, "measurementInterval", (int, float), where)
    if interval <= 0:
        raise VesFormatError(f"{where}.measurementInterval must be positive, got {interval}")
    return MeasurementInfo(
        interval_s=float(interval),
        additional=_str_map(block.get("additionalFields"), f"{where}.additionalFields"),
        named=tuple(_parse_named(i, f"{where}.additionalMeasurements[]") for i in named),
    )


def _parse_stnd_defined(header: Mapping[str, Any], block: Any) -> dict[str, Any]:
    """stndDefinedFields; a 3GPP-FaultSupervision alarm notification also as alarm + severity."""
    if not isinstance(block, Mapping):
        raise VesFormatError("a stndDefined event needs stndDefinedFields")
    where = "stndDefinedFields"
    namespace = _get(header, "stndDefinedNamespace", str, "commonEventHeader")
    data = _get(block, "data", Mapping, where)
    info = StndDefinedInfo(namespace, data, _opt(block, "schemaReference"))
    found = parse_alarm(data) if namespace == FAULT_SUPERVISION else None
    if found is None:
        return {"stnd_defined": info}
    return {"stnd_defined": info, "alarm": found[0], "severity": found[1]}


def _parse_block(domain: Domain, event: Mapping[str, Any]) -> dict[str, Any]:
    """The typed domain-block fields of VesEvent for the domains this codec knows."""
    block = event.get(f"{domain}Fields")
    if domain is Domain.STND_DEFINED:
        return _parse_stnd_defined(event["commonEventHeader"], block)
    if domain is Domain.MEASUREMENT and block is not None:  # without the block: header only
        if not isinstance(block, Mapping):
            raise VesFormatError("measurementFields must be an object")
        return {"measurement": _parse_measurement(block)}
    if domain in (Domain.FAULT, Domain.HEARTBEAT, Domain.NOTIFICATION):
        if not isinstance(block, Mapping):
            raise VesFormatError(f"a {domain} event needs {domain}Fields")
        if domain is Domain.FAULT:
            return _parse_fault(block)
        if domain is Domain.HEARTBEAT:
            return {"heartbeat_interval": _get_int(block, "heartbeatInterval", "heartbeatFields")}
        return {"notification": _parse_notification(block)}
    return {}


def parse_event(obj: Mapping[str, Any]) -> VesEvent:
    """Parse one event (the value of ``event`` or an ``eventList`` item) into a VesEvent."""
    header = obj.get("commonEventHeader") if isinstance(obj, Mapping) else None
    if not isinstance(header, Mapping):
        raise VesFormatError("a VES event needs a commonEventHeader object")
    where = "commonEventHeader"
    domain = _enum(Domain, _get(header, "domain", str, where), f"{where}.domain")
    return VesEvent(
        domain=domain,
        event_id=_get(header, "eventId", str, where),
        event_name=_get(header, "eventName", str, where),
        source_name=_get(header, "sourceName", str, where),
        reporting_entity_name=_get(header, "reportingEntityName", str, where),
        sequence=_get_int(header, "sequence", where),
        priority=_enum(Priority, _get(header, "priority", str, where), f"{where}.priority"),
        start=_from_micros(
            _get(header, "startEpochMicrosec", (int, float), where), f"{where}.startEpochMicrosec"
        ),
        last=_from_micros(
            _get(header, "lastEpochMicrosec", (int, float), where), f"{where}.lastEpochMicrosec"
        ),
        time_zone_offset=_opt(header, "timeZoneOffset"),
        vendor=_opt(header, "nfVendorName"),
        **_parse_block(domain, obj),
    )


def parse_body(obj: Mapping[str, Any]) -> list[VesEvent]:
    """Parse a request body, ``{"event": ...}`` or ``{"eventList": [...]}``."""
    if isinstance(obj.get("event"), Mapping):
        return [parse_event(obj["event"])]
    items = obj.get("eventList")
    if isinstance(items, list):
        return [parse_event(item) for item in items]
    raise VesFormatError("a VES body holds an event object or an eventList array")


def validate_against_schema(obj: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Schema violations of a body (a bare event is wrapped first); [] when valid.

    The schema's root object has no required member, so a bare event or an empty object would
    pass unnoticed; both are handled here. The validator class follows the schema's $schema
    (draft-04 for CommonEventFormat 30.2.1).
    """
    from jsonschema.validators import validator_for  # test/tooling dependency, loaded on use

    body = {"event": obj} if "commonEventHeader" in obj else obj
    if "event" not in body and "eventList" not in body:
        return ["<root>: neither an event nor an eventList"]
    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]
