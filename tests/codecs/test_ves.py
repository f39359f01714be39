"""VES 7.x codec: builders validate against the ONAP 30.2.1 schema and round-trip through parse."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openipn.codecs.ves import (
    VES_SEVERITY,
    Alarm,
    Compression,
    Domain,
    EventSource,
    PmFile,
    Priority,
    VesFormatError,
    batch_body,
    config_change_event,
    epoch_micros,
    event_body,
    fault_event,
    file_ready_event,
    heartbeat_event,
    time_zone_offset,
)
from openipn.codecs.ves_parse import parse_body, parse_event, validate_against_schema
from openipn.model.alarms import EventType, PerceivedSeverity

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "samples"
SCHEMA_FILE = SAMPLES / "CommonEventFormat_30.2.1_ONAP.json"
T0 = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
GNB = EventSource(name="gnb-hall-a", nf_type="gNB")
LINK_DOWN = Alarm(
    condition="LinkDown",
    specific_problem="N2 SCTP association lost",
    event_type=EventType.COMMUNICATIONS_ALARM,
    probable_cause="lossOfSignal",
    source_type="port",
    interface="n2",
    additional=(("peer", "amf-1"),),
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The ONAP CommonEventFormat 30.2.1 schema from the shared reference folder."""
    if not SCHEMA_FILE.exists():
        pytest.skip(f"VES schema not available at {SCHEMA_FILE}")
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def assert_valid(obj: dict[str, Any], schema: dict[str, Any]) -> None:
    errors = validate_against_schema(obj, schema)
    assert errors == [], errors


# ----------------------------------------------------------------------------- strategies

names = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20)
free_text = st.text(max_size=40)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)
sources = st.builds(
    EventSource,
    name=names,
    nf_type=st.sampled_from(["gNB", "AMF", "UPF", "switch"]),
    reporting_entity=st.sampled_from(["", "twin"]),
)
extra_pairs = st.dictionaries(
    names.filter(lambda k: k not in {"eventType", "probableCause"}), free_text, max_size=3
)
alarms = st.builds(
    Alarm,
    condition=names,
    specific_problem=free_text,
    event_type=st.sampled_from(EventType),
    probable_cause=names,
    source_type=st.sampled_from(["other", "port", "card", "router"]),
    interface=st.none() | names,
    additional=extra_pairs.map(lambda d: tuple(d.items())),
)
pm_files = st.builds(
    PmFile,
    name=names.map(lambda n: f"A20250314.0900+0000-0915+0000_{n}.xml.gz"),
    location=names.map(lambda n: f"sftp://twin@127.0.0.1:2222/pm/{n}"),
    compression=st.sampled_from(Compression),
)


# ----------------------------------------------------------------------------- schema conformance


