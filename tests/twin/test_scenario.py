"""Scenario files and the truth file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from openipn.twin.scenario import ScenarioError, active_faults, load_scenario, parse_duration
from openipn.twin.truth import TruthWriter

START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86400),
        ("PT15M", 900),
        ("PT1H30M", 5400),
        (60, 60),
        ("250ms", 0.25),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("bad", ["", "15", "m15", "P", "1 fortnight"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(bad)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SCENARIO = """\
name: shift-start
site: ../examples/small.yaml
seed: 7
start: 2026-03-02T06:00:00Z
duration: 2h
granularity: 1m
speed: max
load: {profile: two_shift, scale: 1.5}
faults:
  - {id: f1, type: transport_link_down, target: "link:acc-gnb-ws1-01", at: 30m, duration: 10m}
  - {id: f2, type: interference, target: "cell:gnb-ws1-01-c1", at: 35m, params: {db: 12}}
"""


def test_scenario_loads_and_resolves_site(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, SCENARIO))
    assert scenario.seed == 7 and scenario.speed is None and scenario.load.scale == 1.5
    assert scenario.site == (tmp_path / ".." / "examples" / "small.yaml").resolve()
    assert scenario.end == START + dt.timedelta(hours=2)
    assert scenario.granularity == dt.timedelta(minutes=1)
    at = START + dt.timedelta(minutes=36)
    assert [f.id for f in active_faults(scenario, at)] == ["f1", "f2"]
    assert [f.id for f in active_faults(scenario, at + dt.timedelta(minutes=10))] == ["f2"]
    assert scenario.faults[1].target_kind == "cell"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("seed: 7", "seed: seven"),
        ("start: 2026-03-02T06:00:00Z", "start: 2026-03-02T06:00:00"),
        ('target: "link:acc-gnb-ws1-01"', 'target: "acc-gnb-ws1-01"'),
        ("id: f2", "id: f1"),
        ("speed: max", "speed: -2"),
        ("granularity: 1m", "granularity: 1s"),
    ],
)
def test_bad_scenarios_name_the_field(tmp_path: Path, change: str, message: str) -> None:
    with pytest.raises(ScenarioError):
        load_scenario(write(tmp_path, SCENARIO.replace(change, message)))


def test_truth_records_actual_start_and_end(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, SCENARIO))
    truth_path = tmp_path / "truth.jsonl"
    truth = TruthWriter(truth_path)
    now = START
    while now < scenario.end:
        truth.observe(active_faults(scenario, now), now)
        now += dt.timedelta(seconds=10)
    truth.close()
    lines = [json.loads(line) for line in truth_path.read_text().splitlines()]
    assert lines == [
        {
            "kind": "fault",
            "id": "f1",
            "type": "transport_link_down",
            "target": "link:acc-gnb-ws1-01",
            "start": "2026-03-02T06:30:00Z",
            "end": "2026-03-02T06:40:00Z",
            "params": {},
        },
        {
            "kind": "fault",
            "id": "f2",
            "type": "interference",
            "target": "cell:gnb-ws1-01-c1",
            "start": "2026-03-02T06:35:00Z",
            "end": None,
            "params": {"db": 12},
        },
    ]


SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_are_runnable(path: Path, tmp_path: Path) -> None:
    from openipn.sitefile import check_site_text
    from openipn.twin.runner import Twin, TwinOptions

    scenario = load_scenario(path)
    assert scenario.site is not None and scenario.faults
    document, issues = check_site_text(scenario.site.read_text(encoding="utf-8"))
    assert issues == []
    Twin(document, scenario, TwinOptions(pm_dir=tmp_path))  # checks every fault's target


def test_all_fault_types_have_a_shipped_example() -> None:
    from openipn.twin.sim.faults import CATALOGUE

    every = load_scenario(
        Path(__file__).resolve().parents[2] / "scenarios" / "all-faults-small.yaml"
    )
    assert {fault.type for fault in every.faults} == set(CATALOGUE)
