"""The journal consumer: delivers stored VES events in order to the registered handlers.

One thread reads the journal from the checkpoint (table ``collector_checkpoints``), parses each
record's events and hands runs of same-domain events to every handler registered for that
domain, then advances the checkpoint. A steady stream is handled in batches: fewer than
``min_batch_events`` waiting events wait up to ``linger_s`` for more, so handlers pay their
per-batch costs (a transaction, a telemetry file) a few times a second, not per request.
Delivery is at least once: after a crash the events since the last saved checkpoint are
delivered again, so handlers must be idempotent.

A handler that raises is retried with exponential backoff (`RetryPolicy`); after the last
attempt its batch is appended to the dead-letter file (one JSON line: handler, positions, error,
the events as received) and skipped for that handler only, so one broken handler never holds
the journal up for ever. Segments below the saved checkpoint are deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, insert, select, update

from openipn.codecs.ves import Domain, VesEvent, VesFormatError
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import EventHandler, StoredEvent
from openipn.collect.journal import Record
from openipn.collect.journal_cursor import JournalCursor
from openipn.store.schema import CollectorCheckpointRow

log = logging.getLogger(__name__)

CONSUMER = "ves-dispatch"
IdleHook = Callable[[dt.datetime], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing handler is retried before dead-lettering."""

    attempts: int = 5
    initial_s: float = 0.2
    factor: float = 2.0
    maximum_s: float = 5.0

    def delay(self, attempt: int) -> float:
        """Seconds before retry number ``attempt`` (0-based)."""
        return min(self.maximum_s, self.initial_s * self.factor**attempt)


class Checkpoints:
    """Positions of journal consumers in ``collector_checkpoints``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, consumer: str) -> int:
        """The consumer's next position (0 when it never ran)."""
        with self._engine.connect() as connection:
            found = connection.scalar(
                select(CollectorCheckpointRow.position).where(
                    CollectorCheckpointRow.consumer == consumer
                )
            )
        return int(found or 0)

    def save(self, consumer: str, position: int) -> None:
        """Record that every position below ``position`` has been handled."""
        now = dt.datetime.now(dt.UTC)
        row = CollectorCheckpointRow
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(row)
                .where(row.consumer == consumer)
                .values(position=position, updated_at=now)
            ).rowcount
            if not changed:
                connection.execute(
                    insert(row).values(consumer=consumer, position=position, updated_at=now)
                )


def handler_name(handler: EventHandler) -> str:
    """A handler's name for logs and the dead-letter file."""
    return str(getattr(handler, "name", type(handler).__name__))


Memo = tuple[list[VesEvent], list[dict[str, Any]]]
"""What the listener parsed for a record: typed events and the raw event objects."""


def record_events(record: Record, start: int, memo: Memo | None = None) -> list[StoredEvent]:
    """The events of a record at positions ≥ ``start``, from the memo or parsed from disk."""
    if memo is not None:
        typed, items = memo
    else:
        body = json.loads(record.payload)
        items = body["eventList"] if "eventList" in body else [body["event"]]
        typed = [parse_event(raw) for raw in items]
    return [
        StoredEvent(record.first + index, record.received_at, event, raw)
        for index, (event, raw) in enumerate(zip(typed, items, strict=True))
        if record.first + index >= start
    ]


