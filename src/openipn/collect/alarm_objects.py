"""Alarmed objects checked against the model: those it does not name are listed as discovered."""

from __future__ import annotations

from collections.abc import Sequence

from openipn.codecs.ves import Domain
from openipn.collect.alarm_3gpp import alarm_events
from openipn.collect.alarms import report_from_event
from openipn.collect.events import StoredEvent
from openipn.collect.identity import ObjectIdentity
from openipn.store.discovered import Sighting

SOURCE = "ves"


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
        for stored in alarm_events(events):
            report = report_from_event(stored.event)
            found = resolver.resolve(report.object, element=report.source)
            if not found.resolved:
                sightings.append(Sighting(found.dn, SOURCE, frozenset({report.condition})))
        self._identity.discover(sightings)
