"""Heartbeat supervision: heartbeatLost raised and cleared in event time and by the wall clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ves_kit import BEARER, T0, fault, heartbeat, make_services, running, wait_until

from openipn.app import Services
from openipn.codecs.ves import Event, batch_body
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import StoredEvent
from openipn.collect.heartbeats import CONDITION, HeartbeatPolicy, HeartbeatSupervisor
from openipn.runtime import build_runtime
from openipn.store.alarms import AlarmBook

S = dt.timedelta(seconds=1)
WALL = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # the wall clock of these tests


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    yield built
    built.close()


def feed(supervisor: HeartbeatSupervisor, events: list[Event], arrived: dt.datetime = WALL) -> None:
    supervisor.handle([StoredEvent(0, arrived, parse_event(e), e) for e in events])


def lost(services: Services) -> list[dict[str, Any]]:
    page = AlarmBook(services.engine).page(page_size=100)
    return [dataclasses.asdict(a) for a in page.items if a.condition == CONDITION]


def test_lost_in_event_time_then_cleared(services: Services) -> None:
    book = AlarmBook(services.engine)
    supervisor = HeartbeatSupervisor(book, HeartbeatPolicy(misses=3, wall_clock=False))
    feed(supervisor, [heartbeat("gnb-a", T0), heartbeat("gnb-b", T0)])
    for k in (10, 20, 30):
        feed(supervisor, [heartbeat("gnb-b", T0 + k * S)])
    assert lost(services) == []  # 30 s = 3 intervals: not yet more than 3 missed
    feed(supervisor, [heartbeat("gnb-b", T0 + 40 * S)])
    (alarm,) = lost(services)
    assert (alarm["source"], alarm["object"], alarm["active"]) == ("gnb-a", "gnb-a", True)
    assert (alarm["origin"], alarm["severity"]) == ("platform", "MAJOR")
    assert alarm["event_type"] == "COMMUNICATIONS_ALARM"
    assert alarm["raised_at"] == T0 + 30 * S  # when the third heartbeat was due
    feed(supervisor, [heartbeat("gnb-b", T0 + 45 * S)])
    assert len(lost(services)) == 1  # not raised twice
    feed(supervisor, [heartbeat("gnb-a", T0 + 50 * S)])
    (alarm,) = lost(services)
    assert (alarm["active"], alarm["cleared_at"]) == (False, T0 + 50 * S)


@pytest.mark.parametrize("interval", [10**20, 2**63, 1e300])
def test_huge_interval_is_supervised_as_a_day(services: Services, interval: float) -> None:
    """10**20 s overflowed a timedelta: the batch was dead-lettered and nothing supervised."""
    supervisor = HeartbeatSupervisor(
        AlarmBook(services.engine), HeartbeatPolicy(misses=1, wall_clock=False)
    )
    huge = heartbeat("gnb-a", T0)
    huge["heartbeatFields"]["heartbeatInterval"] = interval
    feed(supervisor, [huge])
    feed(supervisor, [heartbeat("gnb-b", T0 + dt.timedelta(hours=23))])
    assert lost(services) == []
    feed(supervisor, [heartbeat("gnb-b", T0 + dt.timedelta(hours=25))])
    assert [a["source"] for a in lost(services)] == ["gnb-a"]


def test_any_event_moves_the_watermark(services: Services) -> None:
    supervisor = HeartbeatSupervisor(AlarmBook(services.engine), HeartbeatPolicy(wall_clock=False))
    feed(supervisor, [heartbeat("gnb-a", T0, interval_s=60)])
    feed(supervisor, [fault("upf-1", at=T0 + 179 * S)])
    assert lost(services) == []
    feed(supervisor, [fault("upf-1", at=T0 + 181 * S)])
    assert [a["source"] for a in lost(services)] == ["gnb-a"]


def test_silent_network_is_caught_by_the_wall_clock(services: Services) -> None:
    book = AlarmBook(services.engine)
    supervisor = HeartbeatSupervisor(book, HeartbeatPolicy(misses=3), started=WALL)
    feed(supervisor, [heartbeat("gnb-a", T0), heartbeat("gnb-b", T0)], arrived=WALL)
    supervisor.tick(WALL + 30 * S)
    assert lost(services) == []
    supervisor.tick(WALL + 31 * S)
    assert sorted(a["source"] for a in lost(services) if a["active"]) == ["gnb-a", "gnb-b"]
    # Another source's event (event time barely moved) does not clear them ...
    feed(supervisor, [fault("upf-1", at=T0 + 5 * S)], arrived=WALL + 40 * S)
    assert all(a["active"] for a in lost(services))
    # ... their own heartbeat does, never before the raise.
    feed(supervisor, [heartbeat("gnb-a", T0 + 5 * S)], arrived=WALL + 41 * S)
    state = {a["source"]: a for a in lost(services)}
    assert not state["gnb-a"]["active"] and state["gnb-b"]["active"]
    assert state["gnb-a"]["cleared_at"] == state["gnb-a"]["raised_at"]


def test_wall_clock_counts_from_start_and_can_be_switched_off(services: Services) -> None:
    book = AlarmBook(services.engine)
    on = HeartbeatSupervisor(book, HeartbeatPolicy(), started=WALL)
    feed(on, [heartbeat("gnb-a", T0)], arrived=WALL - dt.timedelta(hours=1))  # a replay
    on.tick(WALL + 20 * S)
    assert lost(services) == []
    off = HeartbeatSupervisor(book, HeartbeatPolicy(wall_clock=False), started=WALL)
    feed(off, [heartbeat("gnb-a", T0)], arrived=WALL)
    off.tick(WALL + dt.timedelta(hours=5))
    assert lost(services) == []


def test_alarm_active_before_restart_is_cleared_by_next_heartbeat(services: Services) -> None:
    book = AlarmBook(services.engine)
    first = HeartbeatSupervisor(book, HeartbeatPolicy(wall_clock=False))
    feed(first, [heartbeat("gnb-a", T0), heartbeat("gnb-b", T0)])
    feed(first, [heartbeat("gnb-b", T0 + 100 * S)])
    assert [a["active"] for a in lost(services)] == [True]
    restarted = HeartbeatSupervisor(book, HeartbeatPolicy(wall_clock=False))
    feed(restarted, [heartbeat("gnb-a", T0 + 101 * S)])
    assert [a["active"] for a in lost(services)] == [False]


def test_heartbeat_lost_through_the_collector(services: Services) -> None:
    with running(services, build_runtime(services)) as client:

        def post(events: list[Event]) -> None:
            response = client.post(
                "/eventListener/v7/eventBatch", json=batch_body(events), headers=BEARER
            )
            assert response.status_code == 202

        post([heartbeat("gnb-a", T0), heartbeat("gnb-b", T0)])
        post([heartbeat("gnb-b", T0 + 60 * S)])

        def alarms() -> list[dict[str, Any]]:
            query = {"active": "true", "source": "gnb-a"}
            return list(client.get("/api/v1/alarms", params=query).json()["items"])

        wait_until(lambda: len(alarms()) == 1)
        assert alarms()[0]["condition"] == CONDITION
        post([heartbeat("gnb-a", T0 + 61 * S)])
        wait_until(lambda: alarms() == [])
