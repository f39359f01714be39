"""3GPP fault supervision over VES: TS 28.532 / TS 28.111 alarm notifications in stndDefined.

A stndDefined event with namespace ``3GPP-FaultSupervision`` carries in ``stndDefinedFields.data``
one notification of the Fault Supervision MnS: the TS 28.623 notification header (href,
notificationId, notificationType, eventTime, systemDN) plus the alarm attributes (alarmId,
alarmType, probableCause, perceivedSeverity, specificProblem, additionalText ...).

Here it becomes the same typed view as a VES fault event (`Alarm` and the model's
`PerceivedSeverity`), so that raise,
change and clear follow one path:

- condition = ``alarmId``: the key of the alarm record in the producer's alarm list (TS 28.532
  AlarmRecord), carried by notifyNewAlarm, notifyChangedAlarm(General) and notifyClearedAlarm
  alike, whereas notifyClearedAlarm carries no specificProblem;
- alarmed object = ``objectInstance`` when sent, else the DN in ``href`` (a resource URI whose
  path ends in ``Class=id`` segments, TS 32.158: ``…/SubNetwork=X/ManagedElement=Y`` becomes
  ``SubNetwork=X,ManagedElement=Y``, the MnS prefix dropped), else none (the alarm then sits on
  the event's sourceName, as a fault without objectInstance does);
- severity: as sent (the six X.733 levels); every notifyClearedAlarm clears, whatever its
  perceivedSeverity;
- specificProblem, when absent, is the probable cause.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from openipn.codecs.ves import (
    FAULT_PRIORITY,
    Alarm,
    Event,
    EventSource,
    Priority,
    VesFormatError,
    stnd_defined_event,
)
from openipn.model.alarms import EventType, PerceivedSeverity
from openipn.model.document import Issue

FAULT_SUPERVISION = "3GPP-FaultSupervision"  # stndDefinedNamespace ONAP routes by
OBJECT_KEY = "objectInstance"
TEXT_KEY = "additionalText"
SCHEMA_ROOT = "https://forge.3gpp.org/rep/sa5/MnS/-/raw/Rel-18/OpenAPI/TS28111_FaultNrm.yaml"


class FaultNotificationType(StrEnum):
    """TS 28.532 AlarmNotificationTypes."""

    NEW = "notifyNewAlarm"
    CHANGED = "notifyChangedAlarm"
    CHANGED_GENERAL = "notifyChangedAlarmGeneral"
    ACK_STATE_CHANGED = "notifyAckStateChanged"
    CORRELATED_CHANGED = "notifyCorrelatedNotificationChanged"
    COMMENTS = "notifyComments"
    CLEARED = "notifyClearedAlarm"
    LIST_REBUILT = "notifyAlarmListRebuilt"
    POTENTIAL_FAULTY = "notifyPotentialFaultyAlarmList"


# The notifications that raise, change or clear an alarm record (TS 28.532 §11.2.1 lifecycle).
ALARM_NOTIFICATIONS = frozenset(
    {FaultNotificationType.NEW, FaultNotificationType.CHANGED,
     FaultNotificationType.CHANGED_GENERAL, FaultNotificationType.CLEARED}
)  # fmt: skip

_HEADER = ("href", "notificationId", "notificationType", "eventTime", "systemDN")  # TS 28.623
_ALARM = ("alarmId", "alarmType", "probableCause", "perceivedSeverity")
# Required members by notification type (TS 28.532 faultMnS schemas; others: the header only).
REQUIRED: dict[FaultNotificationType, tuple[str, ...]] = {
    FaultNotificationType.NEW: _HEADER + _ALARM,
    FaultNotificationType.CHANGED: _HEADER + _ALARM,
    FaultNotificationType.CLEARED: _HEADER + _ALARM,
    FaultNotificationType.CHANGED_GENERAL: (*_HEADER, "alarmId", "alarmType"),
    FaultNotificationType.ACK_STATE_CHANGED: (*_HEADER, *_ALARM, "ackState", "ackUserId"),
    FaultNotificationType.CORRELATED_CHANGED: (*_HEADER, "alarmId", "correlatedNotifications"),
    FaultNotificationType.COMMENTS: (*_HEADER, "alarmId", "alarmType", "probableCause"),
}

# RFC 3339 date-time (TS 28.623 DateTime is OpenAPI format date-time); ranges by fromisoformat.
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def _is_date_time(value: str) -> bool:
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Member:
    """What one data member must be: its JSON types, and a value test with its description."""

    types: tuple[type, ...]
    type_name: str
    test: Callable[[Any], bool] = lambda _value: True
    expected: str = ""


_STRING = Member((str,), "a string")
_STRING_OR_INT = Member((str, int), "a string or an integer")


def _one_of(kind: type[StrEnum]) -> Member:
    values = tuple(str(v) for v in kind)
    return Member((str,), "a string", frozenset(values).__contains__, f"one of {', '.join(values)}")


# The members this codec reads, by TS 28.532 / TS 28.623 type; other members pass unchecked.
MEMBERS: dict[str, Member] = {
    "href": _STRING,  # Uri; any string is taken, only a DN-shaped path names an object
    "notificationId": Member((int,), "an integer"),
    "notificationType": _one_of(FaultNotificationType),
    "eventTime": Member((str,), "a string", _is_date_time, "an RFC 3339 date-time"),
    "systemDN": _STRING,
    "alarmId": _STRING,
    "alarmType": _one_of(EventType),
    "probableCause": _STRING_OR_INT,
    "perceivedSeverity": _one_of(PerceivedSeverity),
    "specificProblem": _STRING_OR_INT,
    "additionalText": _STRING,
    "objectInstance": _STRING,
}


def _member_issue(name: str, value: Any, where: str) -> Issue | None:
    spec = MEMBERS.get(name)
    if spec is None:
        return None
    if not isinstance(value, spec.types) or isinstance(value, bool):
        return Issue(f"{where}.{name}", f"must be {spec.type_name}")
    if not spec.test(value):
        return Issue(f"{where}.{name}", f"{value!r} is not {spec.expected}")
    return None


def notification_issues(data: Mapping[str, Any], where: str) -> list[Issue]:
    """What is wrong with a 3GPP-FaultSupervision data block; [] when it can be used."""
    kind = data.get("notificationType")
    issue = _member_issue("notificationType", kind, where) if kind is not None else None
    if kind is None or issue is not None:
        return [issue or Issue(f"{where}.notificationType", "missing")]
    required = REQUIRED.get(FaultNotificationType(kind), _HEADER)
    issues = [Issue(f"{where}.{name}", f"missing in a {kind}") for name in required
              if data.get(name) is None]  # fmt: skip
    for name, value in data.items():
        found = _member_issue(name, value, where) if value is not None else None
        if found is not None:
            issues.append(found)
    return issues


def dn_from_href(href: str) -> str | None:
    """The DN an href names: its path's ``Class=id`` run joined by commas; None without one."""
    if "/" not in href:
        return href if "=" in href else None  # already a DN (or a bare label)
    run: list[str] = []
    for segment in urlsplit(href).path.split("/"):
        if "=" in segment:
            run.append(unquote(segment))
        elif run and segment:
            break  # a sub-resource after the object (e.g. /alarms) ends the DN
    return ",".join(run) or None


