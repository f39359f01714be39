"""3GPP fault supervision over VES stndDefined: builder, parse to the alarm view, data checks."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openipn.codecs.ves import (
    Domain,
    EventSource,
    Priority,
    VesFormatError,
    event_body,
)
from openipn.codecs.ves_3gpp import (
    FAULT_SUPERVISION,
    AlarmNotification,
    FaultNotificationType,
    dn_from_href,
    fault_supervision_event,
    notification_issues,
    parse_alarm,
)
from openipn.codecs.ves_parse import parse_event, validate_against_schema
from openipn.model.alarms import EventType, PerceivedSeverity

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "samples"
    / "CommonEventFormat_30.2.1_ONAP.json"
)  # fmt: skip
NO_SCHEMA = f"ONAP VES schema copy {SCHEMA_FILE} not present"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GNB = EventSource("gnb-ws1-01", "gNB")
CELL = "SubNetwork=plant,ManagedElement=gnb-ws1-01,GNBDUFunction=1,NRCellDU=1"


def notice(
    kind: FaultNotificationType = FaultNotificationType.NEW,
    severity: PerceivedSeverity = PerceivedSeverity.MAJOR,
    **changes: Any,
) -> AlarmNotification:
    values: dict[str, Any] = {
        "notification_type": kind,
        "alarm_id": "alarm-17",
        "object_dn": CELL,
        "alarm_type": EventType.EQUIPMENT_ALARM,
        "probable_cause": "powerProblem",
        "severity": severity,
        "specific_problem": "PSU 2 lost input power",
        "additional_text": "rack 3",
        **changes,
    }
    return AlarmNotification(**values)


def data_of(event: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(event["stndDefinedFields"]["data"])


def test_builder_round_trips_to_the_alarm_view() -> None:
    event = fault_supervision_event(GNB, notice(), at=T0, sequence=7)
    header, block = event["commonEventHeader"], event["stndDefinedFields"]
    assert header["domain"] == "stndDefined"
    assert header["stndDefinedNamespace"] == FAULT_SUPERVISION
    assert header["priority"] == Priority.HIGH
    assert block["schemaReference"].endswith("#components/schemas/NotifyNewAlarm")
    data = block["data"]
    assert data["href"] == (
        "https://gnb-ws1-01/3GPPManagement/ProvMnS/"
        "SubNetwork=plant/ManagedElement=gnb-ws1-01/GNBDUFunction=1/NRCellDU=1"
    )
    assert data["eventTime"] == "2026-03-02T08:00:00.000000Z"
    assert data["notificationId"] == 7
    assert data["systemDN"] == "SubNetwork=plant,ManagedElement=gnb-ws1-01"
    parsed = parse_event(json.loads(json.dumps(event)))
    assert parsed.domain is Domain.STND_DEFINED
    assert parsed.stnd_defined is not None and parsed.stnd_defined.namespace == FAULT_SUPERVISION
    assert parsed.severity is PerceivedSeverity.MAJOR and not parsed.is_clear
    assert parsed.alarm is not None
    assert parsed.alarm.condition == "alarm-17"
    assert parsed.alarm.specific_problem == "PSU 2 lost input power"
    assert parsed.alarm.event_type is EventType.EQUIPMENT_ALARM
    assert parsed.alarm.probable_cause == "powerProblem"
    assert dict(parsed.alarm.additional) == {"objectInstance": CELL, "additionalText": "rack 3"}
    assert fault_supervision_event(GNB, notice(), at=T0, sequence=7) == event  # deterministic


@pytest.mark.skipif(not SCHEMA_FILE.exists(), reason=NO_SCHEMA)
def test_built_notifications_validate_against_the_onap_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    for kind in (FaultNotificationType.NEW, FaultNotificationType.CLEARED):
        event = fault_supervision_event(GNB, notice(kind), at=T0, sequence=1)
        assert validate_against_schema(event_body(event), schema) == []


@pytest.mark.parametrize(
    ("href", "dn"),
    [
        (
            "https://nms.plant/3GPPManagement/FaultSupervisionMnS/17.0.0/"
            "SubNetwork=X/ManagedElement=Y/GNBDUFunction=1",
            "SubNetwork=X,ManagedElement=Y,GNBDUFunction=1",
        ),
        (
            "http://h/ProvMnS/v1/ManagedElement=a%2Fb/NRCellDU=2/alarms",
            "ManagedElement=a/b,NRCellDU=2",
        ),
        ("/SubNetwork=X/ManagedElement=Y?fields=all#top", "SubNetwork=X,ManagedElement=Y"),
        ("ManagedElement=Y,NRCellDU=3", "ManagedElement=Y,NRCellDU=3"),
        ("href1", None),  # O-RAN SC's client scripts send this placeholder
        ("https://nms.plant/3GPPManagement/FaultSupervisionMnS/17.0.0/", None),
    ],
)
def test_dn_from_href(href: str, dn: str | None) -> None:
    assert dn_from_href(href) == dn


def test_object_falls_back_from_object_instance_to_href_to_none() -> None:
    data = data_of(fault_supervision_event(GNB, notice(), at=T0, sequence=1))
    data["objectInstance"] = "ManagedElement=other"
    assert dict(_alarm(data).additional)["objectInstance"] == "ManagedElement=other"
    del data["objectInstance"]
    data["href"] = "href1"
    assert "objectInstance" not in dict(_alarm(data).additional)  # alarm sits on sourceName


def _alarm(data: dict[str, Any]) -> Any:
    found = parse_alarm(data)
    assert found is not None
    return found[0]


@pytest.mark.parametrize(
    ("kind", "severity", "expected"),
    [
        (FaultNotificationType.NEW, PerceivedSeverity.CRITICAL, PerceivedSeverity.CRITICAL),
        (FaultNotificationType.CHANGED, PerceivedSeverity.MINOR, PerceivedSeverity.MINOR),
        (
            FaultNotificationType.NEW,
            PerceivedSeverity.INDETERMINATE,
            PerceivedSeverity.INDETERMINATE,
        ),
        (FaultNotificationType.CHANGED, PerceivedSeverity.CLEARED, PerceivedSeverity.CLEARED),
        (FaultNotificationType.CLEARED, PerceivedSeverity.CLEARED, PerceivedSeverity.CLEARED),
        (
            FaultNotificationType.CLEARED,
            PerceivedSeverity.MAJOR,
            PerceivedSeverity.CLEARED,
        ),  # type rules
        (
            FaultNotificationType.CHANGED_GENERAL,
            PerceivedSeverity.WARNING,
            PerceivedSeverity.WARNING,
        ),
    ],
)
def test_severity_mapping(
    kind: FaultNotificationType, severity: PerceivedSeverity, expected: PerceivedSeverity
) -> None:
    data = data_of(fault_supervision_event(GNB, notice(kind, severity), at=T0, sequence=1))
    found = parse_alarm(data)
    assert found is not None and found[1] is expected


def test_cleared_without_specific_problem_and_integer_cause() -> None:
    """O-RAN SC's notifyClearedAlarm has no specificProblem; probableCause may be an integer."""
    cleared = notice(FaultNotificationType.CLEARED, PerceivedSeverity.CLEARED,
                     specific_problem=None, probable_cause=351)  # fmt: skip
    data = data_of(fault_supervision_event(GNB, cleared, at=T0, sequence=2))
    alarm = _alarm(data)
    assert (alarm.condition, alarm.specific_problem, alarm.probable_cause) == (
        "alarm-17", "351", "351"
    )  # fmt: skip


