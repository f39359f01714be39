"""Which journal positions' terminal samples the telemetry store holds, so each is stored once.

The terminal handler appends one sample batch per delivered batch of events. Delivery is at
least once and a redelivered batch may be cut differently, so the append's idempotency key
cannot be the batch's own range. Instead the ledger keeps two positions in
``collector_checkpoints``: ``done`` (every terminal report below it is stored) and ``intent``
(a batch of the reports in [done, intent) was about to be appended under the key
``ledger_key(done, intent)``). The intent is written in the same model-store transaction as the
status rows, before the append. On (re)start the ledger asks the telemetry store whether that
key was committed: if so everything below ``intent`` is stored, otherwise only what is below
``done``. Reports below the resulting position are never appended again.

Within a running collector, an event posted again by its sender (same eventId, a new journal
position, e.g. after a lost 202) is also skipped while its id is among the most recent ones.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from sqlalchemy import Connection, Engine, insert, select, update

from openipn.store.schema import CollectorCheckpointRow
from openipn.store.telemetry.api import TelemetryStore

DONE = "ves-terminal-samples"
INTENT = "ves-terminal-samples-intent"


def ledger_key(done: int, intent: int) -> str:
    """The telemetry idempotency key of the sample batch of positions [done, intent)."""
    return f"ves-terminal-reports:{done}-{intent}"


def _save(connection: Connection, consumer: str, position: int) -> None:
    """Set a checkpoint row inside the caller's transaction."""
    row, now = CollectorCheckpointRow, dt.datetime.now(dt.UTC)
    changed = connection.execute(
        update(row).where(row.consumer == consumer).values(position=position, updated_at=now)
    ).rowcount
    if not changed:
        connection.execute(insert(row).values(consumer=consumer, position=position, updated_at=now))


class SampleLedger:
    """The position below which terminal samples are stored, and recently stored event ids."""

    def __init__(self, engine: Engine, telemetry: TelemetryStore, *, recent: int = 100_000):
        self._engine = engine
        self._telemetry = telemetry
        self._done: int | None = None
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._max_recent = recent

    @property
    def done(self) -> int:
        """Every terminal report at a position below this is in the telemetry store."""
        if self._done is None:
            self._done = self._load()
        return self._done

    def _load(self) -> int:
        row = CollectorCheckpointRow
        query = select(row.consumer, row.position).where(row.consumer.in_([DONE, INTENT]))
        with self._engine.connect() as connection:
            found = {name: int(position) for name, position in connection.execute(query)}
        done, intent = found.get(DONE, 0), found.get(INTENT, 0)
        if intent > done and self._telemetry.seen(ledger_key(done, intent)):
            return intent
        return done

    def seen_recently(self, event_id: str) -> bool:
        """Whether samples of this event id were stored by this process lately."""
        return event_id in self._recent

    def intend(self, connection: Connection, intent: int) -> str:
        """Record (in the caller's transaction) that [done, intent) is about to be appended."""
        _save(connection, DONE, self.done)
        _save(connection, INTENT, intent)
        return ledger_key(self.done, intent)

    def appended(self, intent: int, event_ids: list[str]) -> None:
        """The batch intended up to ``intent`` is committed in the telemetry store."""
        self._done = intent
        for event_id in event_ids:
            self._recent[event_id] = None
        while len(self._recent) > self._max_recent:
            self._recent.popitem(last=False)
