"""Latency and scheduling: delays grow with load, retransmissions and lost synchronisation."""

from __future__ import annotations

import numpy as np
import pytest
from sim_kit import warm_plant

from openipn.twin.sim import latency
from openipn.twin.sim.impairments import Impairments


def test_transport_queueing_and_drops_grow_with_link_load() -> None:
    load = np.array([0.2, 0.9, 0.99, 1.2])
    delay, drop = latency.link_delay(load, np.full(4, 10_000.0))
    assert (np.diff(delay) >= 0).all() and delay[0] < delay[1] < delay[2]
    assert delay[3] == latency.SWITCH_BUFFER_MS
    assert drop[:3].tolist() == [0.0, 0.0, 0.0]
    assert drop[3] == pytest.approx(1 - 1 / 1.2)


def test_upf_delay_grows_with_its_load() -> None:
    delay, drop = latency.upf_delay(np.array([0.1, 0.5, 0.9, 1.5]))
    assert (np.diff(delay) > 0).all() and drop[-1] == pytest.approx(1 / 3)


def test_ptp_holdover_jitter_grows_then_caps() -> None:
    jitter = latency.ptp_jitter_ms(np.array([0.0, 60.0, 600.0, 1e6]))
    assert jitter[0] == 0.0 and 0.0 < jitter[1] < jitter[2] <= latency.PTP_JITTER_CAP_MS
    assert jitter[3] == latency.PTP_JITTER_CAP_MS


def test_terminal_latency_grows_when_its_area_gets_busier() -> None:
    quiet, busy = warm_plant(), warm_plant()
    calm = [quiet.step(Impairments()) for _ in range(6)][-1].terminals
    surge = [busy.step(Impairments(load_factor={"WS2": 4.0})) for _ in range(6)][-1].terminals
    ws2 = busy.world.terminals.area == busy.world.areas.index["WS2"]
    assert np.nanmedian(surge.latency_ms[ws2]) > np.nanmedian(calm.latency_ms[ws2])
