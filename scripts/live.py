"""`make run`: the platform and the twin of the example plant, as two processes.

The twin starts two hours in the past at 60x and catches up with the wall clock, then runs in
real time; it sends VES events (alarms, heartbeats, FileReady, terminal reports) to the
platform's collector, writes PM files the platform fetches, and serves Open5GS-style /metrics
the platform scrapes. Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from openipn.collect.prom_targets import targets_from_twin
from openipn.sitefile import check_site_text
from openipn.store.telemetry.parquet_store import open_telemetry_store

# What the twin's PM files already carry is not scraped too (it would count twice).
PM_FILE_MEASUREMENTS = ["RM.*", "SM.*", "GTP.*", "AMF.*"]
CATCH_UP = dt.timedelta(hours=2)


def _wait_for(path: Path, process: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            sys.exit(f"{what} stopped (exit {process.returncode}); see the messages above")
        if time.monotonic() > deadline:
            sys.exit(f"{what} did not start within {timeout:.0f} s")
        time.sleep(0.2)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"openipn serve stopped (exit {process.returncode}); see the messages above")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit(f"openipn serve did not answer {url}/healthz within {timeout:.0f} s")


def _scrape_config(endpoints: Path, site: Path, out: Path) -> None:
    document, issues = check_site_text(site.read_text(encoding="utf-8"), source=str(site))
    if issues:
        sys.exit(f"{site}: not a valid site file")
    targets = targets_from_twin(endpoints, document, interval_s=15, exclude=PM_FILE_MEASUREMENTS)
    rows = [dataclasses.asdict(target) for target in targets]  # every field load_targets reads
    out.write_text(json.dumps({"targets": rows}, indent=2), encoding="utf-8")


def _start(data_dir: Path) -> str:
    """Two hours back, or from where an earlier run's stored data ends (never stored twice)."""
    start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - CATCH_UP
    with open_telemetry_store(data_dir / "telemetry") as store:
        latest = store.latest_end()
    if latest is not None and latest > start:  # resume on the period grid (15 min)
        start = latest - dt.timedelta(minutes=latest.minute % 15, seconds=latest.second)
    return start.isoformat().replace("+00:00", "Z")


def _banner(url: str) -> str:
    return f"""
OpenIPN is running with the twin of the example plant feeding it.
  API docs           {url}/docs
  KPIs (site)        {url}/api/v1/kpis?name=RRCSetupSR&object=site&granularity=15m
  KPI catalogue      {url}/api/v1/kpis/catalog
  terminal status    {url}/api/v1/terminal-status?page_size=20
  one terminal       {url}/api/v1/terminals/<terminal name>/status
  alarms             {url}/api/v1/alarms?active=true
  slice/app SLAs     {url}/api/v1/sla
  latency map        {url}/api/v1/latency-map?application=<application name>
  Prometheus text    {url}/metrics
The twin replays the last two hours at 60x (about two minutes; a re-run resumes where the
stored data ends, so nothing is counted twice), then runs in real time.
Press Ctrl-C to stop both processes.
"""


def main() -> None:
    """Start the twin, then the platform; stop both on Ctrl-C or when one of them ends."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, default=Path("examples/plant.yaml"))
    parser.add_argument("--scenario", type=Path, default=Path("scenarios/live-plant.yaml"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("OPENIPN_DATA_DIR", "data"))
    )
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    twin_dir = (args.data_dir / "twin").resolve()
    (twin_dir / "pm").mkdir(parents=True, exist_ok=True)
    endpoints = twin_dir / "endpoints.json"
    endpoints.unlink(missing_ok=True)
    url = f"http://{args.host}:{args.port}"
    env = {**os.environ, "OPENIPN_DATA_DIR": str(args.data_dir)}
    env.setdefault("OPENIPN_VES_TOKEN", secrets.token_urlsafe(24))  # this run's collector token
    twin = subprocess.Popen(
        [str(bin_dir / "openipn"), "twin", "--site", str(args.site), "--scenario",
         str(args.scenario), "--start", _start(args.data_dir), "--speed", "60", "--follow-clock",
         "--pm-dir", str(twin_dir / "pm"), "--truth", str(twin_dir / "truth.jsonl"),
         "--endpoints", str(endpoints), "--ves-url", url],
        env={**env, "OPENIPN_TWIN_VES_TOKEN": env["OPENIPN_VES_TOKEN"]},
    )  # fmt: skip
    processes = [twin]
    try:
        _wait_for(endpoints, twin, "the twin", 120)
        _scrape_config(endpoints, args.site, twin_dir / "scrape.json")
        platform_env = {
            **env,
            "OPENIPN_SCRAPE_CONFIG": str(twin_dir / "scrape.json"),
            "OPENIPN_PM_FILE_READY_DIRS": json.dumps([str(twin_dir / "pm")]),
            "OPENIPN_TELEMETRY_UPKEEP_S": "120",
        }
        serve = subprocess.Popen(
            [str(bin_dir / "openipn"), "serve", "--host", args.host, "--port", str(args.port)],
            env=platform_env,
        )
        processes.append(serve)
        _wait_healthy(url, serve, 120)
        print(_banner(url), flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
