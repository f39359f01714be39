"""Alarms from fault events: raise, update, clear, idempotent redelivery, and GET /api/v1/alarms."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from ves_kit import T0, fault, minutes

from openipn.api import create_app
from openipn.app import Services
from openipn.codecs.ves import Event
from openipn.codecs.ves_parse import parse_event
from openipn.collect.alarms import AlarmHandler
from openipn.collect.events import StoredEvent
from openipn.model.alarms import PerceivedSeverity as Level
from openipn.store.alarms import AlarmBook

CELL1 = "ManagedElement=gnb-01,GNBDUFunction=1,NRCellDU=1"
CELL2 = "ManagedElement=gnb-01,GNBDUFunction=1,NRCellDU=2"


def stored(events: list[Event]) -> list[StoredEvent]:
    now = dt.datetime.now(dt.UTC)
    return [StoredEvent(i, now, parse_event(e), e) for i, e in enumerate(events)]


def rows(services: Services, **filters: Any) -> list[dict[str, Any]]:
    found = AlarmBook(services.engine).page(page_size=1000, **filters).items
    return [dataclasses.asdict(alarm) for alarm in found]


def test_raise_update_clear_and_raise_again(services: Services) -> None:
    handler = AlarmHandler(AlarmBook(services.engine))
    events = [
        fault(severity=Level.MINOR, at=T0, obj=CELL1),
        fault(severity=Level.CRITICAL, at=T0 + minutes(1), obj=CELL1),  # update
        fault(severity=Level.WARNING, at=T0 + minutes(0.5), obj=CELL1),  # stale: ignored
        fault(severity=Level.CLEARED, at=T0 + minutes(2), obj=CELL1),  # clear
        fault(severity=Level.MAJOR, at=T0 + minutes(3), obj=CELL1),  # a new instance
    ]
    handler.handle(stored(events))
    found = rows(services)
    assert [(a["severity"], a["active"]) for a in found] == [("MAJOR", True), ("CRITICAL", False)]
    old = found[1]
    assert (old["raised_at"], old["updated_at"], old["cleared_at"]) == (
        T0, T0 + minutes(2), T0 + minutes(2)
    )  # fmt: skip
    assert old["object"] == CELL1 and old["source"] == "gnb-01"
    assert old["event_type"] == "COMMUNICATIONS_ALARM" and old["probable_cause"] == "lossOfSignal"
    assert old["event_id"] == events[0]["commonEventHeader"]["eventId"]
    # Redelivery of everything (at-least-once) changes nothing.
    handler.handle(stored(events))
    handler.handle(stored(events[:2]))
    assert rows(services) == found


def test_object_instance_separates_alarms(services: Services) -> None:
    handler = AlarmHandler(AlarmBook(services.engine))
    handler.handle(stored([fault(at=T0, obj=CELL1), fault(at=T0, obj=CELL2), fault(at=T0)]))
    objects = sorted(a["object"] for a in rows(services, active=True))
    assert objects == sorted([CELL1, CELL2, "gnb-01"])
    handler.handle(stored([fault(severity=Level.CLEARED, at=T0 + minutes(1), obj=CELL2)]))
    assert sorted(a["object"] for a in rows(services, active=True)) == sorted([CELL1, "gnb-01"])


def test_clear_without_alarm_or_before_raise_is_ignored(services: Services) -> None:
    handler = AlarmHandler(AlarmBook(services.engine))
    handler.handle(stored([fault(severity=Level.CLEARED, at=T0)]))
    assert rows(services) == []
    handler.handle(stored([fault(at=T0 + minutes(5))]))
    handler.handle(stored([fault(severity=Level.CLEARED, at=T0 + minutes(1))]))
    assert [a["active"] for a in rows(services)] == [True]


def test_alarms_api_filters_and_pages_newest_first(services: Services) -> None:
    events = [
        fault(f"gnb-{i % 2}", f"cond{i}", Level.MAJOR if i % 3 else Level.MINOR, at=T0 + minutes(i))
        for i in range(7)
    ]  # fmt: skip
    events.append(fault("gnb-0", "cond0", Level.CLEARED, at=T0 + minutes(10)))
    AlarmHandler(AlarmBook(services.engine)).handle(stored(events))
    with TestClient(create_app(services)) as client:
        everything = client.get("/api/v1/alarms").json()
        assert everything["total"] == 7
        assert [a["condition"] for a in everything["items"]] == [
            f"cond{i}" for i in range(6, -1, -1)
        ]
        active = client.get("/api/v1/alarms", params={"active": "true", "source": "gnb-0"}).json()
        assert [a["condition"] for a in active["items"]] == ["cond6", "cond4", "cond2"]
        minor = client.get("/api/v1/alarms", params={"severity": "MINOR"}).json()
        assert {a["condition"] for a in minor["items"]} == {"cond0", "cond3", "cond6"}
        page = client.get("/api/v1/alarms", params={"page": 2, "page_size": 3}).json()
        assert [a["condition"] for a in page["items"]] == ["cond3", "cond2", "cond1"]
        assert page["total"] == 7
        bad = client.get("/api/v1/alarms", params={"severity": "LOUD"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["path"] == "query.severity"
