"""The PM inbox watcher: polls a directory and ingests each complete file once.

Layout (defaults under `<data_dir>/pm/`): `inbox/` where files arrive, `done/` where ingested
and duplicate files are moved (kept for audit and re-processing; cleaning it is the
operator's retention choice), `quarantine/` where bad files go with `<name>.reason.json`.

Complete files: writers should use the atomic-rename convention (write `.<name>.part` or
`<name>.tmp`, then rename(2) into place, as the twin does). Hidden names (`.*`) and temp
suffixes (`.tmp`, `.part`, `.partial`, `.filepart`, `.crdownload`) are never taken. For
writers that write in place, a file is only taken once its size and mtime are unchanged
since the previous poll and it is at least `settle_s` old. `.gz` files are inflated.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openipn.collect.identity import ObjectIdentity
from openipn.collect.pm_intake import FileTally, IngestResult, PmIntake, StoreOpener
from openipn.collect.pm_source import IntakeLimits
from openipn.store.telemetry.api import TelemetryStore

log = logging.getLogger(__name__)

TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", ".reason.json")
BATCH_FILES = 256  # files handed to the parser pool per round


@dataclass(frozen=True)
class PmDirs:
    """Where PM files arrive, go when done, and go when bad."""

    inbox: Path
    done: Path
    quarantine: Path

    @classmethod
    def under(
        cls, data_dir: Path, inbox: Path | None = None, quarantine: Path | None = None
    ) -> PmDirs:
        """The directories (settings `pm_inbox_dir`, `pm_quarantine_dir`; else `<data>/pm/…`)."""
        base = data_dir / "pm"
        return cls(
            inbox=inbox or base / "inbox",
            done=base / "done",
            quarantine=quarantine or base / "quarantine",
        )


def is_candidate(name: str) -> bool:
    """Whether a directory entry's name may be a finished PM file."""
    return not name.startswith(".") and not name.lower().endswith(TEMP_SUFFIXES)


class PmWatcher:
    """Polls the inbox every `poll_s` seconds in a thread; `start()` / `stop()`.

    `workers`, `opener` and `limits` are those of `PmIntake` (parser processes that store
    what they parse, in groups of files: one Parquet file and one transaction per group).
    """

    def __init__(
        self,
        store: TelemetryStore,
        dirs: PmDirs,
        *,
        poll_s: float = 5.0,
        workers: int = 0,
        settle_s: float = 1.0,
        opener: StoreOpener | None = None,
        limits: IntakeLimits | None = None,
        identity: ObjectIdentity | None = None,
        tally: FileTally | None = None,
    ) -> None:
        self.dirs = dirs
        self.poll_s = poll_s
        self.settle_s = settle_s
        self.intake = PmIntake(
            store, dirs.quarantine, workers=workers, opener=opener, limits=limits,
            identity=identity, tally=tally,
        )  # fmt: skip
        self._seen: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) at last poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def ready_files(self, now: float | None = None) -> list[Path]:
        """Finished files in the inbox, oldest first."""
        now = time.time() if now is None else now
        found: list[tuple[int, str, Path]] = []
        seen: dict[str, tuple[int, int]] = {}
        self.dirs.inbox.mkdir(parents=True, exist_ok=True)
        with os.scandir(self.dirs.inbox) as entries:
            for entry in entries:
                if not is_candidate(entry.name) or not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
                seen[entry.name] = signature = (stat.st_size, stat.st_mtime_ns)
                settled = now - stat.st_mtime_ns / 1e9 >= self.settle_s
                if settled and self._seen.get(entry.name) == signature:
                    found.append((stat.st_mtime_ns, entry.name, Path(entry.path)))
        self._seen = seen
        return [path for _, _, path in sorted(found)]

    def poll_once(self, now: float | None = None) -> list[IngestResult]:
        """Ingest what is ready now; return what became of each file."""
        results: list[IngestResult] = []
        files = self.ready_files(now)
        for start in range(0, len(files), BATCH_FILES):
            chunk = files[start : start + BATCH_FILES]
            results.extend(self._ingest(chunk))
            if self._stop.is_set():
                break
        for path in files:
            self._seen.pop(path.name, None)
        return results

    def _ingest(self, files: list[Path]) -> Iterator[IngestResult]:
        for result in self.intake.ingest_files(files, done_dir=self.dirs.done):
            if result.reason:
                log.warning("PM file %s quarantined: %s", result.name, result.reason)
            yield result

    def run(self) -> None:
        """Poll until stopped; an unexpected error is logged and the next poll retries."""
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # a vanished file, a full disk: log, keep watching
                log.exception("PM inbox poll failed")
            self._stop.wait(self.poll_s)

    def start(self) -> None:
        """Start polling in a daemon thread."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name="pm-watch", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop polling, wait for the current file, stop the parser processes."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.intake.close()
