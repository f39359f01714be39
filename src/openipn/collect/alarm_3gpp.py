"""Which stored events make alarms: VES faults and 3GPP fault-supervision notifications.

A stndDefined event of namespace ``3GPP-FaultSupervision`` is parsed by
`openipn.codecs.ves_3gpp` into the same alarm view as a fault event (condition = alarmId, object
= the DN of the alarmed object, CLEARED clears), so both go through one `AlarmReport` path. The
notifications that change no alarm record (TS 28.532: notifyAckStateChanged, notifyComments,
notifyCorrelatedNotificationChanged, notifyPotentialFaultyAlarmList, a notifyChangedAlarmGeneral
without perceivedSeverity) and stndDefined events of other namespaces are skipped here;
notifyAlarmListRebuilt is logged, since the platform does not re-read a producer's alarm list.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from openipn.codecs.ves import Domain
from openipn.codecs.ves_3gpp import FAULT_SUPERVISION, FaultNotificationType
from openipn.collect.events import StoredEvent

log = logging.getLogger(__name__)


def _log_skipped(stored: StoredEvent) -> None:
    """Say why a stndDefined fault-supervision event made no alarm change."""
    info = stored.event.stnd_defined
    if info is None or info.namespace != FAULT_SUPERVISION:
        return
    kind = info.data.get("notificationType")
    if kind == FaultNotificationType.LIST_REBUILT:
        log.info(
            "alarm list of %s rebuilt (%s): active alarms are kept until cleared",
            stored.event.source_name, info.data.get("reason", "no reason given"),
        )  # fmt: skip
    else:
        log.debug("%s from %s changes no alarm", kind, stored.event.source_name)


def alarm_events(events: Sequence[StoredEvent]) -> list[StoredEvent]:
    """The events that raise, change or clear an alarm, in journal order."""
    chosen = []
    for stored in events:
        if stored.event.alarm is not None and stored.event.severity is not None:
            chosen.append(stored)
        elif stored.event.domain is Domain.STND_DEFINED:
            _log_skipped(stored)
    return chosen