def href_for(root: str, dn: str) -> str:
    """The resource URI of a DN under an MnS root (TS 32.158 path form: one RDN a segment)."""
    path = "/".join(quote(rdn, safe="=") for rdn in dn.split(","))
    return f"{root.rstrip('/')}/{path}"


def _alarm_object(data: Mapping[str, Any]) -> str | None:
    explicit = data.get(OBJECT_KEY)
    if isinstance(explicit, str) and explicit:
        return explicit
    href = data.get("href")
    return dn_from_href(href) if isinstance(href, str) else None


def parse_alarm(data: Mapping[str, Any]) -> tuple[Alarm, PerceivedSeverity] | None:
    """The alarm view of a notification; None for one that changes no alarm (e.g. rebuilt)."""
    issues = notification_issues(data, "stndDefinedFields.data")
    if issues:
        raise VesFormatError(f"{issues[0].path}: {issues[0].message}")
    kind = FaultNotificationType(data["notificationType"])
    raw_severity = data.get("perceivedSeverity")
    if kind not in ALARM_NOTIFICATIONS or raw_severity is None:
        return None  # ack, comments, list rebuilt; a general change that keeps the severity
    severity = PerceivedSeverity(raw_severity)
    if kind is FaultNotificationType.CLEARED:
        severity = PerceivedSeverity.CLEARED
    cause, problem = data["probableCause"], data.get("specificProblem")
    pairs: list[tuple[str, str]] = []
    for key, value in ((OBJECT_KEY, _alarm_object(data)), (TEXT_KEY, data.get(TEXT_KEY))):
        if value:
            pairs.append((key, value))
    alarm = Alarm(
        condition=data["alarmId"],
        specific_problem=str(cause if problem is None else problem),
        event_type=EventType(data["alarmType"]),
        probable_cause=str(cause),
        additional=tuple(pairs),
    )
    return alarm, severity


