"""End to end: the twin and the platform as two processes; KPIs match a recomputation.

The twin sends FileReady notifications over VES; the platform fetches the announced PM files,
stores them and answers KPI queries. The expected values are recomputed here straight from the
raw XML files with lxml, without any OpenIPN code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree
from prometheus_client.parser import text_string_to_metric_families

from net_kit import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "examples" / "small.yaml"
OPENIPN = str(Path(sys.executable).parent / "openipn")
START, END = "2026-01-05T00:00:00Z", "2026-01-05T01:00:00Z"
TOKEN = "e2e-collector-token"
# KPI -> (numerator counters, denominator counters), as TS 28.554 defines them (×100, %)
RATIOS = {
    "RRCSetupSR": (["RRC.ConnEstabSucc"], ["RRC.ConnEstabAtt"]),
    "HOSR": (["MM.HoExeIntraSucc", "MM.HoExeInterSucc"], ["MM.HoExeIntraReq", "MM.HoExeInterReq"]),
    "PRBUtilDl": (["RRU.PrbUsedDl"], ["RRU.PrbAvailDl"]),
    "RSR": (
        ["RM.RegInitSucc", "RM.RegMobSucc", "RM.RegPeriodSucc"],
        ["RM.RegInitReq", "RM.RegMobReq", "RM.RegPeriodReq"],
    ),
    "PDUSessionEstabSR": (["SM.PduSessionCreationSucc"], ["SM.PduSessionCreationReq"]),
}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def raw_totals(pm_dir: Path) -> dict[str, float]:
    """Sum of every counter over every object and file, read with plain lxml."""
    totals: dict[str, float] = defaultdict(float)
    for path in sorted(pm_dir.glob("*.xml")):
        for info in etree.parse(str(path)).iter("{*}measInfo"):
            names = {t.get("p"): t.text for t in info if _local(t.tag) == "measType"}
            for value in info.iter("{*}measValue"):
                for r in value.iter("{*}r"):
                    text = (r.text or "").strip()
                    if text and text not in ("NIL", "NULL"):
                        totals[names[r.get("p")]] += float(text)
    return totals


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`openipn serve` on a fresh data directory, and the twin's PM directory."""
    root = tmp_path_factory.mktemp("e2e")
    pm_dir = root / "twin-pm"
    pm_dir.mkdir()
    env = {
        **os.environ,
        "OPENIPN_DATA_DIR": str(root / "data"),
        "OPENIPN_VES_TOKEN": TOKEN,
        "OPENIPN_PM_FILE_READY_DIRS": json.dumps([str(pm_dir)]),
    }
    subprocess.run([OPENIPN, "init"], env=env, check=True, capture_output=True)
    subprocess.run([OPENIPN, "apply", str(SITE)], env=env, check=True, capture_output=True)
    port = free_port()
    serve = subprocess.Popen(
        [OPENIPN, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(f"{url}/healthz").status_code == 200, 60, "serve")
        twin = [OPENIPN, "twin", "--site", str(SITE), "--duration", "1h", "--speed", "max"]
        twin += ["--pm-dir", str(pm_dir), "--ves-url", url, "--ves-token", TOKEN]
        subprocess.run(twin, env=env, check=True, capture_output=True, timeout=300)
        yield url, pm_dir
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def _wait(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{what}: not ready within {timeout} s")


def _kpi(url: str, name: str, obj: str = "site") -> dict[str, object]:
    params = {"name": name, "object": obj, "from": START, "to": END, "granularity": "all"}
    response = httpx.get(f"{url}/api/v1/kpis", params=params, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_every_pm_file_the_twin_announced_is_stored(platform: tuple[str, Path]) -> None:
    url, pm_dir = platform
    files = sorted(pm_dir.glob("*.xml"))
    assert len(files) >= 4  # 2 gNBs and the core, 4 periods of 15 min
    expected = raw_totals(pm_dir)["RRC.ConnEstabAtt"]

    def stored() -> bool:
        rows = _kpi(url, "RRCSetupSR")["rows"]
        return rows[0]["inputs"]["sum(RRC.ConnEstabAtt)"] == expected  # type: ignore[index]

    _wait(stored, 90, "PM intake of the twin's files")


@pytest.mark.parametrize("name", sorted(RATIOS))
def test_site_kpis_match_a_recomputation_from_the_raw_files(
    platform: tuple[str, Path], name: str
) -> None:
    url, pm_dir = platform
    test_every_pm_file_the_twin_announced_is_stored(platform)
    totals = raw_totals(pm_dir)
    numerator, denominator = RATIOS[name]
    expected = 100 * sum(totals[c] for c in numerator) / sum(totals[c] for c in denominator)
    rows = _kpi(url, name)["rows"]
    assert rows[0]["value"] == pytest.approx(expected, rel=1e-9)  # type: ignore[index]


def test_everything_the_twin_emitted_names_a_model_object(platform: tuple[str, Path]) -> None:
    """One identity: no PM object, alarm object or scrape target of the twin is unmodelled."""
    url, _ = platform
    test_every_pm_file_the_twin_announced_is_stored(platform)
    objects = httpx.get(f"{url}/api/v1/measurements/objects", params={"page_size": 1000}).json()
    unresolved = [i["object"] for i in objects["items"] if i["ref"] is None]
    assert objects["total"] > 0 and unresolved == []
    assert {i["ref"].split(":")[0] for i in objects["items"]} >= {"cell", "gnb", "upf"}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    alarms = httpx.get(f"{url}/api/v1/alarms", headers=headers).json()["items"]
    assert [a["object"] for a in alarms if a["ref"] is None] == []
    assert httpx.get(f"{url}/api/v1/discovered").json()["items"] == []


def test_a_healthy_twin_reads_full_cell_availability_on_metrics(
    platform: tuple[str, Path],
) -> None:
    """Measured time only: no period without data, nor the unfinished one, counts as down."""
    url, _ = platform
    test_every_pm_file_the_twin_announced_is_stored(platform)
    text = httpx.get(f"{url}/metrics", timeout=30).text
    availability = {
        sample.labels["object"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "openipn_kpi" and sample.labels.get("kpi") == "CellAvailability"
    }
    assert availability.get("site") == pytest.approx(100.0), availability
    assert len(availability) > 1 and all(v == pytest.approx(100.0) for v in availability.values())
