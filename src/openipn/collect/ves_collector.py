"""The VES collector: credentials, back-pressure, the journal writer and its consumer as one worker.

Acknowledgement is durable: a request's events are appended to the journal and fsynced before
the caller is told (see `journal`). When the consumer falls behind (more than
``max_backlog_events`` unconsumed events or ``max_backlog_bytes`` of journal on disk) or the
writer's queue is full, `submit` refuses with `CollectorBusyError` (HTTP 503 + Retry-After)
instead of growing memory.

Authentication (ONAP offers noAuth / certBasicAuth, standards.md §4.1): HTTP basic with
``user``/``password`` and/or a bearer ``token``. When neither is configured the collector does not
run open: it uses a random bearer token kept in ``<data_dir>/ves/collector.token`` (mode 0600,
created on first start). Only ``auth=none`` switches authentication off, explicitly.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import os
import secrets
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from openipn.collect.alarms import AlarmHandler, Canonical
from openipn.collect.dispatch import Checkpoints, Dispatcher, IdleHook, Memo, RetryPolicy
from openipn.collect.events import EventHandler
from openipn.collect.heartbeats import HeartbeatPolicy, HeartbeatSupervisor
from openipn.collect.journal import JournalBusyError, JournalWriter
from openipn.store.alarms import AlarmBook

REALM = "OpenIPN VES"
TOKEN_FILE = "collector.token"


class VesAuthMode(StrEnum):
    """Whether the collector demands credentials."""

    REQUIRED = "required"  # basic and/or bearer; a generated token when none is configured
    NONE = "none"  # open collector (explicit opt-out only)


@dataclass(frozen=True)
class VesCredentials:
    """What a request must present: basic user/password and/or a bearer token."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    required: bool = True

    def accepts(self, authorization: str | None) -> bool:
        """True when the Authorization header carries valid credentials (constant-time compare)."""
        if not self.required:
            return True
        scheme, _, value = (authorization or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and self.token is not None:
            return hmac.compare_digest(value.encode(), self.token.encode())
        if scheme.lower() == "basic" and self.user is not None and self.password is not None:
            try:
                decoded = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return False
            user, sep, password = decoded.partition(b":")
            good_user = hmac.compare_digest(user, self.user.encode())
            good_password = hmac.compare_digest(password, self.password.encode())
            return bool(sep) and good_user and good_password
        return False

    @property
    def challenge(self) -> str:
        """The WWW-Authenticate value of a 401 (RFC 9110 §11.6.1)."""
        schemes = []
        if self.user is not None:
            schemes.append(f'Basic realm="{REALM}", charset="UTF-8"')
        if self.token is not None:
            schemes.append(f'Bearer realm="{REALM}"')
        return ", ".join(schemes)


def token_file(data_dir: Path) -> Path:
    """Where the generated collector token lives."""
    return data_dir / "ves" / TOKEN_FILE


def load_credentials(
    mode: VesAuthMode,
    data_dir: Path,
    *,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
) -> VesCredentials:
    """The collector's credentials: configured ones, else the token file (created if missing)."""
    if mode is VesAuthMode.NONE:
        return VesCredentials(required=False)
    if (user is None) != (password is None):
        raise ValueError("VES basic authentication needs both a user and a password")
    if user is not None or token:
        return VesCredentials(user=user, password=password, token=token or None)
    path = token_file(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    stored = path.read_text(encoding="ascii").strip()
    if not stored:
        raise ValueError(f"VES token file {path} is empty; delete it to generate a new token")
    return VesCredentials(token=stored)


@dataclass(frozen=True)
class VesLimits:
    """Sizes that bound the collector's memory and disk."""

    max_body_bytes: int = 32 * 1024 * 1024
    max_queue_bytes: int = 64 * 1024 * 1024  # request bodies waiting for the journal writer
    max_backlog_events: int = 2_000_000  # journaled but not yet consumed
    max_backlog_bytes: int = 2 * 1024 * 1024 * 1024  # journal segments on disk
    segment_bytes: int = 32 * 1024 * 1024
    retry_after_s: int = 1  # Retry-After of a 503 for a full queue
    backlog_retry_after_s: int = 5  # … and for a consumer that fell behind


class CollectorBusyError(RuntimeError):
    """The collector cannot take more now: answer 503 with Retry-After."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class VesCollector:
    """The journal writer and its consumer; a worker of `openipn serve` (start/stop)."""

    def __init__(
        self,
        data_dir: Path,
        checkpoints: Checkpoints,
        handlers: Sequence[EventHandler],
        *,
        credentials: VesCredentials,
        limits: VesLimits | None = None,
        retry: RetryPolicy | None = None,
        idle_hooks: Sequence[IdleHook] = (),
    ) -> None:
        self.credentials = credentials
        self.limits = limits or VesLimits()
        base = data_dir / "ves"
        self.journal = JournalWriter(
            base / "journal",
            segment_bytes=self.limits.segment_bytes,
            max_queue_bytes=self.limits.max_queue_bytes,
        )
        self.dispatcher = Dispatcher(
            base / "journal",
            checkpoints,
            handlers,
            durable=lambda: self.journal.durable_position,
            release=self.journal.release,
            memos=self.journal.take_memo,
            dead_letter=base / "dead-letter.jsonl",
            retry=retry,
            idle_hooks=idle_hooks,
        )

    def submit(self, payload: bytes, count: int, memo: Memo | None = None) -> Future[int]:
        """Journal a checked body of ``count`` events; the future resolves once it is durable.

        ``memo`` (the parsed events and their raw objects) spares the consumer a second parse.
        """
        limits = self.limits
        backlog = self.journal.durable_position - self.dispatcher.position
        if backlog >= limits.max_backlog_events:
            raise CollectorBusyError(
                f"{backlog} events wait for processing", limits.backlog_retry_after_s
            )
        if self.journal.disk_bytes >= limits.max_backlog_bytes:
            raise CollectorBusyError("the journal is full", limits.backlog_retry_after_s)
        try:
            return self.journal.submit(payload, count, dt.datetime.now(dt.UTC), memo)
        except JournalBusyError as exc:
            raise CollectorBusyError(str(exc), limits.retry_after_s) from None

    def stats(self) -> dict[str, Any]:
        """Positions and sizes, for the status endpoint and tests."""
        durable = self.journal.durable_position
        consumed = self.dispatcher.position
        return {
            "journaled": durable,
            "consumed": consumed,
            "backlog_events": durable - consumed,
            "journal_bytes": self.journal.disk_bytes,
            "queue_bytes": self.journal.queue_bytes,
            "dead_lettered": self.dispatcher.dead_lettered,
        }

    def start(self) -> None:
        """Start writing and consuming."""
        self.journal.start()
        self.dispatcher.start()

    def stop(self) -> None:
        """Flush the journal, let the consumer finish its batch and save its checkpoint."""
        self.journal.stop()
        self.dispatcher.stop()


@dataclass(frozen=True)
class VesConfig:
    """Everything `build_ves_collector` needs, from the settings."""

    data_dir: Path
    credentials: VesCredentials
    limits: VesLimits = field(default_factory=VesLimits)
    heartbeats: HeartbeatPolicy = field(default_factory=HeartbeatPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def build_ves_collector(
    config: VesConfig,
    engine: Engine,
    handlers: Sequence[EventHandler] = (),
    canonical: Canonical | None = None,
) -> VesCollector:
    """The collector with its own handlers (alarms, heartbeats) followed by ``handlers``.

    `canonical` gives an alarmed object's model DN (from its DN and sender), so one alarm is
    one row whichever DN form raises, changes or clears it.
    """
    book = AlarmBook(engine)
    supervisor = HeartbeatSupervisor(book, config.heartbeats)
    return VesCollector(
        config.data_dir,
        Checkpoints(engine),
        [AlarmHandler(book, canonical), supervisor, *handlers],
        credentials=config.credentials,
        limits=config.limits,
        retry=config.retry,
        idle_hooks=[supervisor.tick],
    )
