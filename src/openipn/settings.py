"""Settings from the environment (prefix OPENIPN_); built once at start-up and passed in."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_author() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Settings(BaseSettings):
    """Where data lives and how the server listens.

    `OPENIPN_DATA_DIR` (default `./data`), `OPENIPN_DATABASE_URL` (default: SQLite file in the
    data directory), `OPENIPN_KEY_FILE` (default: `keys/subscriber-secrets.key` in the data
    directory; keep it off the database's storage and back it up separately).
    """

    model_config = SettingsConfigDict(env_prefix="OPENIPN_")

    data_dir: Path = Path("data")
    database_url: str | None = None
    key_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    author: str = _default_author()
    # PM file intake (collect/pm_watch.py); dirs default to <data_dir>/pm/{inbox,quarantine}
    pm_inbox_dir: Path | None = None
    pm_quarantine_dir: Path | None = None
    pm_poll_s: float = 5.0
    pm_workers: int = 2  # parser processes; 0 or 1 parses in the calling process
    pm_file_ready_dirs: list[Path] = Field(default_factory=list)  # file:// FileReady allowed
    pm_max_bytes: int = Field(default=1 << 30, ge=1)  # a PM file or its .gz content, at most
    pm_clock_tolerance_s: float = Field(default=300.0, ge=0)  # periods may end this far ahead
    telemetry_upkeep_s: float = 300.0  # roll-up / compaction / retention round every so often
    scrape_config: Path | None = None  # OPENIPN_SCRAPE_CONFIG: Prometheus targets (YAML/JSON)
    # VES collector (collect/ves_collector.py). Auth: basic (user+password) and/or bearer token;
    # with neither, a generated token in <data_dir>/ves/collector.token; "none" = open collector.
    ves_enabled: bool = True
    ves_auth: Literal["required", "none"] = "required"
    ves_user: str | None = None
    ves_password: str | None = Field(default=None, repr=False)
    ves_token: str | None = Field(default=None, repr=False)
    ves_max_backlog_events: int = 2_000_000  # unconsumed journal events before 503
    ves_max_backlog_bytes: int = 2 * 1024**3  # journal bytes on disk before 503
    ves_max_queue_bytes: int = 64 * 1024**2  # bodies waiting for the journal writer before 503
    ves_heartbeat_misses: int = 3  # heartbeatLost after this many missed intervals
    ves_heartbeat_wall_clock: bool = True  # also judge silence by the wall clock

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openipn.db').resolve()}"

    @property
    def telemetry_dir(self) -> Path:
        """Root of the time-series store (counters from PM files, scrapes, terminal reports)."""
        return self.data_dir / "telemetry"

    @property
    def resolved_key_file(self) -> Path:
        """The SM4 key file that seals subscriber credentials."""
        return self.key_file or self.data_dir / "keys" / "subscriber-secrets.key"
