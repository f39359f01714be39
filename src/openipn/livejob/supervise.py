"""`openipn run`: refuse, prepare, start the platform, then the twin; report; stop both cleanly."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from openipn.livejob.children import (
    Child,
    ChildFailedError,
    describe_exit,
    start_child,
    wait_for_file,
    wait_healthy,
)
from openipn.livejob.feeds import twin_start, write_scrape_config
from openipn.livejob.guard import DataDirLock, RunRefusedError, check_port_free
from openipn.livejob.prepare import prepare_store
from openipn.livejob.proxy import MetricsProxy
from openipn.livejob.status import StatusBoard, StatusReader
from openipn.livejob.terminal import RunOutput
from openipn.settings import Settings

READY_TIMEOUT_S = 120.0
UPKEEP_S = "120"  # roll-ups while the twin catches up, not every 5 min
SCENARIO_HINT = (
    "if the scenario {scenario} names objects the served network does not have, run with "
    "--scenario none (make run SCENARIO=none) or a scenario of your network"
)


@dataclass(frozen=True)
class RunOptions:
    """What `openipn run` was asked to do."""

    example: Path
    scenario: Path | None
    host: str
    port: int
    catch_up: dt.timedelta
    speed: str
    status_every_s: float
    new_secrets_key: bool = False


@dataclass(frozen=True)
class RunPaths:
    """Where a run keeps its files under the data directory."""

    data_dir: Path

    @property
    def twin_dir(self) -> Path:
        """The twin's PM files, truth, endpoints and the scrape targets."""
        return self.data_dir / "twin"

    @property
    def site_file(self) -> Path:
        """The served network, exported for the twin."""
        return self.data_dir / "run" / "site.yaml"

    @property
    def logs(self) -> Path:
        """The processes' output and the HTTP access log."""
        return self.data_dir / "logs"


STOP_POLL_S = 0.2


