"""What must hold before a run touches anything: a free port and a data directory of its own."""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from pathlib import Path
from types import TracebackType

LOCK_NAME = "run.lock"


class RunRefusedError(Exception):
    """The run cannot start; the message says why and what to do. Nothing was changed."""


def check_port_free(host: str, port: int) -> None:
    """Refuse when something already listens on host:port (probed as uvicorn will bind it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise RunRefusedError(
                    f"port {port} on {host} is in use (another `openipn run` or another "
                    "server); stop it or choose another port with --port"
                ) from None
            raise RunRefusedError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


class DataDirLock:
    """An exclusive flock on <data dir>/run.lock, held for the life of the run."""

    def __init__(self, data_dir: Path) -> None:
        """Lock ``data_dir`` (created if missing) on entering."""
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> DataDirLock:
        """Take the lock and write our pid in it, or raise RunRefusedError naming the holder."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RunRefusedError(f"cannot use data directory {self.path.parent}: {exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise RunRefusedError(
                f"data directory {self.path.parent} is in use by another `openipn run` "
                f"(pid {holder}); stop it first, or use another --data-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Release the lock (the file stays: deleting it would race with a new holder)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
