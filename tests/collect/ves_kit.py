"""Helpers for the VES collector tests: events, settings and a running app."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from openipn.api import create_app
from openipn.app import Services, build_services, initialise
from openipn.codecs.ves import (
    Alarm,
    Event,
    EventSource,
    fault_event,
    heartbeat_event,
)
from openipn.model.alarms import EventType, PerceivedSeverity
from openipn.runtime import Runtime
from openipn.settings import Settings

TOKEN = "test-token-5f2c"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "samples"


def basic(user: str, password: str) -> dict[str, str]:
    """An Authorization header for HTTP basic."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def source(name: str = "gnb-01", nf_type: str = "gNB") -> EventSource:
    """An event source."""
    return EventSource(name, nf_type)


def fault(
    name: str = "gnb-01",
    condition: str = "cellOutage",
    severity: PerceivedSeverity = PerceivedSeverity.MAJOR,
    *,
    at: datetime = T0,
    sequence: int = 0,
    obj: str | None = None,
) -> Event:
    """A fault event (objectInstance in alarmAdditionalInformation when ``obj`` is given)."""
    extra = (("objectInstance", obj),) if obj else ()
    alarm = Alarm(
        condition,
        f"{condition} on {name}",
        EventType.COMMUNICATIONS_ALARM,
        "lossOfSignal",
        additional=extra,
    )
    return fault_event(source(name), alarm, severity, at=at, sequence=sequence)


def heartbeat(name: str, at: datetime, interval_s: int = 10, sequence: int = 0) -> Event:
    """A heartbeat event."""
    return heartbeat_event(source(name), at=at, sequence=sequence, interval_s=interval_s)


def minutes(n: float) -> timedelta:
    """n minutes."""
    return timedelta(minutes=n)


def make_services(tmp_path: Path, **overrides: Any) -> Services:
    """An initialised SQLite store in tmp_path with a configured VES token."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": f"sqlite:///{tmp_path}/openipn.db",
        "author": "tester",
        "ves_token": TOKEN,
        **overrides,
    }
    settings = Settings(**values)
    initialise(settings)
    return build_services(settings)


@contextmanager
def running(services: Services, runtime: Runtime) -> Iterator[TestClient]:
    """A TestClient of the app with the runtime's workers started (stopped on exit)."""
    app = create_app(services, runtime)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``check`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)
