"""VesPoster against a real HTTP collector on 127.0.0.1: order, batching, outages, retries, auth."""

from __future__ import annotations

import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response

from openipn.codecs.ves import (
    Alarm,
    Event,
    EventSource,
    PmFile,
    VesFormatError,
    batch_key,
    fault_event,
    file_ready_event,
    heartbeat_event,
)
from openipn.model.alarms import EventType, PerceivedSeverity
from openipn.twin.emit.http_thread import ServerThread
from openipn.twin.emit.ves_poster import (
    Backoff,
    BasicAuth,
    BearerToken,
    VesPoster,
    retry_after_seconds,
)

T0 = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
GNB = EventSource(name="gnb-1", nf_type="gNB")
FAST = Backoff(initial=0.02, factor=2.0, maximum=0.1)


@dataclass(frozen=True)
class Received:
    """One request the collector saw."""

    path: str
    authorization: str | None
    events: list[dict[str, Any]]
    status: int
    at: float


class Collector:
    """A tiny VES collector: records requests; answers 202, 400 for "Bad" events, or a script."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: deque[tuple[int, dict[str, str]]] = deque()
        self.server = ServerThread(self._app())  # port bound now, refusing until start()
        self.started = False

    def _app(self) -> FastAPI:
        app = FastAPI()

        async def receive(request: Request) -> Response:
            body = await request.json()
            events = [body["event"]] if "event" in body else body["eventList"]
            status, headers = self.script.popleft() if self.script else (202, {})
            if any("Bad" in e["commonEventHeader"]["eventName"] for e in events):
                status = 400
            self.received.append(
                Received(
                    request.url.path,
                    request.headers.get("authorization"),
                    events,
                    status,
                    time.monotonic(),
                )
            )
            return Response(status_code=status, headers=headers)

        app.post("/eventListener/v7")(receive)
        app.post("/eventListener/v7/eventBatch")(receive)
        return app

    def start(self) -> None:
        self.server.start()
        self.started = True

    @property
    def url(self) -> str:
        return self.server.url

    def accepted_ids(self) -> list[str]:
        """eventIds of accepted events, in arrival order."""
        return [
            e["commonEventHeader"]["eventId"]
            for r in self.received
            if r.status == 202
            for e in r.events
        ]


@pytest.fixture
def collector() -> Iterator[Collector]:
    """A fresh collector that is not listening yet (call start()): the collector is down."""
    made = Collector()
    yield made
    if not made.started:
        made.start()
    made.server.stop()


@pytest.fixture(scope="module")
def shared_collector() -> Iterator[Collector]:
    """One running collector for the tests that do not need an outage."""
    made = Collector()
    made.start()
    yield made
    made.server.stop()


@pytest.fixture
def live(shared_collector: Collector) -> Collector:
    """The running collector, with its record and script emptied."""
    shared_collector.received.clear()
    shared_collector.script.clear()
    return shared_collector


@pytest.fixture
def dead_url() -> Iterator[str]:
    """A URL on 127.0.0.1 whose port is reserved but never listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def make_poster() -> Iterator[Callable[..., VesPoster]]:
    """Build posters that are closed after the test."""
    posters: list[VesPoster] = []

    def make(url: str, **kwargs: Any) -> VesPoster:
        kwargs.setdefault("backoff", FAST)
        kwargs.setdefault("timeout", 2.0)
        poster = VesPoster(url, **kwargs)
        posters.append(poster)
        return poster

    yield make
    for poster in posters:
        poster.close(timeout=0.5)


def fault(i: int, condition: str = "LinkDown") -> Event:
    alarm = Alarm(condition, "lost", EventType.COMMUNICATIONS_ALARM, "lossOfSignal")
    return fault_event(
        GNB, alarm, PerceivedSeverity.MAJOR, at=T0 + timedelta(seconds=i), sequence=i
    )


def beat(i: int) -> Event:
    return heartbeat_event(GNB, at=T0 + timedelta(seconds=i), sequence=i, interval_s=60)


def ready(i: int) -> Event:
    files = [PmFile(f"A{i}.xml.gz", f"sftp://127.0.0.1/A{i}.xml.gz")]
    return file_ready_event(GNB, at=T0 + timedelta(seconds=i), sequence=i, files=files)


def ids(events: list[Event]) -> list[str]:
    return [e["commonEventHeader"]["eventId"] for e in events]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_single_events_arrive_in_order(
    live: Collector, make_poster: Callable[..., VesPoster]
) -> None:
    poster = make_poster(live.url, batch_size=1)
    events = [fault(i) for i in range(12)]
    for event in events:
        poster.post(event)
    assert poster.flush(5)
    assert live.accepted_ids() == ids(events)
    assert {r.path for r in live.received} == {"/eventListener/v7"}
    stats = poster.stats
    assert (stats.sent, stats.retried, stats.dropped, stats.buffered) == (12, 0, 0, 0)


def test_outage_buffers_then_delivers_in_order_in_one_domain_batches(
    collector: Collector, make_poster: Callable[..., VesPoster]
) -> None:
    poster = make_poster(collector.url, batch_size=4)
    makers = [fault, fault, fault, beat, beat, fault, ready, ready, fault, beat] * 2
    events = [make(i) for i, make in enumerate(makers)]
    for event in events:
        poster.post(event)
    wait_until(lambda: poster.stats.retried >= 2)
    assert collector.received == []
    assert poster.stats.buffered == len(events) and poster.stats.sent == 0
    collector.start()
    assert poster.flush(5)
    assert collector.accepted_ids() == ids(events)
    for request in collector.received:
        assert len({batch_key(e) for e in request.events}) == 1
        single = request.path == "/eventListener/v7"
        assert single == (len(request.events) == 1)
        assert len(request.events) <= 4
    assert any(len(r.events) > 1 for r in collector.received)
    assert poster.stats.sent == len(events) and poster.stats.buffered == 0


