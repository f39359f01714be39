"""The scenario's load profile drives the traffic the twin offers; unknown profiles are refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from small_sites import edge_site

from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import Scenario, ScenarioError, load_scenario
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.traffic import CURVES, LoadProfile, shift_activity


def uplink_mbps(profile: str, start: str, tmp_path: Path) -> float:
    """Mean carried uplink of the edge site over five minutes from `start` (UTC = local)."""
    scenario = Scenario.model_validate(
        {"start": start, "duration": "10m", "load": {"profile": profile}, "seed": 5}
    )
    twin = Twin(edge_site(), scenario, TwinOptions(pm_dir=tmp_path, netconf=False))
    results = [twin.sim.step(Impairments()) for _ in range(30)]
    return float(np.mean([r.terminals.throughput_ul_bps.sum() for r in results[6:]])) / 1e6


def test_a_flat_profile_keeps_the_night_as_busy_as_the_day(tmp_path: Path) -> None:
    night_flat = uplink_mbps("flat", "2026-03-02T02:00:00Z", tmp_path)
    night_two_shift = uplink_mbps("two_shift", "2026-03-02T02:00:00Z", tmp_path)
    day_two_shift = uplink_mbps("two_shift", "2026-03-02T09:00:00Z", tmp_path)
    assert night_two_shift < 0.4 * night_flat  # the two-shift night is quiet ...
    assert night_flat == pytest.approx(day_two_shift, rel=0.25)  # ... a flat one is not


def test_a_day_shift_site_is_quiet_in_the_evening(tmp_path: Path) -> None:
    evening_day = uplink_mbps("day_shift", "2026-03-02T19:00:00Z", tmp_path)
    evening_two = uplink_mbps("two_shift", "2026-03-02T19:00:00Z", tmp_path)
    assert evening_day < 0.4 * evening_two


@pytest.mark.parametrize("profile", list(LoadProfile))
def test_every_profile_has_a_curve_within_0_and_1(profile: LoadProfile) -> None:
    day = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    values = [shift_activity(day + dt.timedelta(minutes=m), profile) for m in range(0, 1440, 5)]
    assert profile in CURVES and all(0.0 < v <= 1.0 for v in values)


def test_an_unknown_profile_is_refused_when_the_scenario_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("load: {profile: weekend, scale: 1}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"load\.profile: .*'two_shift'.*'flat'"):
        load_scenario(path)