class StopFlag:
    """Set from a signal handler; a plain flag (an Event's lock could deadlock a handler)."""

    def __init__(self) -> None:
        """Not set."""
        self._set = False

    def set(self) -> None:
        """Ask the run to stop."""
        self._set = True

    def is_set(self) -> bool:
        """True once asked to stop."""
        return self._set

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``, returning early (True) once set."""
        deadline = time.monotonic() + seconds
        while not self._set and time.monotonic() < deadline:
            time.sleep(min(STOP_POLL_S, max(deadline - time.monotonic(), 0.0)))
        return self._set


class Run:
    """One supervised run, reporting on ``output``."""

    def __init__(self, settings: Settings, options: RunOptions, output: RunOutput) -> None:
        """Nothing is touched until :meth:`execute`."""
        self.settings = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
        self.options = options
        self.output = output
        self.say = output.say
        self.elements = 0
        self.paths = RunPaths(self.settings.data_dir)
        self.url = f"http://{options.host}:{options.port}"
        self.stop = StopFlag()
        self.token = os.environ.get("OPENIPN_VES_TOKEN") or secrets.token_urlsafe(24)

    def execute(self) -> int:
        """Run until Ctrl-C/SIGTERM (exit 0) or the platform stops (exit 1)."""
        scenario = self.options.scenario
        if scenario is not None and not scenario.is_file():
            raise RunRefusedError(f"scenario file {scenario} not found (or pass --scenario none)")
        example = self.options.example
        if not example.is_file() and not self.settings.resolved_key_file.exists():
            raise RunRefusedError(  # a new store needs the example; a set-up one may not
                f"example site file {example} not found for the new store in "
                f"{self.settings.data_dir}; run from the project directory or give --site FILE"
            )
        check_port_free(self.options.host, self.options.port)  # RunRefusedError: nothing touched
        with DataDirLock(self.settings.data_dir):
            prepared = prepare_store(
                self.settings,
                self.options.example,
                self.paths.site_file,
                start_over=self.options.new_secrets_key,
            )
            self.say(prepared.summary)
            self.elements = prepared.elements
            proxy = MetricsProxy(self.paths.twin_dir / "endpoints.json")
            proxy.start()
            try:
                return self._supervise(proxy)
            finally:
                proxy.stop()

    def _supervise(self, proxy: MetricsProxy) -> int:
        """Platform first (healthy), then the twin; watch both until told to stop."""
        if self.stop.is_set():  # Ctrl-C while the store was prepared
            return 0
        twin_dir = self.paths.twin_dir
        # read before the platform opens the time-series store
        start = twin_start(self.settings.telemetry_dir, self.options.catch_up)
        (twin_dir / "pm").mkdir(parents=True, exist_ok=True)
        (twin_dir / "endpoints.json").unlink(missing_ok=True)
        write_scrape_config(self.paths.site_file, proxy.port, twin_dir / "scrape.json")
        platform = self._start_platform()
        twin: Child | None = None
        try:
            wait_healthy(platform, self.url, READY_TIMEOUT_S, self.stop.is_set)
            if self.stop.is_set():
                return 0
            twin = self._start_twin(start)
            wait_for_file(twin, twin_dir / "endpoints.json", READY_TIMEOUT_S, self.stop.is_set)
            if self.stop.is_set():
                return 0
            self.say(banner(self.url, self.paths))
            return self._watch(platform, twin, proxy)
        except ChildFailedError as exc:
            self.say(f"error: {exc}")
            if platform.running and not self.stop.is_set():  # the twin failed: serve on
                self.say("the platform keeps running without the twin; Ctrl-C stops it")
                if self.options.scenario is not None:
                    self.say(SCENARIO_HINT.format(scenario=self.options.scenario))
                return self._watch(platform, None, proxy)
            return 0 if self.stop.is_set() else 1
        finally:
            for child in (twin, platform):  # the twin first: it posts to the platform
                if child is not None:
                    child.stop()

    def _watch(self, platform: Child, twin: Child | None, proxy: MetricsProxy) -> int:
        """Status lines until stopped; say once when the twin ends (the platform keeps on)."""
        reader = StatusReader(self.url, self.elements)
        try:
            return self._watch_with(platform, twin, proxy, StatusBoard(reader, self.output.status))
        finally:
            reader.close()

    def _watch_with(
        self, platform: Child, twin: Child | None, proxy: MetricsProxy, board: StatusBoard
    ) -> int:
        """The watch loop: the platform ending ends the run (1); the twin ending is said once."""
        twin_said = twin is None
        board.refresh()
        while not self.stop.wait(self.options.status_every_s):
            if not platform.running:
                self.say(f"error: {describe_exit(platform)}; stopping")
                return 1
            if twin is not None and not twin.running and not twin_said:
                twin_said = True
                proxy.forget()
                self.say(
                    f"{describe_exit(twin)}; the platform keeps running "
                    "(its heartbeat-lost alarms will show the silent elements)"
                )
            board.refresh()
        self.say("stopping the twin and the platform")
        return 0

    def _environment(self) -> dict[str, str]:
        """Both children's settings: this run's data directory, database, key and token."""
        env = {**os.environ, "OPENIPN_DATA_DIR": str(self.settings.data_dir)}
        if self.settings.database_url:
            env["OPENIPN_DATABASE_URL"] = self.settings.database_url
        env["OPENIPN_KEY_FILE"] = str(self.settings.resolved_key_file.resolve())
        env["OPENIPN_VES_TOKEN"] = self.token
        return env

    def _start_platform(self) -> Child:
        """`openipn serve`, scraping the twin through the proxy and fetching its PM files."""
        twin_dir = self.paths.twin_dir
        env = {
            **self._environment(),
            "OPENIPN_SCRAPE_CONFIG": str(twin_dir / "scrape.json"),
            "OPENIPN_PM_FILE_READY_DIRS": json.dumps([str(twin_dir / "pm")]),
            "OPENIPN_TELEMETRY_UPKEEP_S": os.environ.get("OPENIPN_TELEMETRY_UPKEEP_S", UPKEEP_S),
        }
        args = ["serve", "--host", self.options.host, "--port", str(self.options.port)]
        args += ["--access-log", str(self.paths.logs / "access.log")]
        return start_child("the platform", args, env, self.paths.logs / "platform.log")

    def _start_twin(self, start: str) -> Child:
        """`openipn twin` of the served network from ``start``, catching up with the wall clock."""
        twin_dir = self.paths.twin_dir
        args = ["twin", "--site", str(self.paths.site_file)]
        if self.options.scenario is not None:
            args += ["--scenario", str(self.options.scenario)]
        args += ["--start", start, "--speed", self.options.speed, "--follow-clock"]
        args += ["--pm-dir", str(twin_dir / "pm"), "--truth", str(twin_dir / "truth.jsonl")]
        args += ["--endpoints", str(twin_dir / "endpoints.json"), "--ves-url", self.url]
        env = {**self._environment(), "OPENIPN_TWIN_VES_TOKEN": self.token}
        return start_child("the twin", args, env, self.paths.logs / "twin.log")


def stop_on_signals(run: Run) -> None:
    """Ctrl-C and SIGTERM ask the run to stop (no KeyboardInterrupt anywhere)."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: run.stop.set())


def banner(url: str, paths: RunPaths) -> str:
    """Where to look, printed once both processes run."""
    return f"""OpenIPN is running; the twin of the served network feeds it.
  API docs        {url}/docs
  alarms          {url}/api/v1/alarms?active=true
  KPIs (site)     {url}/api/v1/kpis?name=RRCSetupSR&object=site&granularity=15m
  Prometheus      {url}/metrics
  logs            {paths.logs}/ (platform.log, twin.log, access.log)
Press Ctrl-C to stop both."""
