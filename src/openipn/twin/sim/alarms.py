"""Alarms derived from physical state, and the raise/clear transitions each element reports.

Each step the engine says which alarm conditions hold on which objects (`Condition`). An
element reports a transition only while it can reach the management network: a gNB behind a
failed switch raises nothing; when it comes back it reports whatever changed meanwhile.
Severities, event types and probable causes are the model's (`model/alarms.py`, X.733).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from openipn.model.alarms import EventType, PerceivedSeverity, ProbableCause


class AlarmKind(StrEnum):
    """The alarm conditions the twin's equipment raises."""

    CELL_UNAVAILABLE = "cell_unavailable"
    NG_INTERFACE_FAILURE = "ng_interface_failure"
    LINK_DOWN = "link_down"
    FUNCTION_UNAVAILABLE = "function_unavailable"
    UPF_OVERLOAD = "upf_overload"
    LOSS_OF_SYNC = "loss_of_sync"
    CERTIFICATE_EXPIRED = "certificate_expired"
    HIGH_UL_INTERFERENCE = "high_ul_interference"


@dataclass(frozen=True)
class AlarmSpec:
    """How one alarm condition is reported."""

    condition: str  # VES alarmCondition
    specific_problem: str
    severity: PerceivedSeverity
    event_type: EventType
    probable_cause: ProbableCause
    text: str  # additional text; {object} is the object's name


ALARMS: dict[AlarmKind, AlarmSpec] = {
    AlarmKind.CELL_UNAVAILABLE: AlarmSpec(
        "CELL_UNAVAILABLE", "NR cell out of service", PerceivedSeverity.CRITICAL,
        EventType.EQUIPMENT_ALARM, ProbableCause.TRANSMITTER_FAILURE,
        "Cell {object} is not radiating",
    ),
    AlarmKind.NG_INTERFACE_FAILURE: AlarmSpec(
        "NG_INTERFACE_FAILURE", "NG-C association to the AMF lost", PerceivedSeverity.MAJOR,
        EventType.COMMUNICATIONS_ALARM, ProbableCause.COMMUNICATIONS_SUBSYSTEM_FAILURE,
        "gNB {object} has no NG-C association with any AMF; its cells are barred",
    ),
    AlarmKind.LINK_DOWN: AlarmSpec(
        "LINK_DOWN", "Loss of signal on transport port", PerceivedSeverity.MAJOR,
        EventType.COMMUNICATIONS_ALARM, ProbableCause.LOSS_OF_SIGNAL,
        "Transport link {object} is down",
    ),
    AlarmKind.FUNCTION_UNAVAILABLE: AlarmSpec(
        "NF_UNAVAILABLE", "Network function not running", PerceivedSeverity.CRITICAL,
        EventType.PROCESSING_ERROR_ALARM, ProbableCause.APPLICATION_SUBSYSTEM_FAILURE,
        "{object} is not running",
    ),
    AlarmKind.UPF_OVERLOAD: AlarmSpec(
        "UPF_OVERLOAD", "User-plane load above threshold", PerceivedSeverity.MAJOR,
        EventType.QUALITY_OF_SERVICE_ALARM, ProbableCause.THRESHOLD_CROSSED,
        "UPF {object} load is above 90 %",
    ),
    AlarmKind.LOSS_OF_SYNC: AlarmSpec(
        "LOSS_OF_SYNC", "PTP holdover expired", PerceivedSeverity.MAJOR,
        EventType.COMMUNICATIONS_ALARM, ProbableCause.TIMING_PROBLEM,
        "{object} has had no PTP reference beyond its holdover time",
    ),
    AlarmKind.CERTIFICATE_EXPIRED: AlarmSpec(
        "CERTIFICATE_EXPIRED", "Element certificate expired", PerceivedSeverity.MAJOR,
        EventType.SECURITY_SERVICE_OR_MECHANISM_VIOLATION, ProbableCause.KEY_EXPIRED,
        "The certificate of {object} has expired; secure management sessions fail",
    ),
    AlarmKind.HIGH_UL_INTERFERENCE: AlarmSpec(
        "HIGH_UL_INTERFERENCE", "Uplink interference above threshold", PerceivedSeverity.MINOR,
        EventType.QUALITY_OF_SERVICE_ALARM, ProbableCause.THRESHOLD_CROSSED,
        "Uplink interference in cell {object} is more than 15 dB above thermal noise",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class AlarmEvent:
    """One raise or clear as the element reports it."""

    source: str  # managed element name
    object: str  # LDN of the alarmed object
    alarm_condition: str
    specific_problem: str
    severity: PerceivedSeverity  # CLEARED for a clear
    event_type: EventType
    probable_cause: ProbableCause
    time: dt.datetime
    text: str

    @property
    def cleared(self) -> bool:
        """True for a clear."""
        return self.severity == PerceivedSeverity.CLEARED


@dataclass(frozen=True)
class Condition:
    """An alarm condition holding on an object of an element."""

    kind: AlarmKind
    source: str
    object: str
    name: str  # the object's model name, for the text


class AlarmTracker:
    """Remembers what each element has reported and turns condition sets into transitions."""

    def __init__(self) -> None:
        self.reported: dict[tuple[AlarmKind, str, str], Condition] = {}

    def update(
        self, holding: set[Condition], reachable: set[str], time: dt.datetime
    ) -> list[AlarmEvent]:
        """Raises for new conditions and clears for ended ones, from reachable elements only."""
        now = {(c.kind, c.source, c.object): c for c in holding}
        events: list[AlarmEvent] = []
        for key in sorted(now.keys() - self.reported.keys()):
            if key[1] in reachable:
                self.reported[key] = now[key]
                events.append(_event(now[key], time, cleared=False))
        for key in sorted(self.reported.keys() - now.keys()):
            if key[1] in reachable:
                events.append(_event(self.reported.pop(key), time, cleared=True))
        return events

    def active(self) -> list[Condition]:
        """Alarms raised and not yet cleared, as reported."""
        return [self.reported[key] for key in sorted(self.reported)]


def _event(condition: Condition, time: dt.datetime, *, cleared: bool) -> AlarmEvent:
    spec = ALARMS[condition.kind]
    return alarm_event(
        spec, condition.source, condition.object, condition.name, time, cleared=cleared
    )


def alarm_event(
    spec: AlarmSpec, source: str, ldn: str, name: str, at: dt.datetime, *, cleared: bool
) -> AlarmEvent:
    """The raise (or clear) of an alarm of `spec` on object `ldn` of element `source`."""
    return AlarmEvent(
        source=source,
        object=ldn,
        alarm_condition=spec.condition,
        specific_problem=spec.specific_problem,
        severity=PerceivedSeverity.CLEARED if cleared else spec.severity,
        event_type=spec.event_type,
        probable_cause=spec.probable_cause,
        time=at,
        text=spec.text.format(object=name),
    )
