"""The VES event listener through the real app: auth, validation, batch rule, durable 202."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ves_3gpp_kit import stnd_alarm
from ves_kit import BEARER, T0, TOKEN, basic, fault, heartbeat, make_services, running

from openipn.app import Services
from openipn.codecs.ves import batch_body, event_body
from openipn.codecs.ves_parse import validate_against_schema
from openipn.collect.journal import read_records
from openipn.runtime import build_runtime
from samples_kit import sample

SINGLE = "/eventListener/v7"
BATCH = "/eventListener/v7/eventBatch"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path, ves_user="onap", ves_password="pa55")
    yield built
    built.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with running(services, build_runtime(services)) as test_client:
        yield test_client


def journaled_ids(services: Services) -> list[str]:
    ids = []
    for record in read_records(services.settings.data_dir / "ves" / "journal"):
        body = json.loads(record.payload)
        items = body.get("eventList") or [body["event"]]
        ids.extend(item["commonEventHeader"]["eventId"] for item in items)
    return ids


def test_single_event_is_journaled_before_202(client: TestClient, services: Services) -> None:
    event = fault()
    response = client.post(SINGLE, json=event_body(event), headers=BEARER)
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1
    assert journaled_ids(services) == [event["commonEventHeader"]["eventId"]]


def test_batch_positions_count_events(client: TestClient, services: Services) -> None:
    first = [heartbeat(f"gnb-{i}", T0) for i in range(3)]
    second = [heartbeat(f"upf-{i}", T0) for i in range(2)]
    one = client.post(BATCH, json=batch_body(first), headers=BEARER)
    two = client.post(BATCH, json=batch_body(second), headers=BEARER)
    assert (one.status_code, two.status_code) == (202, 202)
    assert two.json()["position"] - one.json()["position"] == 3
    expected = [e["commonEventHeader"]["eventId"] for e in first + second]
    assert journaled_ids(services) == expected


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, basic("onap", "wrong"), {"Authorization": "Basic !!"}],
)
def test_wrong_or_missing_credentials_get_401(
    client: TestClient, services: Services, headers: dict[str, str]
) -> None:
    response = client.post(SINGLE, json=event_body(fault()), headers=headers)
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert "Basic" in challenge and "Bearer" in challenge
    assert response.headers["content-type"].startswith("application/problem+json")
    assert journaled_ids(services) == []


def test_basic_and_bearer_both_accepted(client: TestClient) -> None:
    assert (
        client.post(SINGLE, json=event_body(fault()), headers=basic("onap", "pa55")).status_code
        == 202
    )
    assert client.post(SINGLE, json=event_body(fault()), headers=BEARER).status_code == 202


def _without(event: dict[str, Any], *path: str) -> dict[str, Any]:
    copied = copy.deepcopy(event)
    target = copied
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copied


def test_missing_field_named_with_its_batch_position(client: TestClient) -> None:
    events = [fault(sequence=i) for i in range(5)]
    events[3] = _without(events[3], "commonEventHeader", "sourceName")
    response = client.post(BATCH, json={"eventList": events}, headers=BEARER)
    assert response.status_code == 400
    problem = response.json()
    assert problem["detail"] == "eventList[3].commonEventHeader.sourceName: missing"
    assert problem["errors"] == [
        {"path": "eventList[3].commonEventHeader.sourceName", "message": "missing"}
    ]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            ("commonEventHeader", "priority", "Urgent"),
            "event.commonEventHeader.priority",
            "not one of",
        ),
        (("commonEventHeader", "sequence", "7"), "event.commonEventHeader.sequence", "an integer"),
        (("commonEventHeader", "version", "3.0"), "event.commonEventHeader.version", "not one of"),
        (("faultFields", "eventSeverity", "BAD"), "event.faultFields.eventSeverity", "not one of"),
        (("faultFields", "vfStatus", None), "event.faultFields.vfStatus", "missing"),
    ],
)
def test_field_errors_are_named(
    client: TestClient, change: tuple[str, str, Any], path: str, message: str
) -> None:
    event = fault()
    block, key, value = change
    event[block][key] = value
    if value is None:
        del event[block][key]
    response = client.post(SINGLE, json=event_body(event), headers=BEARER)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path
    assert message in response.json()["errors"][0]["message"]


def test_fault_without_fault_fields_is_refused(client: TestClient) -> None:
    event = _without(fault(), "faultFields")
    response = client.post(SINGLE, json=event_body(event), headers=BEARER)
    assert response.status_code == 400
    assert response.json()["detail"] == "event.faultFields: missing"


def test_batch_of_two_domains_is_refused(client: TestClient, services: Services) -> None:
    events = [fault(), heartbeat("gnb-01", T0)]
    response = client.post(BATCH, json={"eventList": events}, headers=BEARER)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "eventList[1].commonEventHeader.domain"
    assert "one domain per batch" in response.json()["detail"]
    assert journaled_ids(services) == []


def test_stnd_defined_batch_needs_one_namespace(client: TestClient) -> None:
    event = stnd_alarm()
    other = copy.deepcopy(event)
    other["commonEventHeader"]["stndDefinedNamespace"] = "3GPP-Heartbeat"
    response = client.post(BATCH, json={"eventList": [event, other]}, headers=BEARER)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"].endswith("stndDefinedNamespace")
    same = client.post(BATCH, json={"eventList": [event, event]}, headers=BEARER)
    assert same.status_code == 202, same.text


def test_onap_batch_sample_is_accepted(client: TestClient) -> None:
    body = json.loads(sample("ves7_batch_valid.json").read_text())
    assert client.post(BATCH, json=body, headers=BEARER).status_code == 202


def test_onap_stnd_defined_sample_is_refused_for_its_dummy_values(client: TestClient) -> None:
    """ONAP's routing fixture has href 1 and eventTime "xyz", which TS 28.623 does not allow."""
    body = json.loads(sample("ves_stdnDefined_valid.json").read_text())
    response = client.post(SINGLE, json=body, headers=BEARER)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "event.stndDefinedFields.data.href", "message": "must be a string"},
        {
            "path": "event.stndDefinedFields.data.eventTime",
            "message": "'xyz' is not an RFC 3339 date-time",
        },
    ]
    data = body["event"]["stndDefinedFields"]["data"]
    data.update(href="https://nms/ProvMnS/ManagedElement=me1", eventTime="2014-10-15T13:02:52Z")
    assert client.post(SINGLE, json=body, headers=BEARER).status_code == 202