def test_schema_is_draft4_and_validation_catches_errors(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    event = fault_event(GNB, LINK_DOWN, PerceivedSeverity.MAJOR, at=T0, sequence=1)
    assert_valid(event, schema)
    event["faultFields"]["eventSeverity"] = "CLEARED"  # X.733 word, not a VES value
    del event["commonEventHeader"]["sourceName"]
    errors = validate_against_schema(event, schema)
    assert len(errors) == 2
    assert any("CLEARED" in e for e in errors)
    assert any("sourceName" in e for e in errors)


def test_validation_wraps_bare_events_and_rejects_empty_bodies(schema: dict[str, Any]) -> None:
    bad = heartbeat_event(GNB, at=T0, sequence=0, interval_s=60)
    bad["heartbeatFields"]["heartbeatInterval"] = "60"
    assert validate_against_schema(bad, schema) != []
    assert validate_against_schema(event_body(bad), schema) != []
    assert validate_against_schema({}, schema) == ["<root>: neither an event nor an eventList"]


@settings(max_examples=60, deadline=None)
@given(
    source=sources,
    alarm=alarms,
    severity=st.sampled_from(list(VES_SEVERITY)),
    at=moments,
    sequence=st.integers(0, 2**31),
    priority=st.none() | st.sampled_from(Priority),
)
def test_fault_events_validate(
    schema: dict[str, Any],
    source: EventSource,
    alarm: Alarm,
    severity: PerceivedSeverity,
    at: datetime,
    sequence: int,
    priority: Priority | None,
) -> None:
    event = fault_event(source, alarm, severity, at=at, sequence=sequence, priority=priority)
    assert_valid(event_body(event), schema)


@settings(max_examples=30, deadline=None)
@given(source=sources, at=moments, sequence=st.integers(0, 1000), interval=st.integers(1, 86400))
def test_heartbeat_events_validate(
    schema: dict[str, Any], source: EventSource, at: datetime, sequence: int, interval: int
) -> None:
    assert_valid(heartbeat_event(source, at=at, sequence=sequence, interval_s=interval), schema)


@settings(max_examples=40, deadline=None)
@given(
    source=sources,
    at=moments,
    files=st.lists(pm_files, min_size=1, max_size=4),
    changes=st.dictionaries(
        names.map(lambda n: f"/openipn:network/{n}"), free_text, min_size=1, max_size=4
    ),
    user=st.none() | names,
)
def test_notification_events_and_their_batches_validate(
    schema: dict[str, Any],
    source: EventSource,
    at: datetime,
    files: list[PmFile],
    changes: dict[str, str],
    user: str | None,
) -> None:
    ready = file_ready_event(
        source, at=at, sequence=1, files=files, start=at - timedelta(minutes=15)
    )
    changed = config_change_event(source, at=at, sequence=2, changes=changes, user=user)
    assert_valid(ready, schema)
    assert_valid(changed, schema)
    assert_valid(batch_body([ready, changed]), schema)


def test_fault_batch_validates(schema: dict[str, Any]) -> None:
    events = [
        fault_event(GNB, LINK_DOWN, severity, at=T0 + timedelta(seconds=i), sequence=i)
        for i, severity in enumerate(VES_SEVERITY)
    ]
    body = batch_body(events)
    assert_valid(body, schema)
    assert [e.severity for e in parse_body(body)] == list(VES_SEVERITY)


def test_onap_sample_batch_parses() -> None:
    sample = SAMPLES / "ves7_batch_valid.json"
    if not sample.exists():
        pytest.skip(f"sample not available at {sample}")
    events = parse_body(json.loads(sample.read_text(encoding="utf-8")))
    assert [e.domain for e in events] == [Domain.FAULT, Domain.FAULT]
    first = events[0]
    assert first.severity is PerceivedSeverity.CRITICAL and first.alarm is not None
    assert first.alarm.event_type is None  # ONAP sample carries no X.733 event type
    assert first.alarm.additional == (("PilotNumberPoolSize", "1000"),)
    assert first.time_zone_offset == "UTC-05:30"
    assert first.start == datetime(2014, 10, 15, 13, 2, 52, tzinfo=UTC)


# ----------------------------------------------------------------------------- batches


def test_mixed_domain_batch_is_refused() -> None:
    fault = fault_event(GNB, LINK_DOWN, PerceivedSeverity.MINOR, at=T0, sequence=1)
    beat = heartbeat_event(GNB, at=T0, sequence=2, interval_s=30)
    with pytest.raises(ValueError, match="one domain"):
        batch_body([fault, beat])
    with pytest.raises(ValueError, match="at least one"):
        batch_body([])
    assert batch_body([beat]) == {"eventList": [beat]}


# ----------------------------------------------------------------------------- header rules


def test_header_uses_simulated_time_names_and_versions() -> None:
    china = timezone(timedelta(hours=8))
    at = datetime(2025, 3, 14, 17, 0, 0, 250, tzinfo=china)
    raised = at - timedelta(minutes=5)
    event = fault_event(GNB, LINK_DOWN, PerceivedSeverity.CRITICAL, at=at, sequence=7, start=raised)
    header = event["commonEventHeader"]
    assert header["lastEpochMicrosec"] == 1741942800000250  # 2025-03-14T09:00:00.000250Z
    assert header["startEpochMicrosec"] == header["lastEpochMicrosec"] - 300_000_000
    assert header["timeZoneOffset"] == "UTC+08:00"
    assert header["eventName"] == "Fault_gNB_LinkDown"
    assert header["priority"] == "High"
    assert (header["version"], header["vesEventListenerVersion"]) == ("4.1", "7.2.1")
    assert header["reportingEntityName"] == "gnb-hall-a"
    info = event["faultFields"]["alarmAdditionalInformation"]
    assert info == {
        "eventType": "COMMUNICATIONS_ALARM",
        "probableCause": "lossOfSignal",
        "peer": "amf-1",
    }
    beat = heartbeat_event(GNB, at=T0, sequence=0, interval_s=60)["commonEventHeader"]
    assert beat["eventName"] == "Heartbeat_gNB" and beat["timeZoneOffset"] == "UTC+00:00"
    files = [PmFile("A.xml.gz", "sftp://h/A.xml.gz")]
    ready = file_ready_event(GNB, at=T0, sequence=0, files=files)
    assert ready["commonEventHeader"]["eventName"] == "Notification_gNB_FileReady"
    assert ready["notificationFields"]["arrayOfNamedHashMap"][0]["hashMap"] == {
        "location": "sftp://h/A.xml.gz",
        "compression": "gzip",
        "fileFormatType": "org.3GPP.32.435#measCollec",
        "fileFormatVersion": "V10",
    }


def test_event_id_is_stable_and_unique() -> None:
    def make(sequence: int, severity: PerceivedSeverity = PerceivedSeverity.MAJOR) -> str:
        event = fault_event(GNB, LINK_DOWN, severity, at=T0, sequence=sequence)
        return str(event["commonEventHeader"]["eventId"])

    assert make(1) == make(1)
    ids = {make(1), make(2), make(1, PerceivedSeverity.CLEARED)}
    assert len(ids) == 3
    assert make(1).startswith("fault-")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"at": datetime(2025, 1, 1), "sequence": 0}, "aware"),
        ({"at": T0, "sequence": -1}, "sequence"),
        ({"at": T0, "sequence": 0, "start": T0 + timedelta(seconds=1)}, "start"),
    ],
)
def test_bad_header_inputs_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fault_event(GNB, LINK_DOWN, PerceivedSeverity.MAJOR, **kwargs)


