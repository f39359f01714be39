"""Faults that could not act are refused before the run, naming the fault; an aborted run
still closes its truth file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from small_sites import edge_site

from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import Scenario, ScenarioError, load_scenario

START = "2026-03-02T09:00:00Z"


def scenario(*faults: dict[str, Any], duration: str = "1h") -> Scenario:
    """A scenario of the edge site with the given faults."""
    return Scenario.model_validate(
        {"start": START, "duration": duration, "granularity": "1m", "faults": list(faults)}
    )


def fault(kind: str, target: str, **params: Any) -> dict[str, Any]:
    """A fault entry starting ten minutes in."""
    return {"id": "bad-1", "type": kind, "target": target, "at": "10m", "params": params}


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (fault("rogue_gnb", "area:YARD"), "covers no cell"),
        (fault("interference", "area:YARD"), "covers no cell"),
        (fault("registration_storm", "area:YARD"), "covers no cell"),
        (fault("pci_conflict", "cell:c1", pci="abc"), "'pci': 'abc' is not a number"),
        (fault("pci_conflict", "cell:c1", pci=5000), "'pci': 5000 is not an NR PCI"),
        (fault("pci_conflict", "cell:c1", pci=-1), "'pci': -1 is not an NR PCI"),
        (fault("pci_conflict", "cell:c1", pci=12.5), "not an NR PCI"),
        (fault("rogue_gnb", "cell:c1", pci=1008), "'pci': 1008 is not an NR PCI"),
        (fault("sim_clone", "terminal:agv-1", cell="nope"), "'cell': no cell named 'nope'"),
        (fault("interference", "cell:c1", db=12), r"unknown parameter\(s\) \['db'\]"),
        (fault("pci_conflict", "cell:c1", x=3), r"unknown parameter\(s\) \['x'\]"),
        (fault("gnb_down", "gnb:gnb1", cell="c1"), r"unknown parameter\(s\) \['cell'\]"),
        (fault("interference", "cell:c1", level_db=float("nan")), "not a finite number"),
        (fault("transport_congestion", "link:l-gnb1", load=0), "'load': 0 is outside"),
        (fault("imei_mismatch", "terminal:agv-1", imei="12ab"), "not an IMEI"),
        (fault("cell_outage", "cell:c1") | {"at": "2h"}, "after the run ends"),
        (fault("cell_outage", "cell:c1") | {"at": "1h"}, "after the run ends"),
    ],
)
def test_a_fault_that_cannot_act_is_refused_before_the_run(
    entry: dict[str, Any], reason: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=f"fault 'bad-1' .*{reason}"):
        Twin(edge_site(), scenario(entry), TwinOptions(pm_dir=tmp_path, netconf=False))
    assert not list(tmp_path.iterdir())  # nothing ran, nothing was written


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    entries = [fault("rogue_gnb", "area:YARD"), fault("pci_conflict", "cell:c1", pci=5000)]
    entries[1]["id"] = "bad-2"
    with pytest.raises(ValueError, match=r"'bad-1'.*; fault 'bad-2'"):
        Twin(edge_site(), scenario(*entries), TwinOptions(pm_dir=tmp_path, netconf=False))


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        ("at: -5, duration: 5m", "cannot start before the run"),
        ("at: 5m, duration: 0s", "duration must be positive"),
    ],
)
def test_fault_times_are_checked_when_the_scenario_loads(
    timing: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.yaml"
    entry = f"{{id: f1, type: cell_outage, target: 'cell:c1', {timing}}}"
    path.write_text(f"faults:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"faults.0.*{message}"):
        load_scenario(path)


def test_valid_parameters_of_every_kind_pass(tmp_path: Path) -> None:
    entries = [
        fault("pci_conflict", "cell:c1", pci=1007) | {"id": "ok-1"},
        fault("rogue_gnb", "area:WS1", pci="0", arfcn=650000, x=10, y=10) | {"id": "ok-2"},
        fault("sim_clone", "terminal:agv-1", cell="c2") | {"id": "ok-3"},
        fault("imei_mismatch", "terminal:agv-1", imei="864512038808688") | {"id": "ok-4"},
        fault("interference", "area:WS1", level_db="15") | {"id": "ok-5"},
    ]
    Twin(edge_site(), scenario(*entries), TwinOptions(pm_dir=tmp_path, netconf=False))


def test_an_aborted_run_still_ends_its_faults_in_the_truth_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")  # the PM directory cannot be made: the run aborts
    truth = tmp_path / "truth.jsonl"
    options = TwinOptions(
        pm_dir=blocker / "pm", truth=truth, netconf=False, metrics=False, provisioning_port=None
    )
    entry = fault("cell_outage", "cell:c1") | {"at": 0}
    twin = Twin(edge_site(), scenario(entry), options)
    with pytest.raises(OSError):
        twin.run()
    [record] = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    assert record["id"] == "bad-1" and record["start"] == "2026-03-02T09:00:00Z"
    assert record["end"] == "2026-03-02T09:01:00Z"  # the moment the run stopped


def test_a_completed_run_leaves_open_faults_open(tmp_path: Path) -> None:
    truth = tmp_path / "truth.jsonl"
    options = TwinOptions(
        pm_dir=tmp_path / "pm", truth=truth, netconf=False, metrics=False, provisioning_port=None
    )
    entry = fault("cell_outage", "cell:c1") | {"at": "1m"}
    Twin(edge_site(), scenario(entry, duration="2m"), options).run()
    [record] = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    assert record["start"] == "2026-03-02T09:01:00Z" and record["end"] is None
    assert dt.datetime.fromisoformat(record["start"]) < dt.datetime(2026, 3, 2, 9, 2, tzinfo=dt.UTC)