def test_what_is_accepted_validates_against_the_onap_schema(
    client: TestClient, services: Services
) -> None:
    schema = json.loads(sample("CommonEventFormat_30.2.1_ONAP.json").read_text())
    bodies = [
        event_body(fault(obj="ManagedElement=me1,GNBDUFunction=1,NRCellDU=1")),
        batch_body([heartbeat(f"gnb-{i}", T0, sequence=i) for i in range(4)]),
    ]
    for body in bodies:
        path = BATCH if "eventList" in body else SINGLE
        assert client.post(path, json=body, headers=BEARER).status_code == 202
    for record in read_records(services.settings.data_dir / "ves" / "journal"):
        assert validate_against_schema(json.loads(record.payload), schema) == []


def test_wrong_shape_of_body(client: TestClient) -> None:
    cases = [
        (SINGLE, b"{not json", "not valid JSON"),
        (BATCH, b'{"eventList": []}', "eventList: must be a non-empty array"),
        (BATCH, b'{"event": {}}', "eventList: missing"),
        (SINGLE, b'{"event": 3}', "event: must be an object"),
    ]
    headers = {**BEARER, "Content-Type": "application/json"}
    for path, raw, detail in cases:
        response = client.post(path, content=raw, headers=headers)
        assert response.status_code == 400, raw
        assert detail in response.json()["detail"]


def test_non_json_media_type_is_415(client: TestClient) -> None:
    headers = {**BEARER, "Content-Type": "text/plain"}
    response = client.post(SINGLE, content=json.dumps(event_body(fault())), headers=headers)
    assert response.status_code == 415


def test_generated_token_when_no_credentials(tmp_path: Path) -> None:
    services = make_services(tmp_path, ves_token=None)
    try:
        runtime = build_runtime(services)
        token_file = services.settings.data_dir / "ves" / "collector.token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        assert len(token) >= 32 and token != TOKEN
        with running(services, runtime) as client:
            body = event_body(fault())
            assert client.post(SINGLE, json=body).status_code == 401
            auth = {"Authorization": f"Bearer {token}"}
            assert client.post(SINGLE, json=body, headers=auth).status_code == 202
    finally:
        services.close()


def test_auth_none_is_explicit_opt_out(tmp_path: Path) -> None:
    services = make_services(tmp_path, ves_token=None, ves_auth="none")
    try:
        with running(services, build_runtime(services)) as client:
            assert client.post(SINGLE, json=event_body(fault())).status_code == 202
        assert not (services.settings.data_dir / "ves" / "collector.token").exists()
    finally:
        services.close()


def test_without_runtime_the_listener_answers_503(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    try:
        from openipn.api import create_app

        with TestClient(create_app(services)) as client:
            response = client.post(SINGLE, json=event_body(fault()), headers=BEARER)
            assert response.status_code == 503
    finally:
        services.close()


def test_malformed_oam_address_is_a_400_naming_the_field(
    client: TestClient, services: Services
) -> None:
    registration = {
        "commonEventHeader": {
            **fault()["commonEventHeader"], "domain": "pnfRegistration", "eventId": "reg-1",
        },
        "pnfRegistrationFields": {
            "pnfRegistrationFieldsVersion": "2.1", "oamV4IpAddress": "1.2.3.444",
        },
    }  # fmt: skip
    response = client.post(BATCH, json={"eventList": [registration]}, headers=BEARER)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "eventList[0].pnfRegistrationFields.oamV4IpAddress: '1.2.3.444' is not an IPv4 address"
    )
    assert journaled_ids(services) == []
    registration["pnfRegistrationFields"]["oamV4IpAddress"] = "10.1.2.3"
    assert client.post(BATCH, json={"eventList": [registration]}, headers=BEARER).status_code == 202


@pytest.mark.parametrize(
    "raw",
    [b'{"event": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", b'{"event": NaN}', b"\xff{}"],
)
def test_hostile_json_is_a_400_not_a_crash(client: TestClient, raw: bytes) -> None:
    headers = BEARER | {"Content-Type": "application/json"}
    response = client.post(SINGLE, content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert "not valid JSON" in response.json()["detail"]