def test_bad_block_inputs_are_refused() -> None:
    clash = Alarm("X", "x", EventType.EQUIPMENT_ALARM, "c", additional=(("eventType", "Y"),))
    with pytest.raises(ValueError, match="override"):
        fault_event(GNB, clash, PerceivedSeverity.MAJOR, at=T0, sequence=0)
    with pytest.raises(ValueError, match="positive"):
        heartbeat_event(GNB, at=T0, sequence=0, interval_s=0)
    with pytest.raises(ValueError, match="at least one file"):
        file_ready_event(GNB, at=T0, sequence=0, files=[])
    with pytest.raises(ValueError, match="at least one changed path"):
        config_change_event(GNB, at=T0, sequence=0, changes={})
    with pytest.raises(ValueError, match="name"):
        EventSource(name="", nf_type="gNB")


# ----------------------------------------------------------------------------- round trips


@settings(max_examples=60, deadline=None)
@given(
    source=sources,
    alarm=alarms,
    severity=st.sampled_from(list(VES_SEVERITY)),
    at=moments,
    age=st.integers(0, 10**9),
    sequence=st.integers(0, 2**31),
)
def test_fault_round_trip(
    source: EventSource,
    alarm: Alarm,
    severity: PerceivedSeverity,
    at: datetime,
    age: int,
    sequence: int,
) -> None:
    start = at - timedelta(microseconds=age)
    event = fault_event(source, alarm, severity, at=at, sequence=sequence, start=start)
    parsed = parse_event(json.loads(json.dumps(event)))
    assert parsed.domain is Domain.FAULT
    assert parsed.alarm == alarm
    assert parsed.severity is severity
    assert parsed.is_clear == (severity is PerceivedSeverity.CLEARED)
    assert (parsed.start, parsed.last) == (start, at)
    assert parsed.last.tzinfo is UTC
    assert parsed.source_name == source.name
    assert parsed.reporting_entity_name == (source.reporting_entity or source.name)
    assert parsed.sequence == sequence
    assert parsed.event_id == event["commonEventHeader"]["eventId"]