@pytest.mark.parametrize(
    "kind",
    [FaultNotificationType.LIST_REBUILT, FaultNotificationType.COMMENTS,
     FaultNotificationType.ACK_STATE_CHANGED],
)  # fmt: skip
def test_notifications_that_change_no_alarm(kind: FaultNotificationType) -> None:
    data = data_of(fault_supervision_event(GNB, notice(), at=T0, sequence=1))
    data.update(notificationType=str(kind), ackState="ACKNOWLEDGED", ackUserId="op1")
    assert parse_alarm(data) is None


def test_general_change_without_severity_changes_no_alarm() -> None:
    general = notice(FaultNotificationType.CHANGED_GENERAL)
    data = data_of(fault_supervision_event(GNB, general, at=T0, sequence=1))
    del data["perceivedSeverity"]
    assert notification_issues(data, "d") == []
    assert parse_alarm(data) is None


@pytest.mark.parametrize(
    ("change", "issue"),
    [
        ({"alarmId": None}, "d.alarmId: missing in a notifyNewAlarm"),
        ({"perceivedSeverity": None}, "d.perceivedSeverity: missing in a notifyNewAlarm"),
        ({"systemDN": None}, "d.systemDN: missing in a notifyNewAlarm"),
        ({"notificationType": None}, "d.notificationType: missing"),
        ({"notificationType": "notifyLoud"}, "d.notificationType: 'notifyLoud' is not one of"),
        ({"perceivedSeverity": "LOUD"}, "d.perceivedSeverity: 'LOUD' is not one of"),
        ({"alarmType": "BAD_ALARM"}, "d.alarmType: 'BAD_ALARM' is not one of"),
        ({"href": 1}, "d.href: must be a string"),
        ({"alarmId": 17}, "d.alarmId: must be a string"),
        ({"notificationId": "7"}, "d.notificationId: must be an integer"),
        ({"probableCause": True}, "d.probableCause: must be a string or an integer"),
        ({"eventTime": "xyz"}, "d.eventTime: 'xyz' is not an RFC 3339 date-time"),
        ({"eventTime": "2026-03-02T08:00:00"}, "is not an RFC 3339 date-time"),  # no offset
        ({"eventTime": "2026-02-30T08:00:00Z"}, "is not an RFC 3339 date-time"),
    ],
)
def test_data_issues_name_the_member(change: dict[str, Any], issue: str) -> None:
    data = data_of(fault_supervision_event(GNB, notice(), at=T0, sequence=1))
    for key, value in change.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    issues = [f"{i.path}: {i.message}" for i in notification_issues(data, "d")]
    assert len(issues) == 1 and issue in issues[0]
    with pytest.raises(VesFormatError, match=r"stndDefinedFields\.data"):
        parse_alarm(data)


def test_cleared_needs_no_specific_problem_but_general_change_needs_alarm_type() -> None:
    cleared = data_of(fault_supervision_event(GNB, notice(FaultNotificationType.CLEARED),
                                              at=T0, sequence=1))  # fmt: skip
    del cleared["specificProblem"]
    assert notification_issues(cleared, "d") == []
    changed = notice(FaultNotificationType.CHANGED_GENERAL)
    general = data_of(fault_supervision_event(GNB, changed, at=T0, sequence=2))
    del general["alarmType"]
    assert [i.path for i in notification_issues(general, "d")] == ["d.alarmType"]
