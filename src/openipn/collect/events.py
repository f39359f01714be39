"""The contract between the VES collector and whatever consumes its stored events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from openipn.codecs.ves import Domain, VesEvent


@dataclass(frozen=True)
class StoredEvent:
    """An event the collector acknowledged: its journal position, arrival time and content."""

    position: int  # strictly increasing across the journal
    received_at: dt.datetime  # UTC arrival (bookkeeping only; analytics use the event's time)
    event: VesEvent
    raw: Mapping[str, Any]  # the event object as received (commonEventHeader + domain block)


class EventHandler(Protocol):
    """Consumes stored events in journal order, at least once: it must be idempotent."""

    domains: frozenset[Domain]

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Process a batch; raising leaves the batch to be delivered again."""
        ...