@settings(max_examples=30, deadline=None)
@given(
    source=sources,
    at=moments,
    files=st.lists(pm_files, min_size=1, max_size=4),
    changes=st.dictionaries(names, free_text, min_size=1, max_size=4),
    user=st.none() | names,
    interval=st.integers(1, 3600),
)
def test_heartbeat_and_notification_round_trip(
    source: EventSource,
    at: datetime,
    files: list[PmFile],
    changes: dict[str, str],
    user: str | None,
    interval: int,
) -> None:
    beat = parse_event(heartbeat_event(source, at=at, sequence=3, interval_s=interval))
    assert (beat.domain, beat.heartbeat_interval, beat.alarm) == (Domain.HEARTBEAT, interval, None)
    ready = parse_event(file_ready_event(source, at=at, sequence=4, files=files))
    assert ready.notification is not None
    assert ready.notification.files == tuple(files)
    assert ready.notification.change_identifier == "PM_MEAS_FILES"
    changed = parse_event(
        config_change_event(source, at=at, sequence=5, changes=changes, user=user)
    )
    assert changed.notification is not None
    assert changed.notification.change_type == "ConfigurationChanged"
    assert dict(changed.notification.additional) == changes
    assert changed.notification.change_contact == user
    assert changed.notification.files == ()
    assert changed.priority is Priority.NORMAL and beat.priority is Priority.LOW


def test_epoch_micros_is_exact() -> None:
    assert epoch_micros(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert epoch_micros(T0) == 1741944413589793
    minus_5_30 = datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
    assert time_zone_offset(minus_5_30) == "UTC-05:30"
    assert epoch_micros(minus_5_30) == epoch_micros(datetime(2025, 1, 1, 5, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    "obj",
    [
        {},
        {"commonEventHeader": "x"},
        {"commonEventHeader": {"domain": "nonsense"}},
        {"commonEventHeader": {"domain": "fault"}},
    ],
)
def test_malformed_events_raise_format_errors(obj: dict[str, Any]) -> None:
    with pytest.raises(VesFormatError):
        parse_event(obj)


def test_fault_without_fault_fields_and_bad_bodies_are_refused() -> None:
    event = fault_event(GNB, LINK_DOWN, PerceivedSeverity.MAJOR, at=T0, sequence=0)
    del event["faultFields"]
    with pytest.raises(VesFormatError, match="faultFields"):
        parse_event(event)
    with pytest.raises(VesFormatError, match="eventList"):
        parse_body({"events": []})
    event = fault_event(GNB, LINK_DOWN, PerceivedSeverity.MAJOR, at=T0, sequence=0)
    event["commonEventHeader"]["sequence"] = True  # bool is not an integer here
    with pytest.raises(VesFormatError, match="sequence"):
        parse_event(event)


def test_event_severity_keeps_the_ves_spelling_of_the_model_levels() -> None:
    """eventSeverity (CommonEventFormat 30.2.1): CLEARED is NORMAL; INDETERMINATE has none."""
    wire = {
        severity: fault_event(GNB, LINK_DOWN, severity, at=T0, sequence=0)["faultFields"][
            "eventSeverity"
        ]
        for severity in VES_SEVERITY
    }
    assert wire == {
        PerceivedSeverity.CRITICAL: "CRITICAL",
        PerceivedSeverity.MAJOR: "MAJOR",
        PerceivedSeverity.MINOR: "MINOR",
        PerceivedSeverity.WARNING: "WARNING",
        PerceivedSeverity.CLEARED: "NORMAL",
    }
    with pytest.raises(ValueError, match="cannot express INDETERMINATE"):
        fault_event(GNB, LINK_DOWN, PerceivedSeverity.INDETERMINATE, at=T0, sequence=0)