class Dispatcher:
    """Reads the journal from the checkpoint and feeds the handlers, in one thread."""

    def __init__(
        self,
        directory: Path,
        checkpoints: Checkpoints,
        handlers: Sequence[EventHandler],
        *,
        durable: Callable[[], int],
        release: Callable[[int], object],
        memos: Callable[[int], object | None] = lambda _first: None,
        dead_letter: Path,
        retry: RetryPolicy | None = None,
        idle_hooks: Sequence[IdleHook] = (),
        poll_s: float = 0.02,
        checkpoint_every_s: float = 0.5,
        max_events: int = 20_000,
        min_batch_events: int = 2_000,
        linger_s: float = 0.2,
    ) -> None:
        self._checkpoints = checkpoints
        self._handlers = list(handlers)
        self._durable = durable
        self._release = release
        self._memos = memos
        self._dead_letter = dead_letter
        self._retry = retry or RetryPolicy()
        self._idle_hooks = list(idle_hooks)
        self._poll_s = poll_s
        self._checkpoint_every_s = checkpoint_every_s
        self._max_events = max_events
        self._min_batch_events = min_batch_events
        self._linger_s = linger_s
        self._waiting_since: float | None = None  # when a too-small batch started to wait
        self._saved = checkpoints.load(CONSUMER)
        self._cursor = JournalCursor(directory, self._saved)
        self._position = self._cursor.position
        self._saved_at = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dead_lettered = 0

    @property
    def position(self) -> int:
        """Every event below this position has been delivered."""
        return self._position

    def start(self) -> None:
        """Start the consumer thread."""
        self._thread = threading.Thread(target=self._run, name="ves-dispatch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the batch in hand, save the checkpoint and stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._save()

    def _run(self) -> None:
        last_idle = 0.0
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # never let the consumer die silently; try again shortly
                log.exception("VES dispatcher failed; retrying")
                busy = False
                self._stop.wait(1.0)
            if busy:
                continue
            if self._waiting_since is not None:  # a small backlog waits for a fuller batch
                self._stop.wait(self._poll_s)
                continue
            now = time.monotonic()
            if now - last_idle >= 1.0:
                last_idle = now
                self._save()
                self._idle(dt.datetime.now(dt.UTC))
            self._stop.wait(self._poll_s)

    def run_once(self) -> bool:
        """Deliver what is durable and unread (up to max_events); True when there was some."""
        durable = self._durable()
        if not self._batch_due(durable - self._position):
            return False
        records = self._cursor.read(durable, self._max_events)
        if not records:
            return False
        for domain, events, end in self._runs(records):
            if events and not self._deliver(domain, events):
                return True  # stopping mid-retry: these events are delivered again later
            self._position = end
        if time.monotonic() - self._saved_at >= self._checkpoint_every_s:
            self._save()
        return True

    def _batch_due(self, waiting: int) -> bool:
        """Whether to deliver now: a full batch, or a small one that waited ``linger_s``."""
        if waiting >= self._min_batch_events or waiting <= 0:
            self._waiting_since = None
            return waiting > 0
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < self._linger_s:
            return False
        self._waiting_since = None
        return True

    def _runs(self, records: list[Record]) -> list[tuple[Domain, list[StoredEvent], int]]:
        """Consecutive records of one domain merged: (domain, events, end position)."""
        runs: list[tuple[Domain, list[StoredEvent], int]] = []
        for record in records:
            memo = cast("Memo | None", self._memos(record.first))
            try:
                events = record_events(record, self._position, memo)
            except (ValueError, KeyError, TypeError, VesFormatError) as exc:
                self._write_dead_letter("dispatcher", record.first, record.end, exc, [])
                runs.append((Domain.OTHER, [], record.end))
                continue
            domain = events[0].event.domain if events else Domain.OTHER
            if runs and runs[-1][1] and runs[-1][0] is domain:
                runs[-1][1].extend(events)
                runs[-1] = (domain, runs[-1][1], record.end)
            else:
                runs.append((domain, events, record.end))
        return runs

    def _deliver(self, domain: Domain, events: list[StoredEvent]) -> bool:
        """Hand events to each interested handler; False if asked to stop mid-way."""
        for handler in self._handlers:
            if domain in handler.domains and not self._deliver_to(handler, events):
                return False
        return True

    def _deliver_to(self, handler: EventHandler, events: list[StoredEvent]) -> bool:
        for attempt in range(self._retry.attempts):
            try:
                handler.handle(events)
                return True
            except Exception as exc:
                error = exc
                log.warning(
                    "VES handler %s failed on positions %d..%d (attempt %d/%d): %r",
                    handler_name(handler), events[0].position, events[-1].position,
                    attempt + 1, self._retry.attempts, exc,
                )  # fmt: skip
            if attempt + 1 < self._retry.attempts and self._stop.wait(self._retry.delay(attempt)):
                return False
        raw = [e.raw for e in events]
        first, end = events[0].position, events[-1].position + 1
        self._write_dead_letter(handler_name(handler), first, end, error, raw)
        return True

    def _write_dead_letter(
        self, who: str, first: int, end: int, error: BaseException, raw: list[Any]
    ) -> None:
        """Append a skipped batch to the dead-letter file (JSON lines), durably."""
        self.dead_lettered += end - first
        log.error("VES positions %d..%d dead-lettered for %s: %r", first, end - 1, who, error)
        line = {
            "handler": who,
            "first": first,
            "end": end,
            "error": repr(error),
            "at": dt.datetime.now(dt.UTC).isoformat(),
            "events": raw,
        }
        self._dead_letter.parent.mkdir(parents=True, exist_ok=True)
        with self._dead_letter.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, separators=(",", ":")) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _save(self) -> None:
        """Persist the position and delete the journal segments wholly below it."""
        self._saved_at = time.monotonic()
        if self._position == self._saved:
            return
        self._checkpoints.save(CONSUMER, self._position)
        self._saved = self._position
        self._release(self._saved)

    def _idle(self, now: dt.datetime) -> None:
        for hook in self._idle_hooks:
            try:
                hook(now)
            except Exception:
                log.exception("VES idle hook %r failed", hook)
