"""Settings from the environment (prefix OPENIPN_); built once at start-up and passed in."""

from __future__ import annotations

import getpass
from pathlib import Path

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

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openipn.db').resolve()}"

    @property
    def resolved_key_file(self) -> Path:
        """The SM4 key file that seals subscriber credentials."""
        return self.key_file or self.data_dir / "keys" / "subscriber-secrets.key"
