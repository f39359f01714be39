"""VES 7 stateChange events: an element announcing it enters or leaves maintenance.

Fields per the VES Event Listener 7.x schema, stateChangeFields (stateChangeFieldsVersion 4.0;
newState and oldState one of inService, maintenance, outOfService; stateInterface required).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from openipn.codecs.ves import Domain, Event, EventSource, Priority, _finish, _header

STATE_CHANGE_FIELDS_VERSION = "4.0"


class State(StrEnum):
    """The states a VES stateChange event names."""

    IN_SERVICE = "inService"
    MAINTENANCE = "maintenance"
    OUT_OF_SERVICE = "outOfService"


def state_change_event(
    source: EventSource,
    *,
    at: datetime,
    sequence: int,
    old_state: State,
    new_state: State,
    interface: str = "all",
    priority: Priority = Priority.NORMAL,
) -> Event:
    """The element (or one of its interfaces) changed state, e.g. into maintenance."""
    name = f"StateChange_{source.nf_type}_{new_state.value}"
    header = _header(Domain.STATE_CHANGE, source, name, at, None, sequence, priority)
    block: Event = {
        "stateChangeFieldsVersion": STATE_CHANGE_FIELDS_VERSION,
        "oldState": old_state.value,
        "newState": new_state.value,
        "stateInterface": interface,
    }
    return _finish(header, "stateChangeFields", block)
