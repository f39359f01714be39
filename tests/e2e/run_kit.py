"""Driving `openipn run` (what `make run` calls) as a real process group, as a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from openipn.app import build_services
from openipn.settings import Settings

REPO = Path(__file__).resolve().parents[2]
OPENIPN = str(Path(sys.executable).parent / "openipn")
SMALL_SITE = REPO / "examples" / "small.yaml"
READY = "OpenIPN is running"


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a run and of CLI calls on ``data_dir`` (nothing else inherited)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENIPN_")}
    return {**env, "OPENIPN_DATA_DIR": str(data_dir), "COLUMNS": "250", **extra}


def cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """One `openipn` command on ``data_dir``."""
    done = subprocess.run(
        [OPENIPN, *args], env=env_for(data_dir), capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"openipn {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


@dataclass
class RunProcess:
    """A started `openipn run`, its output file and its address."""

    process: subprocess.Popen[bytes]
    output: Path
    url: str

    def text(self) -> str:
        """Everything it printed so far (stdout and stderr)."""
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, needle: str, timeout_s: float = 120.0) -> str:
        """Wait until ``needle`` appears in its output; fail naming what it printed."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text:
                return text
            if self.process.poll() is not None:
                raise AssertionError(f"run exited {self.process.returncode}:\n{text}")
            time.sleep(0.3)
        raise AssertionError(f"{needle!r} not printed within {timeout_s} s:\n{self.text()}")

    def interrupt(self, timeout_s: float = 60.0) -> tuple[int, str]:
        """Ctrl-C as a terminal sends it (SIGINT to the process group); exit code and output."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise AssertionError(f"run did not stop within {timeout_s} s:\n{self.text()}") from None
        return code, self.text()


def start_run(data_dir: Path, port: int, output: Path, *args: str, **env: str) -> RunProcess:
    """`openipn run` on ``data_dir`` and ``port``: the small site, no scenario, no catch-up."""
    command = [OPENIPN, "run", "--site", str(SMALL_SITE), "--scenario", "none"]
    command += ["--port", str(port), "--catch-up", "0s", "--status-every", "1", *args]
    with output.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env_for(data_dir, **env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    return RunProcess(process, output, f"http://127.0.0.1:{port}")


def run_to_end(data_dir: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    """A run expected to end by itself (refused): its exit code and output."""
    command = [OPENIPN, "run", "--site", str(SMALL_SITE), "--scenario", "none"]
    command += ["--port", str(port), "--catch-up", "0s", *args]
    return subprocess.run(
        command,
        cwd=REPO,
        env=env_for(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def version_count(data_dir: Path) -> int:
    """How many versions the store on ``data_dir`` holds (read as the CLI would)."""
    services = build_services(Settings(data_dir=data_dir))
    try:
        return len(services.inventory.versions())
    finally:
        services.close()


def processes_of(data_dir: Path) -> dict[int, str]:
    """pid -> command line of every live process whose command line names ``data_dir``."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        line = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        if str(data_dir) in line:
            found[int(entry.name)] = line
    return found


def twin_pid(data_dir: Path) -> int:
    """The twin process of the run on ``data_dir``."""
    pids = [pid for pid, line in processes_of(data_dir).items() if " twin " in line]
    assert len(pids) == 1, processes_of(data_dir)
    return pids[0]


def healthy(url: str) -> bool:
    """True when the platform at ``url`` answers /healthz with 200."""
    try:
        return httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False