def test_retry_after_is_honoured(live: Collector, make_poster: Callable[..., VesPoster]) -> None:
    live.script.append((503, {"Retry-After": "1"}))
    poster = make_poster(live.url)
    poster.post(fault(0))
    assert poster.flush(5)
    first, second = live.received
    assert (first.status, second.status) == (503, 202)
    assert second.at - first.at >= 0.95  # backoff alone would wait 0.02 s
    assert poster.stats.retried == 1 and poster.stats.sent == 1


def test_server_errors_and_429_are_retried_with_backoff(
    live: Collector, make_poster: Callable[..., VesPoster]
) -> None:
    live.script.extend([(500, {}), (429, {}), (502, {})])
    poster = make_poster(live.url)
    poster.post(fault(0))
    assert poster.flush(5)
    assert [r.status for r in live.received] == [500, 429, 502, 202]
    gaps = [b.at - a.at for a, b in zip(live.received, live.received[1:], strict=False)]
    assert gaps[1] >= 0.035 and gaps[2] >= 0.075  # 0.02, 0.04, 0.08 s exponential
    assert poster.stats.retried == 3 and poster.stats.rejected == 0


def test_full_buffer_drops_oldest_and_counts(
    collector: Collector, make_poster: Callable[..., VesPoster]
) -> None:
    poster = make_poster(collector.url, batch_size=2, max_buffer=5)
    events = [fault(i) for i in range(20)]
    for event in events:
        poster.post(event)
        assert poster.stats.buffered <= 5
    stats = poster.stats
    assert stats.buffered == 5 and stats.dropped == 15
    collector.start()
    assert poster.flush(5)
    delivered = collector.accepted_ids()
    order = {event_id: n for n, event_id in enumerate(ids(events))}
    assert len(delivered) == 5 and poster.stats.sent == 5
    assert [order[d] for d in delivered] == sorted(order[d] for d in delivered)
    assert delivered[-3:] == ids(events)[-3:]  # the newest always survive


def test_rejected_events_are_dropped_and_the_rest_delivered(
    collector: Collector, make_poster: Callable[..., VesPoster]
) -> None:
    poster = make_poster(collector.url, batch_size=10)
    events = [fault(0), fault(1, "BadThing"), fault(2), fault(3)]
    for event in events:
        poster.post(event)
    wait_until(lambda: poster.stats.retried >= 1)
    collector.start()
    assert poster.flush(5)
    assert collector.accepted_ids() == ids([events[0], events[2], events[3]])
    assert any(len(r.events) > 1 and r.status == 400 for r in collector.received)
    stats = poster.stats
    assert (stats.sent, stats.rejected, stats.buffered) == (3, 1, 0)


def test_unserialisable_event_is_dropped_not_fatal(
    live: Collector, make_poster: Callable[..., VesPoster]
) -> None:
    poster = make_poster(live.url, batch_size=5)
    broken = fault(1)
    broken["faultFields"]["alarmAdditionalInformation"]["when"] = datetime(2025, 1, 1)
    events = [fault(0), broken, fault(2)]
    for event in events:
        poster.post(event)
    assert poster.flush(5)
    assert live.accepted_ids() == ids([events[0], events[2]])
    assert poster.stats.rejected == 1 and poster.stats.sent == 2


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (BasicAuth("ves", "s3cret"), "Basic dmVzOnMzY3JldA=="),
        (BearerToken("tok-123"), "Bearer tok-123"),
        (None, None),
    ],
)
def test_authorization_header(
    live: Collector,
    make_poster: Callable[..., VesPoster],
    auth: BasicAuth | BearerToken | None,
    expected: str | None,
) -> None:
    poster = make_poster(live.url + "/", auth=auth)  # trailing slash tolerated
    poster.post(beat(0))
    assert poster.flush(5)
    assert [r.authorization for r in live.received] == [expected]
    assert "s3cret" not in repr(auth) and "tok-123" not in repr(auth)


def test_close_with_collector_down_is_prompt(
    dead_url: str, make_poster: Callable[..., VesPoster]
) -> None:
    poster = make_poster(dead_url)
    for i in range(3):
        poster.post(fault(i))
    assert not poster.flush(0.1)
    started = time.monotonic()
    poster.close(timeout=0.2)
    assert time.monotonic() - started < 2.0
    assert poster.stats.buffered == 3 and poster.stats.sent == 0
    with pytest.raises(RuntimeError, match="closed"):
        poster.post(fault(9))


def test_bad_arguments_are_refused(dead_url: str, make_poster: Callable[..., VesPoster]) -> None:
    with pytest.raises(ValueError, match="max_buffer"):
        VesPoster(dead_url, batch_size=10, max_buffer=10)
    poster = make_poster(dead_url)
    with pytest.raises(VesFormatError):
        poster.post({"faultFields": {}})


def test_retry_after_values() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = datetime.now(UTC) + timedelta(seconds=30)
    seconds = retry_after_seconds(format_datetime(later, usegmt=True))
    assert seconds is not None and 25 <= seconds <= 30
    past = format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
    assert retry_after_seconds(past) == 0.0