@dataclass(frozen=True)
class AlarmNotification:
    """One alarm notification to send: which alarm, on which object, how severe."""

    notification_type: FaultNotificationType
    alarm_id: str
    object_dn: str
    alarm_type: EventType
    probable_cause: str | int
    severity: PerceivedSeverity
    specific_problem: str | int | None = None
    additional_text: str | None = None


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _system_dn(dn: str) -> str:
    """The DN up to its ManagedElement (the producer of the notification), else the DN."""
    rdns = dn.split(",")
    ends = [i for i, rdn in enumerate(rdns) if rdn.startswith("ManagedElement=")]
    return ",".join(rdns[: ends[0] + 1]) if ends else dn


def notification_data(n: AlarmNotification, *, at: datetime, notification_id: int, root: str
                      ) -> dict[str, Any]:  # fmt: skip
    """The ``stndDefinedFields.data`` of a notification (TS 28.532 member names)."""
    data: dict[str, Any] = {
        "href": href_for(root, n.object_dn),
        "notificationId": notification_id,
        "notificationType": str(n.notification_type),
        "eventTime": _rfc3339(at),
        "systemDN": _system_dn(n.object_dn),
        "alarmId": n.alarm_id,
        "alarmType": str(n.alarm_type),
        "probableCause": n.probable_cause,
        "perceivedSeverity": str(n.severity),
    }
    optional = {"specificProblem": n.specific_problem, TEXT_KEY: n.additional_text}
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


def fault_supervision_event(
    source: EventSource,
    notification: AlarmNotification,
    *,
    at: datetime,
    sequence: int,
    root: str | None = None,
    priority: Priority | None = None,
) -> Event:
    """A stndDefined 3GPP-FaultSupervision event (notificationId = sequence; href under root)."""
    kind = notification.notification_type  # root default: https://<source>/3GPPManagement/ProvMnS
    data = notification_data(
        notification, at=at, notification_id=sequence,
        root=root or f"https://{source.name}/3GPPManagement/ProvMnS",
    )  # fmt: skip
    schema = f"{SCHEMA_ROOT}#components/schemas/{kind[0].upper()}{kind[1:]}"
    return stnd_defined_event(
        source,
        namespace=FAULT_SUPERVISION,
        data=data,
        at=at,
        sequence=sequence,
        event_name=f"StndDefined_{source.nf_type}_{kind}",
        schema_reference=schema,
        priority=priority or FAULT_PRIORITY[notification.severity],
    )
