"""Heartbeat supervision: a source that stops sending VES heartbeats gets a platform alarm.

Every source that has sent a heartbeat event is supervised with the interval it announced
(``heartbeatFields.heartbeatInterval``, seconds). It is lost when it has missed ``misses``
heartbeats, judged by two rules:

* event time (the rule for the twin's accelerated clock and for replays): the watermark is the
  latest event time (``lastEpochMicrosec``) seen from any source; a source is lost when
  ``watermark - its last heartbeat time > misses * interval``. Judged after every batch.
* wall clock (for a network that falls silent, so the watermark stops): a source is lost when no
  heartbeat of it has *arrived* for ``misses * interval`` real seconds, counted from its last
  heartbeat's arrival or from the supervisor's start, whichever is later. Judged only while the
  journal is fully consumed (so a backlog replay never raises it). Under an accelerated clock
  heartbeats arrive faster than their event-time interval, so this rule stays quiet there.

A lost source gets the platform alarm ``heartbeatLost`` (origin platform, MAJOR,
COMMUNICATIONS_ALARM), raised at the event time its ``misses``-th heartbeat was due; a newer
heartbeat from it clears the alarm at that heartbeat's time. The state lives in memory and is
rebuilt from the journal after a restart; alarms still active are cleared by the next heartbeat.
An announced interval beyond a day is supervised as a day.
A source whose clock runs far ahead drags the watermark: sources' clocks are assumed in sync.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from openipn.codecs.ves import Domain
from openipn.collect.events import StoredEvent
from openipn.model.alarms import (
    AlarmOrigin,
    AlarmReport,
    EventType,
    PerceivedSeverity,
    ProbableCause,
)
from openipn.store.alarms import AlarmBook

CONDITION = "heartbeatLost"
SPECIFIC_PROBLEM = "VES heartbeats missing"
PROBABLE_CAUSE = ProbableCause.COMMUNICATIONS_SUBSYSTEM_FAILURE  # X.733 §8.1.2.1
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)
# A longer announced interval is supervised at this one (a day): VES bounds it nowhere, and
# a year-long or 10**20 s interval would supervise nothing (or overflow a datetime).
MAX_INTERVAL_S = 86_400


@dataclass(frozen=True)
class HeartbeatPolicy:
    """How many intervals may pass without a heartbeat, and whether the wall clock also counts."""

    misses: int = 3
    wall_clock: bool = True

    def __post_init__(self) -> None:
        if self.misses < 1:
            raise ValueError("heartbeat misses must be at least 1")


@dataclass(frozen=True)
class Beat:
    """A source's latest heartbeat: its event time, announced interval and arrival time."""

    at: dt.datetime
    interval: dt.timedelta
    arrived: dt.datetime


class HeartbeatSupervisor:
    """An EventHandler for every domain (for the watermark) that raises/clears heartbeatLost."""

    name = "heartbeats"
    domains = frozenset(Domain)

    def __init__(
        self, book: AlarmBook, policy: HeartbeatPolicy, *, started: dt.datetime | None = None
    ) -> None:
        self._book = book
        self._policy = policy
        self._started = started or dt.datetime.now(dt.UTC)
        self.watermark = _NEVER
        self.beats: dict[str, Beat] = {}
        # source -> (its last heartbeat's time before the loss, the alarm's raise time)
        self.lost = {
            source: (_NEVER, raised)
            for source, raised in book.active_since(CONDITION, AlarmOrigin.PLATFORM).items()
        }

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Note heartbeats and event times, then judge by event time."""
        for stored in events:
            event = stored.event
            self.watermark = max(self.watermark, event.last)
            interval = event.heartbeat_interval
            if event.domain is Domain.HEARTBEAT and interval is not None and interval > 0:
                known = self.beats.get(event.source_name)
                if known is None or event.last >= known.at:
                    span = dt.timedelta(seconds=min(interval, MAX_INTERVAL_S))
                    self.beats[event.source_name] = Beat(event.last, span, stored.received_at)
        self._book.apply(self.judge(None))

    def tick(self, now: dt.datetime) -> None:
        """Judge by event time and by the wall clock (called while the journal is consumed)."""
        self._book.apply(self.judge(now if self._policy.wall_clock else None))

    def judge(self, now: dt.datetime | None) -> list[AlarmReport]:
        """The raises and clears due now; ``now`` (wall clock) enables the wall-clock rule."""
        reports = []
        for source, beat in self.beats.items():
            allowed = beat.interval * self._policy.misses
            lost = self.watermark - beat.at > allowed
            if now is not None:
                lost = lost or now - max(beat.arrived, self._started) > allowed
            if source in self.lost:
                before, raised = self.lost[source]
                if beat.at > before:  # a heartbeat came back; never clear before the raise
                    del self.lost[source]
                    at = max(beat.at, raised)
                    reports.append(self._report(source, beat, PerceivedSeverity.CLEARED, at))
            elif lost:
                self.lost[source] = (beat.at, beat.at + allowed)
                reports.append(
                    self._report(source, beat, PerceivedSeverity.MAJOR, beat.at + allowed)
                )
        return reports

    def _report(
        self, source: str, beat: Beat, severity: PerceivedSeverity, at: dt.datetime
    ) -> AlarmReport:
        seconds = int(beat.interval.total_seconds())
        return AlarmReport(
            source=source,
            object=source,
            condition=CONDITION,
            specific_problem=SPECIFIC_PROBLEM,
            severity=severity,
            at=at,
            origin=AlarmOrigin.PLATFORM,
            event_type=EventType.COMMUNICATIONS_ALARM,
            probable_cause=PROBABLE_CAUSE,
            text=(
                f"no heartbeat from {source} since {beat.at.isoformat()} "
                f"({self._policy.misses} intervals of {seconds} s)"
            ),
        )
