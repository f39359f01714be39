"""The run's live status line, read from the platform's own HTTP API while the run lasts."""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

READ_TIMEOUT_S = 3.0
# X.733 clause 8.1.2.3 perceived severities that an active alarm can have, most severe first.
SEVERITIES = ("CRITICAL", "MAJOR", "MINOR", "WARNING", "INDETERMINATE")
HEARTBEAT_LOST = "heartbeatLost"  # the platform's alarm for a silent element
EVENTS_FAMILY = "openipn_ves_events"  # counter openipn_ves_events_total on /metrics
PM_FILES_FAMILY = "openipn_pm_files"  # counter openipn_pm_files_total: files taken in
RATE_WINDOW_S = 60.0  # rates are per minute, measured over about a minute


@dataclass
class Snapshot:
    """What the platform says at one moment."""

    taken: float  # time.monotonic()
    sim_clock: str | None = None
    events_total: float | None = None
    pm_files_total: float = 0.0
    by_severity: dict[str, int] = field(default_factory=dict)
    silent: int = 0
    newest: str | None = None


class StatusReader:
    """Reads the status from the platform at ``url``: its API and its /metrics."""

    def __init__(self, url: str, elements: int) -> None:
        """``elements``: how many managed elements the served network has."""
        self.url = url
        self.elements = elements
        self._client = httpx.Client(base_url=url, timeout=READ_TIMEOUT_S)

    def close(self) -> None:
        """Release the HTTP connections."""
        self._client.close()

    def _get(self, path: str, **params: Any) -> Any:
        answer = self._client.get(path, params=params)
        answer.raise_for_status()
        return answer.json() if path.startswith("/api/") else answer.text

    def read(self) -> Snapshot:
        """A snapshot; httpx.HTTPError when the platform does not answer."""
        snapshot = Snapshot(time.monotonic())
        for severity in SEVERITIES:
            page = self._get("/api/v1/alarms", active="true", severity=severity, page_size=1000)
            snapshot.by_severity[severity] = int(page["total"])
            if severity == "MAJOR":  # the platform raises heartbeatLost as MAJOR
                silent = {a["source"] for a in page["items"] if a["condition"] == HEARTBEAT_LOST}
                snapshot.silent = len(silent)
        newest = self._get("/api/v1/alarms", page_size=1)["items"]
        snapshot.newest = describe_alarm(newest[0]) if newest else None
        metrics = self._get("/metrics")
        snapshot.events_total = counter_total(metrics, EVENTS_FAMILY)
        snapshot.pm_files_total = counter_total(metrics, PM_FILES_FAMILY) or 0.0
        reports = self._get("/api/v1/terminal-status", page_size=100)["items"]
        times = [r["reported_at"] for r in reports if r.get("reported_at")]
        snapshot.sim_clock = short_time(max(times)) if times else None
        return snapshot


def counter_total(metrics_text: str, family_name: str) -> float | None:
    """A counter of the platform's /metrics page (e.g. the VES events it journaled)."""
    for family in text_string_to_metric_families(metrics_text):
        if family.name == family_name and family.samples:
            return float(family.samples[0].value)
    return None


def short_time(iso: str) -> str:
    """``2026-12-07T12:03:00+00:00`` -> ``2026-12-07 12:03Z``."""
    at = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(dt.UTC)
    return at.strftime("%Y-%m-%d %H:%MZ")


def describe_alarm(alarm: dict[str, Any]) -> str:
    """One alarm in a few words: severity, condition, object, raise time, state."""
    state = "" if alarm.get("active") else ", cleared"
    where = alarm.get("ref") or alarm.get("source")
    return (
        f"{alarm['severity']} {alarm['condition']} on {where} "
        f"at {short_time(alarm['raised_at'])}{state}"
    )


def per_minute(
    now: Snapshot, before: Snapshot | None, pick: Callable[[Snapshot], float | None]
) -> float | None:
    """A rate between two snapshots, per minute (None until there are two)."""
    if before is None or now.taken <= before.taken:
        return None
    new, old = pick(now), pick(before)
    if new is None or old is None:
        return None
    return (new - old) * 60.0 / (now.taken - before.taken)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def status_line(now: Snapshot, before: Snapshot | None, elements: int) -> str:
    """The line the terminal shows; no events for a while means no element is reporting."""
    events = per_minute(now, before, lambda s: s.events_total)
    files = per_minute(now, before, lambda s: s.pm_files_total)
    alarms = ", ".join(f"{n} {s.lower()}" for s, n in now.by_severity.items() if n) or "none"
    # no event over a whole window (longer than a heartbeat period): nothing reports; over a
    # shorter one (the run's first minute) a pause between heartbeats proves nothing
    window = now.taken - before.taken if before is not None else 0.0
    quiet = events is not None and events <= 0 and window >= RATE_WINDOW_S
    silent = quiet or not now.events_total
    reporting = 0 if silent else max(elements - now.silent, 0)
    return (
        f"sim {now.sim_clock or '-'} | elements {reporting}/{elements} reporting | "
        f"events {_rate(events)}/min | PM files {_rate(files)}/min | active alarms: {alarms} | "
        f"newest: {now.newest or '-'}"
    )


class StatusBoard:
    """Reads the status and hands the line to ``show`` (which decides how it is printed)."""

    def __init__(self, reader: StatusReader, show: Callable[[str], None]) -> None:
        """Read through ``reader``; print through ``show``."""
        self.reader = reader
        self.show = show
        self._history: deque[Snapshot] = deque()  # the last minute or so of snapshots

    def refresh(self) -> None:
        """Read and show the status (a platform that does not answer is said, not raised)."""
        try:
            snapshot = self.reader.read()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            self.show(f"the platform did not answer the status queries ({type(exc).__name__})")
            return
        base = self._history[0] if self._history else None
        self.show(status_line(snapshot, base, self.reader.elements))
        self._history.append(snapshot)
        while len(self._history) > 1 and snapshot.taken - self._history[1].taken >= RATE_WINDOW_S:
            self._history.popleft()  # the base stays about a minute old: steady rates
