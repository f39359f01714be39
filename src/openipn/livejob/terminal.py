"""The run's terminal: messages, and a status line refreshed in place (a line a minute if piped)."""

from __future__ import annotations

import os
import shutil
import time
from typing import TextIO

PLAIN_STATUS_EVERY_S = 60.0  # stdout is not a terminal: one status line a minute
FALLBACK_SIZE = (160, 24)  # columns, lines when the size cannot be read
CLEAR_LINE = "\r\x1b[2K"  # ECMA-48 clause 8.3.41 EL (erase in line), after a carriage return


class RunOutput:
    """Writes to ``stream``; a closed pipe (``| head``) silences it instead of raising."""

    def __init__(self, stream: TextIO) -> None:
        """Refresh in place only when ``stream`` is a terminal."""
        self.stream = stream
        self.terminal = stream.isatty()
        self._status_open = False
        self._status_at = -PLAIN_STATUS_EVERY_S
        self._broken = False

    def say(self, message: str) -> None:
        """A message on its own line(s) (after ending a refreshed status line)."""
        if self._status_open:
            self._write("\n")
            self._status_open = False
        self._write(f"{message}\n")

    def status(self, line: str) -> None:
        """The live status: rewritten in place on a terminal, else a plain line a minute."""
        if self.terminal:  # cut to the width: a wrapped line cannot be rewritten in place
            width = shutil.get_terminal_size(FALLBACK_SIZE).columns
            self._write(f"{CLEAR_LINE}{line[: max(width - 1, 20)]}")
            self._status_open = True
        elif time.monotonic() - self._status_at >= PLAIN_STATUS_EVERY_S:
            self._status_at = time.monotonic()
            self._write(f"{line}\n")

    def _write(self, text: str) -> None:
        if self._broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            self._broken = True  # nobody reads any more; the run goes on
            _silence(self.stream)


def _silence(stream: TextIO) -> None:
    """Point a broken stream at /dev/null so the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
