"""Helpers for tests of 3GPP fault supervision over VES: stndDefined alarm notifications."""

from __future__ import annotations

from datetime import datetime

from ves_kit import T0, source

from openipn.codecs.ves import Event
from openipn.codecs.ves_3gpp import (
    AlarmNotification,
    FaultNotificationType,
    fault_supervision_event,
)
from openipn.model.alarms import EventType, PerceivedSeverity

CELL_DN = "SubNetwork=plant,ManagedElement=gnb-01,GNBDUFunction=1,NRCellDU=1"


def stnd_alarm(
    kind: FaultNotificationType = FaultNotificationType.NEW,
    severity: PerceivedSeverity = PerceivedSeverity.MAJOR,
    *,
    at: datetime = T0,
    sequence: int = 0,
    alarm_id: str = "alarm-1",
    dn: str = CELL_DN,
    name: str = "gnb-01",
) -> Event:
    """A stndDefined 3GPP-FaultSupervision notification about one alarm."""
    notification = AlarmNotification(
        notification_type=kind,
        alarm_id=alarm_id,
        object_dn=dn,
        alarm_type=EventType.EQUIPMENT_ALARM,
        probable_cause="powerProblem",
        severity=severity,
        specific_problem=None if kind is FaultNotificationType.CLEARED else "PSU 2 input lost",
        additional_text="rack 3",
    )
    return fault_supervision_event(source(name), notification, at=at, sequence=sequence)
