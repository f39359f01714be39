"""The schema's format constraints and block versions, as the collector's validator applies them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ves_3gpp_kit import stnd_alarm
from ves_kit import SAMPLES, T0, fault, heartbeat

from openipn.codecs.ves import batch_body, event_body
from openipn.collect.ves_validate import (
    BLOCKS,
    FORMATS,
    HEADER,
    HEADER_OPTIONAL,
    VesRequestError,
    check_body,
)

SCHEMA_FILE = SAMPLES / "CommonEventFormat_30.2.1_ONAP.json"
NO_SCHEMA = f"ONAP VES schema copy {SCHEMA_FILE} not present"

PNF: dict[str, Any] = {
    "commonEventHeader": {
        "version": "4.0.1", "vesEventListenerVersion": "7.2.1", "domain": "pnfRegistration",
        "eventName": "pnfRegistration_gNB", "eventId": "reg-1", "sequence": 1,
        "priority": "High", "reportingEntityName": "gnb-01", "sourceName": "gnb-01",
        "startEpochMicrosec": 1413378172000000, "lastEpochMicrosec": 1413378172000000,
    },
    "pnfRegistrationFields": {"pnfRegistrationFieldsVersion": "2.1"},
}  # fmt: skip


def pnf(**fields: Any) -> dict[str, Any]:
    event = copy.deepcopy(PNF)
    event["pnfRegistrationFields"].update(fields)
    return event


def issues_of(body: dict[str, Any], *, batch: bool = False) -> list[str]:
    try:
        check_body(body, batch=batch)
    except VesRequestError as exc:
        return [f"{i.path}: {i.message}" for i in exc.issues]
    return []


# ONAP's own collector test events (ves7_valid_ip_* and ves7_invalid_ip*) and a few more.
@pytest.mark.parametrize(
    "address",
    ["9.9.9.9", "0.0.0.0", "255.255.255.255", "10.20.30.40"],
)
def test_valid_ipv4_accepted(address: str) -> None:
    assert issues_of(event_body(pnf(oamV4IpAddress=address))) == []


@pytest.mark.parametrize(
    "address",
    ["1.2.3.444", "09.09.09.09aaaf", "09.9.9.9", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "::1", ""],
)
def test_invalid_ipv4_refused(address: str) -> None:
    assert issues_of(event_body(pnf(oamV4IpAddress=address))) == [
        f"event.pnfRegistrationFields.oamV4IpAddress: {address!r} is not an IPv4 address"
    ]


@pytest.mark.parametrize(
    "address",
    [
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8::1", "::1", "::", "FE80::A",
        "::ffff:0:10.0.0.3", "fe80::1ff:fe23:4567:890a%eth2", "ff02::1",
    ],
)  # fmt: skip
def test_valid_ipv6_accepted(address: str) -> None:
    assert issues_of(event_body(pnf(oamV6IpAddress=address))) == []


@pytest.mark.parametrize(
    "address",
    ["101.5.40.1", "1234:::aabc", "1::2::3", ":1234::1", "1:2:3:4:5:6:7:8:9", "2001:db8::g",
     "fe80::1%", "2001:db8::1 junk"],
)  # fmt: skip
def test_invalid_ipv6_refused(address: str) -> None:
    assert issues_of(event_body(pnf(oamV6IpAddress=address))) == [
        f"event.pnfRegistrationFields.oamV6IpAddress: {address!r} is not an IPv6 address"
    ]


def test_batch_names_the_event_and_every_bad_address() -> None:
    events = [pnf(oamV4IpAddress="9.9.9.9"), pnf(oamV4IpAddress="1.2.3.444", oamV6IpAddress="x")]
    assert issues_of({"eventList": events}, batch=True) == [
        "eventList[1].pnfRegistrationFields.oamV4IpAddress: '1.2.3.444' is not an IPv4 address",
        "eventList[1].pnfRegistrationFields.oamV6IpAddress: 'x' is not an IPv6 address",
    ]


def test_formatted_member_must_be_a_string() -> None:
    assert issues_of(event_body(pnf(oamV4IpAddress=167772161))) == [
        "event.pnfRegistrationFields.oamV4IpAddress: must be a string"
    ]


@pytest.mark.parametrize(
    "uri",
    [
        "https://forge.3gpp.org/rep/sa5/MnS/-/raw/Rel-16/OpenAPI/TS28532_FaultMnS.yaml"
        "#components/schemas/NotifyNewAlarm",
        "urn:3gpp:faultMnS", "file:///schemas/faultMnS.yaml#/x", "https://h/a%20b?q=[1]",
    ],
)  # fmt: skip
def test_valid_schema_reference_accepted(uri: str) -> None:
    event = stnd_alarm()
    event["stndDefinedFields"]["schemaReference"] = uri
    assert issues_of(event_body(event)) == []


@pytest.mark.parametrize(
    "uri",
    ["faultMnS.yaml#/NotifyNewAlarm", "https://h/a b", "https://h/%zz", "1http://h/", "", "h\\x"],
)
def test_invalid_schema_reference_refused(uri: str) -> None:
    event = stnd_alarm()
    event["stndDefinedFields"]["schemaReference"] = uri
    assert issues_of(event_body(event)) == [
        f"event.stndDefinedFields.schemaReference: {uri!r} is not an absolute URI"
    ]


@pytest.mark.parametrize(
    ("block", "member", "value"),
    [
        ("faultFields", "faultFieldsVersion", "3.0"),
        ("heartbeatFields", "heartbeatFieldsVersion", "2.0"),
        ("stndDefinedFields", "stndDefinedFieldsVersion", "2.0"),
        ("pnfRegistrationFields", "pnfRegistrationFieldsVersion", "1.0"),
    ],
)
def test_block_versions_are_the_schema_enumerations(block: str, member: str, value: str) -> None:
    events = {"faultFields": fault(), "heartbeatFields": heartbeat("gnb-01", T0),
              "stndDefinedFields": stnd_alarm(), "pnfRegistrationFields": pnf()}  # fmt: skip
    event = events[block]
    event[block][member] = value
    (issue,) = issues_of(event_body(event))
    assert issue.startswith(f"event.{block}.{member}: {value!r} is not one of")


def test_stnd_defined_data_checked_only_for_namespaces_read() -> None:
    other = stnd_alarm()
    other["commonEventHeader"]["stndDefinedNamespace"] = "3GPP-Heartbeat"
    del other["stndDefinedFields"]["data"]["alarmId"]
    assert issues_of(event_body(other)) == []
    fault_supervision = stnd_alarm()
    del fault_supervision["stndDefinedFields"]["data"]["alarmId"]
    assert issues_of(batch_body([stnd_alarm(), fault_supervision]), batch=True) == [
        "eventList[1].stndDefinedFields.data.alarmId: missing in a notifyNewAlarm"
    ]


def test_header_members_outside_the_schema_are_refused() -> None:
    """commonEventHeader has additionalProperties false: an address there is not VES 7."""
    event = fault()
    event["commonEventHeader"].update(oamV4IpAddress="1.2.3.444", nfVendorName=5)
    assert issues_of({"eventList": [event]}, batch=True) == [
        "eventList[0].commonEventHeader.oamV4IpAddress: is not a member of commonEventHeader",
        "eventList[0].commonEventHeader.nfVendorName: must be a string",
    ]
    event = fault()
    event["commonEventHeader"].update(
        eventType="applicationNf", internalHeaderFields={}, nfNamingCode="gNB1",
        nfcNamingCode="du1", reportingEntityId="u-1", sourceId="u-2", timeZoneOffset="UTC+08:00",
    )  # fmt: skip
    assert issues_of(event_body(event)) == []


@pytest.mark.skipif(not SCHEMA_FILE.exists(), reason=NO_SCHEMA)
def test_header_tables_are_the_schema_members() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())["definitions"]["commonEventHeader"]
    kinds = {spec.name: spec.kind for spec in HEADER} | HEADER_OPTIONAL
    assert set(kinds) == set(schema["properties"])
    assert set(schema["required"]) == {spec.name for spec in HEADER}
    for name, kind in HEADER_OPTIONAL.items():
        assert schema["properties"][name].get("type", "object") == kind, name


@pytest.mark.skipif(not SCHEMA_FILE.exists(), reason=NO_SCHEMA)
def test_block_tables_are_the_schema_required_enums_and_formats() -> None:
    definitions = json.loads(SCHEMA_FILE.read_text())["definitions"]
    for domain, fields in BLOCKS.items():
        block = definitions[f"{domain}Fields"]
        assert {spec.name for spec in fields} == set(block["required"]), domain
        for spec in fields:
            assert tuple(block["properties"][spec.name].get("enum", ())) == spec.allowed, spec
        formats = {name: p["format"] for name, p in block["properties"].items() if "format" in p}
        assert {f.name for f in FORMATS.get(domain, ())} == set(formats), domain


def with_header(**header: Any) -> dict[str, Any]:
    event = copy.deepcopy(PNF)
    event["commonEventHeader"].update(header)
    return event


@pytest.mark.parametrize("sequence", [1.0, 0.0, 7])
def test_integral_number_is_an_integer(sequence: float) -> None:
    """JSON Schema counts 1.0 as an integer (draft 4 onwards): a sender may write it so."""
    body = event_body(with_header(sequence=sequence))
    assert issues_of(body) == []
    assert check_body(body, batch=False).parsed[0].sequence == int(sequence)


@pytest.mark.parametrize("sequence", [1.5, True, "1"])
def test_fractional_or_other_type_is_not_an_integer(sequence: Any) -> None:
    """A fraction, a boolean or a string is no integer."""
    assert issues_of(event_body(with_header(sequence=sequence))) == [
        "event.commonEventHeader.sequence: must be an integer"
    ]


def test_integral_heartbeat_interval_is_read() -> None:
    """heartbeatInterval 60.0 is the integer 60."""
    event = json.loads(json.dumps(event_body(heartbeat("gnb-01", T0, interval_s=60))))
    event["event"]["heartbeatFields"]["heartbeatInterval"] = 60.0
    assert check_body(event, batch=False).parsed[0].heartbeat_interval == 60
