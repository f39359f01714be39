"""The run's two processes: started in their own sessions, output to log files, stopped politely."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

STOP_GRACE_S = 30.0
LOG_TAIL_LINES = 12
PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal a child gets when its parent thread ends
Stopping = Callable[[], bool]  # True once the run was asked to stop


class ChildFailedError(Exception):
    """A process the run needs stopped or did not become ready; the message says which."""


@dataclass
class Child:
    """A supervised `openipn` process whose output goes to ``log``."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def running(self) -> bool:
        """True while the process has not exited."""
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after the grace time; never raises for a gone process."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self) -> str:
        """The last lines of its output (to show why it stopped)."""
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-LOG_TAIL_LINES:])


def openipn_command() -> str:
    """The `openipn` console script beside this interpreter (the one `make run` installed)."""
    return str(Path(sys.executable).with_name("openipn"))


def _parent_death_signal() -> Callable[[], None] | None:
    """In the child, before exec: SIGTERM it when the supervisor dies, even by SIGKILL (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return arm


def start_child(name: str, args: Sequence[str], env: Mapping[str, str], log: Path) -> Child:
    """Start ``openipn <args>`` in its own session (Ctrl-C reaches only the supervisor)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [openipn_command(), *args],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_parent_death_signal(),  # noqa: PLW1509 - one async-signal-safe call
        )
    return Child(name, process, log)


def wait_healthy(child: Child, url: str, timeout_s: float, stopping: Stopping) -> None:
    """Wait until ``url``/healthz answers 200 from this child (or the run stops)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stopping():
        if not child.running:
            raise ChildFailedError(_stopped(child))
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    if stopping():
        return
    raise ChildFailedError(f"{child.name} did not answer {url}/healthz within {timeout_s:.0f} s")


def wait_for_file(child: Child, path: Path, timeout_s: float, stopping: Stopping) -> None:
    """Wait until the child wrote ``path`` (or the run stops); ChildFailedError if it ends."""
    deadline = time.monotonic() + timeout_s
    while not path.exists() and not stopping():
        if not child.running:
            raise ChildFailedError(_stopped(child))
        if time.monotonic() > deadline:
            raise ChildFailedError(f"{child.name} did not start within {timeout_s:.0f} s")
        time.sleep(0.2)


def _stopped(child: Child) -> str:
    tail = child.log_tail()
    said = f"; its last output ({child.log}):\n{tail}" if tail else f"; see {child.log}"
    return f"{child.name} stopped (exit {child.process.returncode}){said}"


def describe_exit(child: Child) -> str:
    """One line on how a child ended, for the terminal."""
    code = child.process.returncode
    if code is not None and code < 0:
        return f"{child.name} was stopped by signal {signal.Signals(-code).name}"
    return f"{child.name} stopped (exit {code}); its output is in {child.log}"
