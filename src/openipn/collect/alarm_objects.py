"""Alarmed objects checked against the model: those it does not name are listed as discovered."""

from __future__ import annotations

from collections.abc import Sequence

from openipn.codecs.ves import Domain
from openipn.collect.alarms import OBJECT_KEY
from openipn.collect.events import StoredEvent
from openipn.collect.identity import ObjectIdentity
from openipn.store.discovered import Sighting

SOURCE = "ves"


def alarmed_objects(events: Sequence[StoredEvent]) -> dict[tuple[str, str], set[str]]:
    """(sourceName, alarmed object) -> alarm conditions, as the alarm list keys them."""
    found: dict[tuple[str, str], set[str]] = {}
    for stored in events:
        event = stored.event
        if event.alarm is None or event.severity is None:
            continue
        obj = next((v for k, v in event.alarm.additional if k == OBJECT_KEY), None)
        found.setdefault((event.source_name, obj or event.source_name), set()).add(
            event.alarm.condition
        )
    return found


class AlarmObjectHandler:
    """The EventHandler that resolves each alarm's object (sourceName for a relative DN)."""

    name = "alarm-objects"
    domains = frozenset({Domain.FAULT, Domain.STND_DEFINED})

    def __init__(self, identity: ObjectIdentity) -> None:
        self._identity = identity

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Record the alarmed objects the model does not name, with their conditions."""
        resolver = self._identity.resolver()
        sightings = []
        for (source, obj), conditions in alarmed_objects(events).items():
            found = resolver.resolve(obj, element=source)
            if not found.resolved:
                sightings.append(Sighting(found.dn, SOURCE, frozenset(conditions)))
        self._identity.discover(sightings)
