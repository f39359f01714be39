"""The twin as its own process, checked only through what it puts on the wire.

- PM files pass a third-party XML Schema check (xmlschema, TS 32.435 XSD);
- every VES event validates against the ONAP VES 7 schema (CommonEventFormat 30.2.1);
- /metrics parses under `promtool check metrics` (its only remarks: Open5GS's counter names,
  which lack the `_total` suffix);
- a plain ncclient session reads and changes configuration, and the change shows up as a VES
  notification from the element.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import xmlschema
from jsonschema import Draft4Validator
from ncclient import manager
from wire_kit import Collector

from promtool_kit import promtool_check

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / ".." / "shared" / "reference" / "samples"
PLANT = ROOT / "examples" / "plant.yaml"
SMALL = ROOT / "examples" / "small.yaml"
OPENIPN = str(Path(sys.executable).with_name("openipn"))


@pytest.fixture
def collector() -> Iterator[Collector]:
    made = Collector()
    made.server.start()
    try:
        yield made
    finally:
        made.server.stop()


def run_twin(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OPENIPN, "twin", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
def test_two_hours_of_the_plant_on_the_wire(tmp_path: Path, collector: Collector) -> None:
    pm_dir = tmp_path / "pm"
    done = run_twin(
        [
            "--site",
            str(PLANT),
            "--duration",
            "2h",
            "--speed",
            "max",
            "--pm-dir",
            str(pm_dir),
            "--ves-url",
            collector.server.url,
        ]
    )
    assert done.returncode == 0, done.stderr
    files = sorted(pm_dir.glob("A*.xml"))
    assert len(files) >= 8 * 12  # 8 periods of 15 min, at least every gNB
    assert not list(pm_dir.glob(".*")), "temporary files left behind"
    assert collector.raw
    _validate_against_the_reference_schemas(files, collector.raw)
    ready = {
        e["notificationFields"]["arrayOfNamedHashMap"][0]["name"]
        for e in collector.of_domain("notification")
    }
    assert ready == {p.name for p in files}
    assert len(collector.of_domain("heartbeat")) >= 24 * 120  # each element, every minute


@pytest.fixture(params=["open5gs"])
def metric_names(request: pytest.FixtureRequest) -> str:
    """How the live twin names its counters (overridden by parametrizing tests)."""
    return str(request.param)


@pytest.fixture
def live_twin(tmp_path: Path, collector: Collector, metric_names: str) -> Iterator[dict[str, Any]]:
    endpoints = tmp_path / "endpoints.json"
    process = subprocess.Popen(
        [
            OPENIPN,
            "twin",
            "--metric-names",
            metric_names,
            "--site",
            str(SMALL),
            "--duration",
            "1d",
            "--speed",
            "60",
            "--pm-dir",
            str(tmp_path / "pm"),
            "--ves-url",
            collector.server.url,
            "--endpoints",
            str(endpoints),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not endpoints.exists() or not endpoints.read_text():
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "twin did not start"
            time.sleep(0.1)
        time.sleep(0.5)
        yield json.loads(endpoints.read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.slow
def test_metrics_parse_under_promtool(live_twin: dict[str, Any]) -> None:
    time.sleep(1.0)
    for nf, port in live_twin["metrics"].items():
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert "# TYPE" in text, nf
        code, remarks = promtool_check(text)
        assert code in (0, 3), remarks  # 1 would be a parse error
        assert all('should have "_total" suffix' in line for line in remarks), remarks
    amf = httpx.get(f"http://127.0.0.1:{live_twin['metrics']['amf-1']}/metrics").text
    assert "fivegs_amffunction_rm_reginitreq" in amf and "\nran_ue " in amf


@pytest.mark.slow
@pytest.mark.parametrize("metric_names", ["prometheus"], indirect=True)
def test_metrics_with_total_suffix_pass_promtool_cleanly(live_twin: dict[str, Any]) -> None:
    time.sleep(1.0)
    for nf, port in live_twin["metrics"].items():
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert promtool_check(text) == (0, []), nf
    amf = httpx.get(f"http://127.0.0.1:{live_twin['metrics']['amf-1']}/metrics").text
    assert "fivegs_amffunction_rm_reginitreq_total" in amf


@pytest.mark.slow
def test_netconf_read_and_change(live_twin: dict[str, Any], collector: Collector) -> None:
    port = live_twin["netconf"]["me-gnb-ws1-01"]
    with manager.connect(
        host="127.0.0.1",
        port=port,
        username="openipn",
        password="openipn",
        hostkey_verify=False,
        look_for_keys=False,
        allow_agent=False,
        timeout=30,
    ) as session:
        running = session.get_config(source="running").data_xml
        assert "txPower" in running and "NRCellDU" in running
        edit = """
        <config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
          <ManagedElement xmlns="urn:openipn:yang:openipn-nrm"><id>me-gnb-ws1-01</id>
            <GNBDUFunction><id>1</id><NRCellDU><id>1</id>
              <attributes><administrativeState>LOCKED</administrativeState></attributes>
            </NRCellDU></GNBDUFunction>
          </ManagedElement>
        </config>"""
        with session.locked("candidate"):
            session.edit_config(target="candidate", config=edit)
            session.commit()
        assert "LOCKED" in session.get_config(source="running").data_xml
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        changes = [
            e
            for e in collector.of_domain("notification")
            if e["notificationFields"].get("changeType") == "ConfigurationChanged"
        ]
        if changes:
            break
        time.sleep(0.2)
    assert changes, "no VES notification of the configuration change"
    assert "administrativeState" in json.dumps(changes[0])


def test_bad_faults_are_all_reported_before_the_run(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(
        f"site: {SMALL}\nduration: 10m\nfaults:\n"
        '  - {id: f1, type: transport_link_down, target: "link:nope", at: 1m}\n'
        '  - {id: f2, type: gnb_melt, target: "gnb:gnb-ws1-01", at: 1m}\n',
        encoding="utf-8",
    )
    done = run_twin(["--scenario", str(scenario), "--pm-dir", str(tmp_path / "pm")], 60)
    assert done.returncode == 1
    assert "fault 'f1'" in done.stderr and "no link named 'nope'" in done.stderr
    assert "unknown type 'gnb_melt'" in done.stderr
    assert not (tmp_path / "pm").exists()


def _validate_against_the_reference_schemas(files: list[Path], events: list[Any]) -> None:
    """The TS 32.435 XSD and the ONAP VES schema, where the reference samples are at hand."""
    xsd = SAMPLES / "measCollec_plusString.xsd"
    ves = SAMPLES / "CommonEventFormat_30.2.1_ONAP.json"
    if not (xsd.exists() and ves.exists()):
        message = f"reference schemas not at {SAMPLES}: wire formats not schema-checked"
        warnings.warn(message, stacklevel=2)
        return
    schema = xmlschema.XMLSchema(str(xsd))
    for path in files:
        schema.validate(str(path))
    validator = Draft4Validator(json.loads(ves.read_text(encoding="utf-8")))
    for event in events:
        errors = [e.message for e in validator.iter_errors({"event": event})]
        assert errors == [], (event["commonEventHeader"]["eventName"], errors)
