"""The alarm intake rule: VES fault events and 3GPP alarm notifications become alarm reports.

An alarm is identified while active by (source, object, condition): source = sourceName, object
= ``alarmAdditionalInformation.objectInstance`` when sent (O-RAN O1 style) else the sourceName,
condition = alarmCondition. A fault with eventSeverity NORMAL clears it (X.733 §8.1.2.3
cleared). Times are the events' times. The alarm list itself is `store.alarms.AlarmBook`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from openipn.codecs.ves import Domain, VesEvent
from openipn.collect.alarm_3gpp import alarm_events
from openipn.collect.events import StoredEvent
from openipn.model.alarms import AlarmReport
from openipn.store.alarms import AlarmBook

OBJECT_KEY = "objectInstance"  # alarmAdditionalInformation key naming the alarmed object
TEXT_KEY = "additionalText"


def report_from_event(event: VesEvent) -> AlarmReport:
    """The alarm report a fault event makes."""
    alarm, severity = event.alarm, event.severity
    if alarm is None or severity is None:
        raise ValueError(f"event {event.event_id} is not a fault event")
    extra = dict(alarm.additional)
    return AlarmReport(
        source=event.source_name,
        object=extra.get(OBJECT_KEY) or event.source_name,
        condition=alarm.condition,
        specific_problem=alarm.specific_problem,
        severity=severity,
        at=event.last,
        event_type=alarm.event_type,
        probable_cause=alarm.probable_cause,
        text=extra.get(TEXT_KEY, ""),
        event_id=event.event_id,
    )


# Alarm reports -> the same with each object under its model DN (unmodelled ones as sent).
Canonical = Callable[[list[AlarmReport]], list[AlarmReport]]


class AlarmHandler:
    """The EventHandler that turns VES faults and 3GPP fault-supervision events into alarms."""

    name = "alarms"
    domains = frozenset({Domain.FAULT, Domain.STND_DEFINED})

    def __init__(self, book: AlarmBook, canonical: Canonical | None = None) -> None:
        self._book = book
        self._canonical = canonical

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Apply the batch's alarm events in journal order (idempotent on redelivery)."""
        reports = [report_from_event(e.event) for e in alarm_events(events)]
        if self._canonical is not None:  # one alarm whichever DN form raises or clears it
            reports = self._canonical(reports)
        self._book.apply(reports)
