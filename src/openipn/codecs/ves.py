"""VES 7.x events (CommonEventFormat 30.2.1): typed builders, request bodies and a typed parser.

The twin builds events here and the platform parses them here, so both sides share one
definition. Field names, enumerations and required fields follow the ONAP schema
``CommonEventFormat_30.2.1_ONAP.json`` (VES Event Listener 7.2.1), which O-RAN O1 also uses.
Event times always come from the caller (simulated time), never from the wall clock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from openipn.model.alarms import EventType, PerceivedSeverity

Event = dict[str, Any]
"""One VES event as a JSON-ready dict: ``{"commonEventHeader": ..., "<domain>Fields": ...}``."""

HEADER_VERSION = "4.1"  # commonEventHeader.version enum: 4.0, 4.0.1, 4.1
LISTENER_VERSION = "7.2.1"  # vesEventListenerVersion of schema 30.2.1
FAULT_FIELDS_VERSION = "4.0"
HEARTBEAT_FIELDS_VERSION = "3.0"
NOTIFICATION_FIELDS_VERSION = "2.0"
MEASUREMENT_FIELDS_VERSION = "4.0"
STND_DEFINED_FIELDS_VERSION = "1.0"
# ONAP datafile collector FileReady form (standards.md §1.3).
FILE_READY_CHANGE_IDENTIFIER = "PM_MEAS_FILES"
FILE_READY_CHANGE_TYPE = "FileReady"
PM_FILE_FORMAT_TYPE = "org.3GPP.32.435#measCollec"
PM_FILE_FORMAT_VERSION = "V10"
CONFIG_CHANGE_IDENTIFIER = "CONFIG_CHANGE"
CONFIG_CHANGE_TYPE = "ConfigurationChanged"
# X.733 event type and probable cause travel in alarmAdditionalInformation (O-RAN O1 style).
EVENT_TYPE_KEY = "eventType"
PROBABLE_CAUSE_KEY = "probableCause"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_EVENT_ID_NAMESPACE = uuid.UUID("6f1c0d3e-5a8b-4c52-9d0e-0b6e9a7f4c21")
_E = TypeVar("_E", bound=StrEnum)


class VesFormatError(ValueError):
    """A JSON object is not a VES event this codec understands."""


class Domain(StrEnum):
    """commonEventHeader.domain values of schema 30.2.1."""

    FAULT = "fault"
    HEARTBEAT = "heartbeat"
    MEASUREMENT = "measurement"
    MOBILE_FLOW = "mobileFlow"
    NOTIFICATION = "notification"
    OTHER = "other"
    PERF3GPP = "perf3gpp"
    PNF_REGISTRATION = "pnfRegistration"
    SIP_SIGNALING = "sipSignaling"
    STATE_CHANGE = "stateChange"
    STND_DEFINED = "stndDefined"
    SYSLOG = "syslog"
    THRESHOLD_CROSSING_ALERT = "thresholdCrossingAlert"
    VOICE_QUALITY = "voiceQuality"


class Priority(StrEnum):
    """commonEventHeader.priority values."""

    HIGH = "High"
    MEDIUM = "Medium"
    NORMAL = "Normal"
    LOW = "Low"


# faultFields.eventSeverity (CommonEventFormat 30.2.1) spells the X.733 levels of the model,
# CLEARED as NORMAL; it has no INDETERMINATE.
VES_SEVERITY: dict[PerceivedSeverity, str] = {
    PerceivedSeverity.CRITICAL: "CRITICAL",
    PerceivedSeverity.MAJOR: "MAJOR",
    PerceivedSeverity.MINOR: "MINOR",
    PerceivedSeverity.WARNING: "WARNING",
    PerceivedSeverity.CLEARED: "NORMAL",
}
SEVERITY_OF_VES: dict[str, PerceivedSeverity] = {wire: lv for lv, wire in VES_SEVERITY.items()}
EVENT_TYPES = frozenset(EventType)
_VES_LEVELS = ", ".join(VES_SEVERITY)


class Compression(StrEnum):
    """Compression of a reported PM file (the FileReady hashMap ``compression`` value)."""

    GZIP = "gzip"
    NONE = "none"


# Default processing priority of a fault by severity (overridable per event).
FAULT_PRIORITY: dict[PerceivedSeverity, Priority] = {
    PerceivedSeverity.INDETERMINATE: Priority.NORMAL,
    PerceivedSeverity.CRITICAL: Priority.HIGH,
    PerceivedSeverity.MAJOR: Priority.HIGH,
    PerceivedSeverity.MINOR: Priority.MEDIUM,
    PerceivedSeverity.WARNING: Priority.NORMAL,
    PerceivedSeverity.CLEARED: Priority.NORMAL,
}


@dataclass(frozen=True)
class EventSource:
    """Who emits: the NF instance (sourceName), its NF type (in eventName) and its reporter."""

    name: str
    nf_type: str
    reporting_entity: str = ""  # empty: the source reports for itself
    vendor: str = "OpenIPN"

    def __post_init__(self) -> None:
        if not self.name or not self.nf_type:
            raise ValueError("an event source needs a name and an NF type")


@dataclass(frozen=True)
class PmFile:
    """One measurement file announced by a FileReady notification."""

    name: str
    location: str
    compression: Compression = Compression.GZIP
    format_type: str = PM_FILE_FORMAT_TYPE
    format_version: str = PM_FILE_FORMAT_VERSION


@dataclass(frozen=True)
class Alarm:
    """What an alarm is, whatever its severity: condition, problem, X.733 type and cause."""

    condition: str  # alarmCondition, also in eventName
    specific_problem: str
    event_type: EventType | None  # None only when parsed from an event without one
    probable_cause: str | None  # X.733/TS 32.111-2 cause or a vendor string
    source_type: str = "other"  # eventSourceType: card, port, router, switch, other ...
    interface: str | None = None  # alarmInterfaceA
    additional: tuple[tuple[str, str], ...] = ()  # more alarmAdditionalInformation pairs


@dataclass(frozen=True)
class NotificationInfo:
    """The notificationFields of a parsed notification event."""

    change_identifier: str
    change_type: str
    files: tuple[PmFile, ...] = ()  # FileReady only
    additional: Mapping[str, str] = field(default_factory=dict)  # config changes: path -> value
    change_contact: str | None = None


@dataclass(frozen=True)
class NamedHashMap:
    """One ``{name, hashMap}`` item of an arrayOfNamedHashMap (values are strings)."""

    name: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class MeasurementInfo:
    """The measurementFields of a parsed measurement event (the parts this codec reads)."""

    interval_s: float  # measurementInterval
    additional: Mapping[str, str] = field(default_factory=dict)  # additionalFields
    named: tuple[NamedHashMap, ...] = ()  # additionalMeasurements


@dataclass(frozen=True)
class StndDefinedInfo:
    """The stndDefinedFields of a parsed stndDefined event: its namespace and native data."""

    namespace: str  # commonEventHeader.stndDefinedNamespace, e.g. 3GPP-FaultSupervision
    data: Mapping[str, Any]  # the standards-defined notification, as received
    schema_reference: str | None = None


@dataclass(frozen=True)
class VesEvent:
    """A typed view of one VES event (header plus the domain block this codec knows)."""

    domain: Domain
    event_id: str
    event_name: str
    source_name: str
    reporting_entity_name: str
    sequence: int
    priority: Priority
    start: datetime  # UTC
    last: datetime  # UTC
    time_zone_offset: str | None = None
    vendor: str | None = None
    alarm: Alarm | None = None  # faults, and 3GPP alarm notifications (see ves_3gpp)
    severity: PerceivedSeverity | None = None  # set whenever alarm is
    heartbeat_interval: int | None = None
    notification: NotificationInfo | None = None
    measurement: MeasurementInfo | None = None
    stnd_defined: StndDefinedInfo | None = None

    @property
    def is_clear(self) -> bool:
        """True for a fault event that clears its alarm (eventSeverity NORMAL, X.733 CLEARED)."""
        return self.severity is PerceivedSeverity.CLEARED


def epoch_micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC of an aware datetime (VES epoch fields are in µs)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("VES times need an aware datetime (simulated UTC), not a naive one")
    return (moment - _EPOCH) // _MICROSECOND


def time_zone_offset(moment: datetime) -> str:
    """The ``UTC+hh:mm`` offset of an aware datetime (form of the ONAP samples)."""
    epoch_micros(moment)  # refuses naive datetimes
    minutes = int((moment.utcoffset() or timedelta(0)).total_seconds()) // 60
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours:02d}:{mins:02d}"


def _header(
    domain: Domain,
    source: EventSource,
    event_name: str,
    at: datetime,
    start: datetime | None,
    sequence: int,
    priority: Priority,
) -> Event:
    """The commonEventHeader, with an empty eventId filled in by `_finish`."""
    first = at if start is None else start
    if epoch_micros(first) > epoch_micros(at):
        raise ValueError("start must not be after the event time")
    if sequence < 0:
        raise ValueError("sequence must be >= 0")
    return {
        "domain": str(domain),
        "eventId": "",
        "eventName": event_name,
        "sourceName": source.name,
        "reportingEntityName": source.reporting_entity or source.name,
        "nfVendorName": source.vendor,
        "priority": str(priority),
        "sequence": sequence,
        "startEpochMicrosec": epoch_micros(first),
        "lastEpochMicrosec": epoch_micros(at),
        "timeZoneOffset": time_zone_offset(at),
        "version": HEADER_VERSION,
        "vesEventListenerVersion": LISTENER_VERSION,
    }


def _finish(header: Event, block_name: str, block: Event) -> Event:
    """Assemble the event and derive its eventId from its content (same inputs, same id)."""
    event: Event = {"commonEventHeader": header, block_name: block}
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"))
    header["eventId"] = f"{header['domain']}-{uuid.uuid5(_EVENT_ID_NAMESPACE, canonical)}"
    return event


def fault_event(
    source: EventSource,
    alarm: Alarm,
    severity: PerceivedSeverity,
    *,
    at: datetime,
    sequence: int,
    start: datetime | None = None,
    priority: Priority | None = None,
) -> Event:
    """A fault event: raise, or clear with CLEARED; start = when the alarm was first raised."""
    if severity not in VES_SEVERITY:
        raise ValueError(f"VES eventSeverity cannot express {severity} (one of {_VES_LEVELS})")
    info = {EVENT_TYPE_KEY: alarm.event_type, PROBABLE_CAUSE_KEY: alarm.probable_cause}
    if info.keys() & dict(alarm.additional).keys():
        raise ValueError("additional pairs must not override eventType or probableCause")
    name = f"Fault_{source.nf_type}_{alarm.condition}"
    chosen = priority or FAULT_PRIORITY[severity]
    header = _header(Domain.FAULT, source, name, at, start, sequence, chosen)
    block: Event = {
        "faultFieldsVersion": FAULT_FIELDS_VERSION,
        "alarmCondition": alarm.condition,
        "specificProblem": alarm.specific_problem,
        "eventSeverity": VES_SEVERITY[severity],
        "eventSourceType": alarm.source_type,
        "vfStatus": "Active",
        "alarmAdditionalInformation": {
            **{k: str(v) for k, v in info.items() if v is not None},
            **dict(alarm.additional),
        },
    }
    if alarm.interface is not None:
        block["alarmInterfaceA"] = alarm.interface
    return _finish(header, "faultFields", block)


def heartbeat_event(
    source: EventSource,
    *,
    at: datetime,
    sequence: int,
    interval_s: int,
    priority: Priority = Priority.LOW,
) -> Event:
    """A heartbeat event announcing the next one within ``interval_s`` seconds."""
    if interval_s <= 0:
        raise ValueError("heartbeat interval must be positive")
    name = f"Heartbeat_{source.nf_type}"
    header = _header(Domain.HEARTBEAT, source, name, at, None, sequence, priority)
    block: Event = {
        "heartbeatFieldsVersion": HEARTBEAT_FIELDS_VERSION,
        "heartbeatInterval": interval_s,
    }
    return _finish(header, "heartbeatFields", block)


def file_ready_event(
    source: EventSource,
    *,
    at: datetime,
    sequence: int,
    files: Sequence[PmFile],
    start: datetime | None = None,
    priority: Priority = Priority.NORMAL,
) -> Event:
    """A FileReady notification for PM files (ONAP datafile form); start = period start."""
    if not files:
        raise ValueError("a FileReady notification announces at least one file")
    name = f"Notification_{source.nf_type}_{FILE_READY_CHANGE_TYPE}"
    header = _header(Domain.NOTIFICATION, source, name, at, start, sequence, priority)
    block: Event = {
        "notificationFieldsVersion": NOTIFICATION_FIELDS_VERSION,
        "changeIdentifier": FILE_READY_CHANGE_IDENTIFIER,
        "changeType": FILE_READY_CHANGE_TYPE,
        "arrayOfNamedHashMap": [
            {
                "name": f.name,
                "hashMap": {
                    "location": f.location,
                    "compression": str(f.compression),
                    "fileFormatType": f.format_type,
                    "fileFormatVersion": f.format_version,
                },
            }
            for f in files
        ],
    }
    return _finish(header, "notificationFields", block)


def config_change_event(
    source: EventSource,
    *,
    at: datetime,
    sequence: int,
    changes: Mapping[str, str],
    user: str | None = None,
    priority: Priority = Priority.NORMAL,
) -> Event:
    """A notification that configuration changed over NETCONF: changed path -> new value."""
    if not changes:
        raise ValueError("a configuration change names at least one changed path")
    name = f"Notification_{source.nf_type}_{CONFIG_CHANGE_TYPE}"
    header = _header(Domain.NOTIFICATION, source, name, at, None, sequence, priority)
    block: Event = {
        "notificationFieldsVersion": NOTIFICATION_FIELDS_VERSION,
        "changeIdentifier": CONFIG_CHANGE_IDENTIFIER,
        "changeType": CONFIG_CHANGE_TYPE,
        "additionalFields": dict(changes),
    }
    if user is not None:
        block["changeContact"] = user
    return _finish(header, "notificationFields", block)


def measurement_event(
    source: EventSource,
    *,
    at: datetime,
    sequence: int,
    interval_s: float,
    measurements: Sequence[NamedHashMap],
    additional: Mapping[str, str] | None = None,
    name_suffix: str = "",
    priority: Priority = Priority.NORMAL,
) -> Event:
    """A measurement event over [at - interval_s, at]: additionalMeasurements per named object."""
    if interval_s <= 0:
        raise ValueError("measurement interval must be positive")
    name = f"Measurement_{source.nf_type}" + (f"_{name_suffix}" if name_suffix else "")
    begin = at - timedelta(seconds=interval_s)
    header = _header(Domain.MEASUREMENT, source, name, at, begin, sequence, priority)
    block: Event = {
        "measurementFieldsVersion": MEASUREMENT_FIELDS_VERSION,
        "measurementInterval": interval_s,
        "additionalMeasurements": [
            {"name": m.name, "hashMap": dict(m.values)} for m in measurements
        ],
    }
    if additional:
        block["additionalFields"] = dict(additional)
    return _finish(header, "measurementFields", block)


def stnd_defined_event(
    source: EventSource,
    *,
    namespace: str,
    data: Mapping[str, Any],
    at: datetime,
    sequence: int,
    event_name: str,
    schema_reference: str | None = None,
    priority: Priority = Priority.NORMAL,
) -> Event:
    """A stndDefined event carrying a standards-defined notification (schema 30.2.1)."""
    if not namespace:
        raise ValueError("a stndDefined event needs a stndDefinedNamespace (ONAP routes by it)")
    header = _header(Domain.STND_DEFINED, source, event_name, at, None, sequence, priority)
    header["stndDefinedNamespace"] = namespace
    block: Event = {"data": dict(data), "stndDefinedFieldsVersion": STND_DEFINED_FIELDS_VERSION}
    if schema_reference is not None:
        block["schemaReference"] = schema_reference
    return _finish(header, "stndDefinedFields", block)


def batch_key(event: Mapping[str, Any]) -> tuple[str, str]:
    """What must be equal across one batch: (domain, stndDefinedNamespace or "")."""
    header = event.get("commonEventHeader") if isinstance(event, Mapping) else None
    if not isinstance(header, Mapping) or not isinstance(header.get("domain"), str):
        raise VesFormatError("a VES event needs a commonEventHeader with a domain")
    namespace = header.get("stndDefinedNamespace", "") if header["domain"] == "stndDefined" else ""
    return header["domain"], str(namespace)


def event_body(event: Event) -> dict[str, Event]:
    """The body of ``POST /eventListener/v7``."""
    return {"event": event}


def batch_body(events: Iterable[Event]) -> dict[str, list[Event]]:
    """The body of ``POST /eventListener/v7/eventBatch``; ONAP requires one domain per batch."""
    items = list(events)
    if not items:
        raise ValueError("an event batch needs at least one event")
    # ONAP BatchEventValidator: one domain, and one namespace for stndDefined (standards.md §4.1).
    keys = {batch_key(e) for e in items}
    if len(keys) > 1:
        raise ValueError(f"a VES batch must hold one domain (and namespace), got {sorted(keys)}")
    return {"eventList": items}
