"""Capacity plan of the example plant: healthy, in the busiest hour, no cell and no UPF too busy."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
from sim_kit import START, cell_counters, document, number, warm_plant

from openipn.model.radio import Cell
from openipn.model.site import Site
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.traffic import CURVES, LoadProfile, shift_activity

CELL_LIMIT_PERCENT = 80.0  # issue 10: no cell above 80 % PRB utilisation in the busiest hour
UPF_LIMIT = 0.7  # no UPF above 70 %
STEPS = 30  # five minutes of 10 s steps after the three-minute warm-up


def test_start_is_in_the_busiest_hour() -> None:
    site = document().singleton("site")
    assert isinstance(site, Site)
    local = START.astimezone(ZoneInfo(site.timezone))
    peak = max(a for _, _, a in CURVES[LoadProfile.TWO_SHIFT].windows)
    assert shift_activity(local, LoadProfile.TWO_SHIFT) == peak


def test_no_cell_above_80_percent_and_no_upf_above_70_percent_when_healthy() -> None:
    sim = warm_plant()
    upf_load = []
    for _ in range(STEPS):
        sim.step(Impairments())
        upf_load.append(sim.upf_load.copy())
    report = sim.collect_period(sim.time)
    cells = [c.name for c in document().objects("cells") if isinstance(c, Cell)]
    tot = {
        name: (number(du["RRU.PrbTotDl"]), number(du["RRU.PrbTotUl"]))
        for name in cells
        for du in [cell_counters(sim, report, name, "NRCellDU")]
    }
    busy = {name: pair for name, pair in tot.items() if max(pair) > CELL_LIMIT_PERCENT}
    assert not busy, f"cells above {CELL_LIMIT_PERCENT} % PRB utilisation: {busy}"
    assert max(ul for _, ul in tot.values()) > 5.0  # the plant carries real uplink load
    mean_upf = np.mean(upf_load, axis=0)
    assert np.all(mean_upf <= UPF_LIMIT), dict(zip(sim.world.upfs.names, mean_upf, strict=True))
    assert np.all(mean_upf > 0.0)
