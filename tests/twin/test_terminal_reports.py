"""Terminal reports: the simulation's terminal view as schema-valid VES measurement events."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from wire_kit import Collector

from openipn.codecs.terminal_report import REPORT_TYPE_KEY, TERMINAL_REPORT, TerminalKey
from openipn.codecs.ves import EventSource
from openipn.codecs.ves_parse import parse_event, validate_against_schema
from openipn.sitefile import parse_site_text
from openipn.twin.emit.terminal_reports import Identity, TerminalReporter, reporter_for
from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import Scenario
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.results import TerminalView

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.yaml"
SCHEMA_FILE = (
    ROOT / ".." / "shared" / "reference" / "samples" / "CommonEventFormat_30.2.1_ONAP.json"
)
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # a shift is running in Shanghai


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The ONAP CommonEventFormat 30.2.1 schema."""
    if not SCHEMA_FILE.exists():
        pytest.skip(f"VES schema not available at {SCHEMA_FILE}")
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def counter() -> Any:
    state = {"n": 0}

    def next_sequence() -> int:
        state["n"] += 1
        return state["n"]

    return next_sequence


def small_sim() -> Simulation:
    return Simulation(parse_site_text(SMALL.read_text(encoding="utf-8")), seed=3, start=START)


def test_reports_carry_every_terminal_as_the_view_shows_it(schema: dict[str, Any]) -> None:
    sim = small_sim()
    reporter = reporter_for(sim, 60.0, "terminal-monitor", "OpenIPN twin")
    assert reporter is not None
    sequence, events = counter(), []
    for _ in range(18):  # three minutes: terminals have registered and have sessions
        view = sim.step(Impairments()).terminals
        events.extend(reporter.events(view, sim.now, sequence))
    assert len(events) == 3 and all(validate_against_schema(e, schema) == [] for e in events)
    parsed = parse_event(events[-1])
    assert parsed.last == sim.now and parsed.source_name == "terminal-monitor"
    assert parsed.start == sim.now - dt.timedelta(seconds=60)
    assert parsed.measurement is not None
    assert parsed.measurement.additional[REPORT_TYPE_KEY] == TERMINAL_REPORT
    named = {m.name: m.values for m in parsed.measurement.named}
    assert sorted(named) == sorted(view.names)
    world = sim.world
    for i, name in enumerate(view.names):
        values = named[name]
        assert values[TerminalKey.REGISTERED] == str(bool(view.registered[i])).lower()
        assert values[TerminalKey.ACTIVE] == str(bool(view.active[i])).lower()
        assert values.get(TerminalKey.CELL) == view.cell_of(name)
        assert values[TerminalKey.SNSSAI] == world.slices.snssai[view.slice[i]]
        assert values.get(TerminalKey.SUPI) == world.terminals.supi[i]
        latency = float(view.latency_ms[i])
        if math.isnan(latency):
            assert TerminalKey.LATENCY_MS not in values  # unknown is left out, never 0
        else:
            assert float(values[TerminalKey.LATENCY_MS]) == pytest.approx(latency, abs=5e-4)
        assert float(values[TerminalKey.X_M]) == pytest.approx(view.x[i], abs=5e-3)
    assert any(TerminalKey.LATENCY_MS in v for v in named.values())


def test_not_due_before_the_interval_and_no_catch_up_burst() -> None:
    sim = small_sim()
    reporter = reporter_for(sim, 60.0, "terminal-monitor", "OpenIPN twin")
    assert reporter is not None
    view = sim.step(Impairments()).terminals
    sequence = counter()
    assert reporter.events(view, START + dt.timedelta(seconds=50), sequence) == []
    late = START + dt.timedelta(seconds=250)  # four intervals late: one report, not four
    events = reporter.events(view, late, sequence)
    assert len(events) == 1
    block = events[0]["measurementFields"]
    assert block["measurementInterval"] == 250.0
    assert reporter.next_due == START + dt.timedelta(seconds=300)
    assert reporter.events(view, late + dt.timedelta(seconds=10), sequence) == []


def synthetic_view(n: int) -> TerminalView:
    rng = np.random.default_rng(1)
    latency = rng.uniform(1, 20, n)
    latency[::7] = np.nan
    return TerminalView(
        names=[f"t-{i:04d}" for i in range(n)],
        cell_names=["c1", "c2"],
        cell=rng.integers(-1, 2, n),
        slice=np.zeros(n, np.int64),
        x=rng.uniform(0, 100, n),
        y=rng.uniform(0, 100, n),
        connected=np.ones(n, bool),
        registered=np.ones(n, bool),
        session=np.ones(n, bool),
        active=np.ones(n, bool),
        latency_ms=latency,
        latency_ul_ms=latency,
        latency_dl_ms=latency,
        reliability=rng.uniform(0.99, 1, n),
        throughput_dl_bps=rng.uniform(0, 1e7, n),
        throughput_ul_bps=rng.uniform(0, 1e7, n),
        rsrp_dbm=rng.uniform(-110, -70, n),
        rsrq_db=rng.uniform(-15, -3, n),
        sinr_db=rng.uniform(-5, 30, n),
        nbr_pci=rng.integers(-1, 1008, (n, 3)),
        nbr_rsrp_dbm=rng.uniform(-120, -80, (n, 3)),
    )


def test_a_plant_of_600_terminals_is_split_into_events(schema: dict[str, Any]) -> None:
    view = synthetic_view(600)
    ident = Identity(supis=[None] * 600, snssais=["01000001"])
    source = EventSource(name="terminal-monitor", nf_type="TerminalMonitor")
    reporter = TerminalReporter(ident, source, interval_s=60, start=START, per_event=100)
    events = reporter.events(view, START + dt.timedelta(seconds=60), counter())
    assert len(events) == 6
    names = [m["name"] for e in events for m in e["measurementFields"]["additionalMeasurements"]]
    assert names == view.names
    assert len({e["commonEventHeader"]["eventId"] for e in events}) == 6
    assert all(validate_against_schema(e, schema) == [] for e in events)


def test_the_twin_posts_terminal_reports_every_interval(
    tmp_path: Path, schema: dict[str, Any]
) -> None:
    document = parse_site_text(SMALL.read_text(encoding="utf-8"))
    scenario = Scenario(
        start=START, duration=dt.timedelta(minutes=3), granularity=dt.timedelta(minutes=15)
    )
    collector = Collector()
    collector.server.start()
    try:
        options = TwinOptions(
            pm_dir=tmp_path,
            ves_url=collector.server.url,
            netconf=False,
            metrics=False,
            provisioning_port=None,
            terminal_report_s=60.0,
        )
        twin = Twin(document, scenario, options)
        try:
            twin.run()
        finally:
            twin.close()
    finally:
        collector.server.stop()
    reports = collector.of_domain("measurement")
    times = [parse_event(e).last for e in reports]
    assert times == [START + dt.timedelta(minutes=m) for m in (1, 2, 3)]
    assert all(validate_against_schema(e, schema) == [] for e in reports)
    counts = [len(e["measurementFields"]["additionalMeasurements"]) for e in reports]
    assert counts == [len(document.objects("terminals"))] * 3
