"""3GPP fault-supervision notifications (VES stndDefined) become alarms through the collector."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ves_3gpp_kit import CELL_DN, stnd_alarm
from ves_kit import BEARER, T0, make_services, minutes, running, wait_until

from openipn.app import Services
from openipn.codecs.ves import batch_body, event_body
from openipn.codecs.ves_3gpp import FaultNotificationType as Kind
from openipn.codecs.ves_parse import parse_event
from openipn.collect.alarms import AlarmHandler
from openipn.collect.events import StoredEvent
from openipn.model.alarms import PerceivedSeverity as Level
from openipn.runtime import build_runtime
from openipn.store.alarms import AlarmBook

SINGLE = "/eventListener/v7"
BATCH = "/eventListener/v7/eventBatch"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    yield built
    built.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with running(services, build_runtime(services)) as test_client:
        yield test_client


def alarms(client: TestClient) -> list[dict[str, Any]]:
    response = client.get("/api/v1/alarms", params={"page_size": 100})
    assert response.status_code == 200
    return list(response.json()["items"])


def consumed(client: TestClient, count: int) -> None:
    """Wait until the collector's consumer has handled ``count`` events."""
    wait_until(lambda: client.get("/api/v1/collector/ves").json()["consumed"] >= count)


def post(client: TestClient, event: dict[str, Any]) -> None:
    response = client.post(SINGLE, json=event_body(event), headers=BEARER)
    assert response.status_code == 202, response.text


def test_new_changed_cleared_raise_change_and_clear_one_alarm(client: TestClient) -> None:
    post(client, stnd_alarm(Kind.NEW, Level.MAJOR, at=T0, sequence=1))
    consumed(client, 1)
    (raised,) = alarms(client)
    assert raised["source"] == "gnb-01" and raised["object"] == CELL_DN
    assert raised["condition"] == "alarm-1"  # alarmId: the key new/changed/cleared share
    assert (raised["severity"], raised["active"]) == ("MAJOR", True)
    assert raised["event_type"] == "EQUIPMENT_ALARM"
    assert raised["probable_cause"] == "powerProblem"
    assert raised["specific_problem"] == "PSU 2 input lost" and raised["text"] == "rack 3"
    assert raised["raised_at"] == T0.isoformat().replace("+00:00", "Z")

    post(client, stnd_alarm(Kind.CHANGED, Level.CRITICAL, at=T0 + minutes(1), sequence=2))
    consumed(client, 2)
    (changed,) = alarms(client)
    assert changed["id"] == raised["id"]
    assert (changed["severity"], changed["active"]) == ("CRITICAL", True)

    post(client, stnd_alarm(Kind.CLEARED, Level.CLEARED, at=T0 + minutes(2), sequence=3))
    consumed(client, 3)
    (cleared,) = alarms(client)
    assert cleared["id"] == raised["id"]
    assert (cleared["active"], cleared["severity"]) == (False, "CRITICAL")
    assert cleared["cleared_at"] == (T0 + minutes(2)).isoformat().replace("+00:00", "Z")


def test_alarm_ids_and_objects_keep_alarms_apart(client: TestClient) -> None:
    other_dn = CELL_DN.replace("NRCellDU=1", "NRCellDU=2")
    events = [
        stnd_alarm(alarm_id="a-1", sequence=1),
        stnd_alarm(alarm_id="a-2", sequence=2),
        stnd_alarm(alarm_id="a-1", dn=other_dn, sequence=3),
        stnd_alarm(Kind.CLEARED, Level.CLEARED, alarm_id="a-2", at=T0 + minutes(1), sequence=4),
    ]
    response = client.post(BATCH, json=batch_body(events), headers=BEARER)
    assert response.status_code == 202, response.text
    consumed(client, 4)
    active = {(a["condition"], a["object"]) for a in alarms(client) if a["active"]}
    assert active == {("a-1", CELL_DN), ("a-1", other_dn)}


def test_list_rebuilt_is_accepted_logged_and_changes_nothing(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    post(client, stnd_alarm(sequence=1))
    rebuilt = stnd_alarm(at=T0 + minutes(1), sequence=2)
    rebuilt["stndDefinedFields"]["data"].update(
        notificationType="notifyAlarmListRebuilt", reason="AFTER_RESTART"
    )
    with caplog.at_level(logging.INFO, logger="openipn.collect.alarm_3gpp"):
        post(client, rebuilt)
        consumed(client, 2)
    assert [(a["condition"], a["active"]) for a in alarms(client)] == [("alarm-1", True)]
    assert "alarm list of gnb-01 rebuilt (AFTER_RESTART)" in caplog.text


def test_missing_alarm_id_is_a_400_naming_it(client: TestClient) -> None:
    event = stnd_alarm()
    del event["stndDefinedFields"]["data"]["alarmId"]
    response = client.post(SINGLE, json=event_body(event), headers=BEARER)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "event.stndDefinedFields.data.alarmId: missing in a notifyNewAlarm"
    )


def test_redelivery_from_the_journal_changes_nothing(services: Services) -> None:
    """At-least-once delivery: the events parsed again from their raw form apply once."""
    events = [
        stnd_alarm(Kind.NEW, Level.MINOR, at=T0, sequence=1),
        stnd_alarm(Kind.CHANGED, Level.MAJOR, at=T0 + minutes(1), sequence=2),
        stnd_alarm(Kind.CLEARED, Level.CLEARED, at=T0 + minutes(2), sequence=3),
        stnd_alarm(Kind.NEW, Level.CRITICAL, at=T0 + minutes(3), sequence=4),  # raised again
    ]
    now = dt.datetime.now(dt.UTC)
    stored = [StoredEvent(i, now, parse_event(e), e) for i, e in enumerate(events)]
    book = AlarmBook(services.engine)
    handler = AlarmHandler(book)
    handler.handle(stored)
    first = book.page(page_size=10).items
    assert [(a.severity, a.active) for a in first] == [("CRITICAL", True), ("MAJOR", False)]
    handler.handle(stored)
    handler.handle(stored[:2])
    assert book.page(page_size=10).items == first
