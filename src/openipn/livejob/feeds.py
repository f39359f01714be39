"""What the twin is given: where its clock starts, and how the platform scrapes it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from openipn.collect.prom_targets import targets_from_twin
from openipn.model.core import CoreFunction, Upf
from openipn.model.document import SiteDocument
from openipn.sitefile import load_site_file
from openipn.store.telemetry.parquet_store import open_telemetry_store

# What the twin's PM files already carry is not scraped too (it would count twice).
PM_FILE_MEASUREMENTS = ["RM.*", "SM.*", "GTP.*", "AMF.*"]
PERIOD_MINUTES = 15  # the twin's PM granularity: a resumed run starts on this grid
SCRAPE_INTERVAL_S = 15.0


def twin_start(telemetry_dir: Path, catch_up: dt.timedelta) -> str:
    """``catch_up`` back from now, or where an earlier run's stored data ends (never twice)."""
    start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - catch_up
    with open_telemetry_store(telemetry_dir) as store:
        latest = store.latest_end()
    if latest is not None and latest > start:  # resume on the period grid
        start = latest - dt.timedelta(minutes=latest.minute % PERIOD_MINUTES, seconds=latest.second)
    return start.isoformat().replace("+00:00", "Z")


def scraped_functions(document: SiteDocument) -> list[str]:
    """The functions whose /metrics the twin serves (as `openipn twin` picks them)."""
    from openipn.twin.runner import METRICS_NF_TYPES  # the twin's own rule, not a copy

    names = [
        f.name
        for f in document.objects("core_functions")
        if isinstance(f, CoreFunction) and f.type.value in METRICS_NF_TYPES
    ]
    return sorted(names + [u.name for u in document.objects("upfs") if isinstance(u, Upf)])


def write_scrape_config(site_file: Path, proxy_port: int, out: Path) -> None:
    """Prometheus targets for the twin's functions, reached through the metrics proxy."""
    document = load_site_file(site_file)
    rows = []
    for name in scraped_functions(document):
        (target,) = targets_from_twin(
            {"metrics": {name: proxy_port}},
            document,
            interval_s=SCRAPE_INTERVAL_S,
            exclude=PM_FILE_MEASUREMENTS,
        )
        url = f"http://127.0.0.1:{proxy_port}/{name}/metrics"
        rows.append(dataclasses.asdict(dataclasses.replace(target, url=url)))
    out.write_text(json.dumps({"targets": rows}, indent=2), encoding="utf-8")
