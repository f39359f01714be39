"""Benchmark the whole twin: simulation + PM files + VES events over HTTP; one JSON result.

Usage: .venv/bin/python bench/bench_twin.py scale   # 1,000 gNBs / 3,000 cells / 50,000 UEs, 1 h
       .venv/bin/python bench/bench_twin.py day     # examples/plant.yaml, one simulated day
The scale case runs without NETCONF listeners (one SSH server per element would measure SSH
set-up, not the twin); the day case runs every server. Events go to a VES collector on
127.0.0.1 that counts them; PM files go to a temporary directory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

from openipn.model.document import SiteDocument, parse_document
from openipn.sitefile import parse_site_text
from openipn.twin.emit.http_thread import ServerThread
from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import Scenario

sys.path.insert(0, str(Path(__file__).parent))
from bench_twin_sim import synthetic_site

ROOT = Path(__file__).resolve().parents[1]


def counting_collector() -> tuple[ServerThread, dict[str, int]]:
    """A VES collector that acknowledges and counts events."""
    counts = {"events": 0, "requests": 0}
    app = FastAPI()

    @app.post("/eventListener/v7")
    async def single(request: Request) -> Response:
        await request.body()
        counts["events"] += 1
        counts["requests"] += 1
        return Response(status_code=202)

    @app.post("/eventListener/v7/eventBatch")
    async def batch(request: Request) -> Response:
        counts["events"] += len((await request.json())["eventList"])
        counts["requests"] += 1
        return Response(status_code=202)

    return ServerThread(app).start(), counts


def document_for(case: str) -> SiteDocument:
    """The synthetic 1,000-gNB plant or the example plant."""
    if case == "day":
        return parse_site_text((ROOT / "examples" / "plant.yaml").read_text(encoding="utf-8"))
    document, issues = parse_document(synthetic_site(1000, 50_000, 7))
    if issues:
        raise SystemExit(f"synthetic site invalid: {issues[:3]}")
    return document


def run(case: str) -> dict[str, Any]:
    """Run one case and measure it."""
    started = time.perf_counter()
    document = document_for(case)
    built = time.perf_counter() - started
    hours = 24 if case == "day" else 1
    scenario = Scenario(
        start=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        duration=dt.timedelta(hours=hours),
        granularity=dt.timedelta(minutes=1),
    )
    collector, counts = counting_collector()
    with tempfile.TemporaryDirectory(prefix="openipn-twin-bench-") as tmp:
        options = TwinOptions(
            pm_dir=Path(tmp) / "pm",
            ves_url=collector.url,
            netconf=case == "day",
            provisioning_port=None,
        )
        twin = Twin(document, scenario, options)
        twin.start()
        begin = time.perf_counter()
        summary = twin.run()
        twin.close(timeout=120)
        wall = time.perf_counter() - begin
        pm_bytes = sum(p.stat().st_size for p in (Path(tmp) / "pm").iterdir())
    collector.stop()
    return {
        "case": case,
        "simulated_hours": hours,
        "build_seconds": round(built, 2),
        "run_seconds": round(wall, 2),
        "steps": summary.steps,
        "pm_files": summary.pm_files,
        "pm_mib": round(pm_bytes / 2**20, 1),
        "events_emitted": summary.events,
        "events_received": counts["events"],
        "http_requests": counts["requests"],
        "alarms": summary.alarms,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    """Parse the case and print the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=("scale", "day"))
    print(json.dumps(run(parser.parse_args().case), indent=2))


if __name__ == "__main__":
    main()
