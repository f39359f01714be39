"""The twin's /metrics carry simulated time, and scraping it agrees with its PM files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from prom_scrape_kit import stored

from openipn.codecs.open5gs_metrics import families_for
from openipn.codecs.prom_text import decode, encode
from openipn.codecs.ts32435_read import decode as read_pm
from openipn.collect.prom_scrape import PromScraper
from openipn.collect.prom_targets import targets_from_twin
from openipn.sitefile import check_site_text
from openipn.store.telemetry.parquet_store import open_telemetry_store
from openipn.twin.emit.metrics_server import stamped
from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import Scenario
from promtool_kit import promtool_check

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.yaml"


def test_timestamps_round_trip_and_pass_promtool() -> None:
    families = families_for("SMF", {"fivegs_smffunction_sm_sessionnbr": {("00101", "1"): 3}})
    text = encode(stamped(families, 1_767_600_000_123))
    back = decode(text)
    assert back == decode(encode(back))
    assert {s.timestamp_ms for f in back for s in f.samples} == {1_767_600_000_123}
    assert [[s.value for s in f.samples] for f in back] == [
        [s.value for s in f.samples] for f in families
    ]
    code, remarks = promtool_check(text)
    assert code in (0, 3), remarks  # 3: lint remarks only (Open5GS counters lack `_total`)
    assert all('should have "_total" suffix' in line for line in remarks), remarks


def test_scraping_the_twin_matches_its_pm_files(tmp_path: Path) -> None:
    document, issues = check_site_text(SMALL.read_text(encoding="utf-8"), source=str(SMALL))
    assert not issues
    scenario = Scenario.model_validate({"site": str(SMALL), "duration": "30m", "speed": "max"})
    options = TwinOptions(pm_dir=tmp_path / "pm", netconf=False, provisioning_port=None)
    twin = Twin(document, scenario, options)
    store = open_telemetry_store(tmp_path / "ts", durable=False)
    try:
        targets = targets_from_twin(twin.start(), document)
        scraper = PromScraper(targets, store)
        with httpx.Client() as client:
            for target in targets:
                scraper.scrape(target, client)  # baseline at the scenario's start
            twin.run()
            for target in targets:
                scraper.scrape(target, client)
        assert all(h.up for h in scraper.health())
        scraped = stored(store, "RM.RegInitReq")
    finally:
        twin.close()
        store.close()
    amf = next(t for t in targets if t.nf_type == "AMF")
    start = scenario.start
    period = (amf.dn, "RM.RegInitReq", start, 1800)
    assert period in scraped, scraped  # the period is simulated time, not wall-clock time
    assert scraped[period] == _pm_total(tmp_path / "pm", amf.dn, "RM.RegInitReq") > 0


def _pm_total(pm_dir: Path, dn: str, measurement: str) -> float:
    total = 0.0
    for path in pm_dir.iterdir():
        for info in read_pm(path).meas_infos:
            if measurement not in info.meas_types:
                continue
            column = info.meas_types.index(measurement)
            for value in info.meas_values:
                if value.meas_obj_ldn == dn:
                    total += float(value.results[column] or 0)
    return total


def test_stamped_time_is_simulated_time(tmp_path: Path) -> None:
    document, _ = check_site_text(SMALL.read_text(encoding="utf-8"), source=str(SMALL))
    start = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)
    scenario = Scenario.model_validate({"site": str(SMALL), "start": start, "speed": "max"})
    twin = Twin(
        document, scenario, TwinOptions(pm_dir=tmp_path, netconf=False, provisioning_port=None)
    )
    try:
        ports = twin.start()["metrics"]
        text = httpx.get(f"http://127.0.0.1:{ports['amf-1']}/metrics", timeout=5).text
    finally:
        twin.close()
    stamps = {s.timestamp_ms for f in decode(text) for s in f.samples}
    assert stamps == {int(start.timestamp() * 1000)}  # not the wall clock
