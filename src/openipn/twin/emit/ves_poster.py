"""Deliver VES events to a collector without ever blocking the simulation.

`VesPoster.post` only appends to a bounded in-memory buffer; one background thread (a sync
httpx client) drains it in order: ``POST <url>/eventListener/v7`` for a single event and
``POST <url>/eventListener/v7/eventBatch`` for runs of events of one domain (ONAP batch rule,
standards.md §4.1). While the collector is unreachable or busy (connection errors, 408, 429, 5xx)
the batch in flight is retried with exponential backoff, honouring ``Retry-After`` (RFC 9110
§10.2.3), and new events wait in the buffer; when it is full the oldest waiting event is dropped
and counted. A 4xx rejection drops the event (a rejected batch is resent event by event so only
the bad ones are lost). Real (wall-clock) time is used only for these network waits.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from types import TracebackType
from typing import Any

import httpx

from openipn.codecs.ves import Event, batch_body, batch_key, event_body

log = logging.getLogger(__name__)

SINGLE_PATH = "/eventListener/v7"
BATCH_PATH = "/eventListener/v7/eventBatch"
ACCEPTED = frozenset({200, 202, 204})  # ONAP answers 202 (standards.md §4.1)
RETRYABLE_4XX = frozenset({408, 429})  # transient by RFC 9110 §15.5.9 and RFC 6585 §4


@dataclass(frozen=True)
class BasicAuth:
    """HTTP basic credentials for the collector (ONAP ``certBasicAuth``)."""

    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class BearerToken:
    """A bearer token sent as ``Authorization: Bearer <token>``."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class Backoff:
    """Retry delays: ``initial * factor**n`` capped at ``maximum``; Retry-After wins if sent."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    max_retry_after: float = 300.0  # never wait longer than this, whatever the collector asks

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        return min(self.maximum, self.initial * self.factor**attempt)


@dataclass(frozen=True)
class PosterStats:
    """Counters of a poster: events sent, retries, drops (buffer full), rejections (4xx)."""

    sent: int = 0
    retried: int = 0  # requests repeated after a failure
    dropped: int = 0  # oldest waiting events discarded because the buffer was full
    rejected: int = 0  # events the collector refused with a 4xx
    buffered: int = 0  # waiting plus in flight, never more than max_buffer


class _Outcome(Enum):
    DONE = "done"
    RETRY = "retry"
    SPLIT = "split"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds asked for by a Retry-After value: delay-seconds or an HTTP-date (RFC 9110)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class VesPoster:
    """Posts VES events to ``<url>/eventListener/v7[/eventBatch]`` from a background thread."""

    def __init__(
        self,
        url: str,
        *,
        auth: BasicAuth | BearerToken | None = None,
        batch_size: int = 20,
        max_buffer: int = 10_000,
        timeout: float = 5.0,
        backoff: Backoff | None = None,
        linger_s: float = 0.0,
    ) -> None:
        if batch_size < 1 or max_buffer <= batch_size:
            raise ValueError("need batch_size >= 1 and max_buffer > batch_size")
        self._base = url.rstrip("/")
        self._auth = auth
        self._batch_size = batch_size
        self._max_buffer = max_buffer
        self._timeout = timeout
        self._backoff = backoff or Backoff()
        self._linger_s = linger_s  # wait this long for a fuller batch (fewer HTTP requests)
        self._pending: deque[tuple[tuple[str, str], Event]] = deque()
        self._inflight = 0
        self._counts = {"sent": 0, "retried": 0, "dropped": 0, "rejected": 0}
        self._closed = False
        self._stopping = False
        self._failing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="ves-poster", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- caller side

    def post(self, event: Event) -> None:
        """Queue one event (never blocks on the network); drops the oldest if the buffer is full."""
        key = batch_key(event)  # a malformed event fails here, in the caller
        with self._cond:
            if self._closed:
                raise RuntimeError("VesPoster is closed")
            # The in-flight batch is counted too, so buffered never exceeds max_buffer.
            if len(self._pending) + self._inflight >= self._max_buffer:
                self._pending.popleft()
                self._counts["dropped"] += 1
            self._pending.append((key, event))
            self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued event is delivered or dropped; False on timeout."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or self._drained(), timeout=timeout)
            return self._drained()

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting events, try to flush for ``timeout`` s, then stop the thread."""
        with self._cond:
            if self._stopping:
                return
            self._closed = True
        self.flush(timeout)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(self._timeout + 1.0)

    def _drained(self) -> bool:
        return not self._pending and not self._inflight

    @property
    def stats(self) -> PosterStats:
        """A snapshot of the counters."""
        with self._cond:
            return PosterStats(**self._counts, buffered=len(self._pending) + self._inflight)

    def __enter__(self) -> VesPoster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---------------------------------------------------------------- worker side

    def _client(self) -> httpx.Client:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        auth: httpx.Auth | None = None
        if isinstance(self._auth, BasicAuth):
            auth = httpx.BasicAuth(self._auth.user, self._auth.password)
        elif isinstance(self._auth, BearerToken):
            headers["Authorization"] = f"Bearer {self._auth.token}"
        return httpx.Client(timeout=self._timeout, headers=headers, auth=auth)

    def _run(self) -> None:
        with self._client() as client:
            while (batch := self._next_batch()) is not None:
                left = self._deliver(client, batch)
                with self._cond:  # when stopping, undelivered events go back (for the stats)
                    self._pending.extendleft((batch_key(e), e) for e in reversed(left))
                    self._inflight = 0
                    self._cond.notify_all()

    def _next_batch(self) -> list[Event] | None:
        """The longest run (≤ batch_size) of same-domain events at the head, or None to stop."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending or self._stopping)
            if self._linger_s > 0 and len(self._pending) < self._batch_size:
                self._cond.wait_for(
                    lambda: len(self._pending) >= self._batch_size or self._stopping,
                    timeout=self._linger_s,
                )
            if self._stopping:
                return None
            key = self._pending[0][0]
            batch: list[Event] = []
            while self._pending and len(batch) < self._batch_size and self._pending[0][0] == key:
                batch.append(self._pending.popleft()[1])
            self._inflight = len(batch)
            return batch

    def _deliver(self, client: httpx.Client, batch: list[Event]) -> list[Event]:
        """Send until accepted or rejected; returns the events left when stopped mid-way."""
        attempt = 0
        while True:
            outcome, wait = self._attempt(client, batch)
            if outcome is _Outcome.DONE:
                return []
            if outcome is _Outcome.SPLIT:
                for index, event in enumerate(batch):
                    if self._deliver(client, [event]):
                        return batch[index:]
                return []
            delay = self._backoff.delay(attempt) if wait is None else wait
            attempt += 1
            if self._sleep(min(delay, self._backoff.max_retry_after)):
                return batch
            with self._cond:
                self._counts["retried"] += 1

    def _attempt(self, client: httpx.Client, batch: list[Event]) -> tuple[_Outcome, float | None]:
        """One request: DONE (accepted or rejected), RETRY (with Retry-After) or SPLIT."""
        single = len(batch) == 1
        path, body = (
            (SINGLE_PATH, event_body(batch[0])) if single else (BATCH_PATH, batch_body(batch))
        )
        try:
            response = client.post(self._base + path, json=body)
        except httpx.HTTPError as exc:
            self._note_failure(f"collector unreachable: {exc!r}")
            return _Outcome.RETRY, None
        except (TypeError, ValueError) as exc:  # not JSON-serialisable: never deliverable
            return self._refuse(batch, f"not JSON: {exc}")
        status = response.status_code
        if status in ACCEPTED:
            self._note_success(len(batch))
            return _Outcome.DONE, None
        if status >= 500 or status in RETRYABLE_4XX:
            self._note_failure(f"collector answered {status}")
            return _Outcome.RETRY, retry_after_seconds(response.headers.get("Retry-After"))
        return self._refuse(batch, f"{status} {response.text[:200]}")

    def _refuse(self, batch: list[Event], reason: str) -> tuple[_Outcome, float | None]:
        """Split a refused batch to find the bad events; drop and count a refused single."""
        if len(batch) > 1:
            return _Outcome.SPLIT, None
        with self._cond:
            self._counts["rejected"] += 1
        header: dict[str, Any] = batch[0].get("commonEventHeader", {})
        log.warning(
            "VES event %s (%s) dropped: %s", header.get("eventId"), header.get("eventName"), reason
        )
        return _Outcome.DONE, None

    def _sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds`` unless asked to stop; True when stopping."""
        with self._cond:
            return self._cond.wait_for(lambda: self._stopping, timeout=seconds)

    def _note_success(self, count: int) -> None:
        with self._cond:
            self._counts["sent"] += count
            recovered, self._failing = self._failing, False
        if recovered:
            log.info("VES collector %s reachable again", self._base)

    def _note_failure(self, reason: str) -> None:
        with self._cond:
            first, self._failing = not self._failing, True
        # Log the transition once, then quietly: the twin may run for hours without a collector.
        log.log(logging.WARNING if first else logging.DEBUG, "VES post failed, %s", reason)
