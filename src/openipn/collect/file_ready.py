"""VES FileReady notifications (ONAP datafile form, standards.md §1.3): fetch and ingest files.

A journal consumer (`EventHandler`): for each announced PM file it fetches the location
(`file://` below an allowed directory, or `http(s)://` with httpx), inflates gzip and ingests
it through `PmIntake`; the file's SHA-256 key makes redelivery harmless. A location that is
gone for good (missing file, HTTP 404/410, outside the allowed directories, another format)
is logged and skipped, since retrying cannot help; a transient failure (connection error,
HTTP 5xx) raises, so the journal delivers the batch again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from openipn.codecs.ves import FILE_READY_CHANGE_TYPE, Domain, PmFile
from openipn.collect.events import StoredEvent
from openipn.collect.pm_intake import IngestResult, PmIntake

log = logging.getLogger(__name__)

PM_FORMATS = ("32.435", "28.532")  # fileFormatType mentions one of these (or is empty)
GONE_STATUSES = frozenset({404, 410})


class FileGoneError(Exception):
    """An announced file that cannot be fetched now or later."""


class FileReadyHandler:
    """Ingests the PM files that FileReady notifications announce."""

    domains = frozenset({Domain.NOTIFICATION})

    def __init__(
        self,
        intake: PmIntake,
        *,
        allowed_dirs: Sequence[Path],
        http: httpx.Client | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.intake = intake
        self.allowed_dirs = tuple(path.resolve() for path in allowed_dirs)
        self.http = http or httpx.Client(timeout=timeout_s, follow_redirects=True)
        self.results: list[IngestResult] = []  # the last batch's results (for tests and logs)

    def handle(self, events: Sequence[StoredEvent]) -> None:
        """Fetch and ingest every announced PM file of the batch's FileReady notifications."""
        results = []
        for stored in events:
            info = stored.event.notification
            if info is None or info.change_type != FILE_READY_CHANGE_TYPE:
                continue
            for announced in info.files:
                try:
                    data = self.fetch(announced)
                except FileGoneError as exc:
                    log.warning("FileReady %s skipped: %s", announced.location, exc)
                    continue
                results.append(self.intake.ingest_bytes(data, announced.name))
        self.results = results

    def fetch(self, announced: PmFile) -> bytes:
        """The announced file's bytes (still compressed if it is)."""
        fmt = announced.format_type
        if fmt and not any(spec in fmt for spec in PM_FORMATS):
            raise FileGoneError(f"fileFormatType {fmt!r} is not a TS 32.435 / TS 28.532 PM file")
        parts = urlsplit(announced.location)
        if parts.scheme == "file":
            return self._read_local(Path(unquote(parts.path)))
        if parts.scheme in ("http", "https"):
            response = self.http.get(announced.location)
            if response.status_code in GONE_STATUSES:
                raise FileGoneError(f"HTTP {response.status_code}")
            response.raise_for_status()  # other errors: raise, redelivered later
            return response.content
        raise FileGoneError(f"unsupported location scheme {parts.scheme!r}")

    def _read_local(self, path: Path) -> bytes:
        resolved = path.resolve()
        if not any(resolved.is_relative_to(root) for root in self.allowed_dirs):
            raise FileGoneError(f"{resolved} is outside the allowed PM directories")
        try:
            return resolved.read_bytes()
        except FileNotFoundError:
            raise FileGoneError(f"{resolved} does not exist") from None

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()
