"""Radio physics against the formulas of TR 38.901, TS 38.101-1 and TS 38.214."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openipn.twin.sim import radio
from openipn.twin.sim.radio import (
    MCS_SE,
    link_adaptation,
    los_probability,
    path_loss_los,
    path_loss_nlos,
    sub_scenario,
)
from openipn.twin.sim.tables import n_prb

SL, DL, SH, DH = range(4)


def pl(d: float, fc: float, scenario: int | None = None) -> float:
    distance, freq = np.array([d]), np.array([fc])
    if scenario is None:
        return float(path_loss_los(distance, freq)[0])
    return float(path_loss_nlos(distance, freq, np.array([scenario]))[0])


@pytest.mark.parametrize(("d", "fc"), [(1.0, 3.5), (10.0, 6.0), (120.0, 4.9), (600.0, 28.0)])
def test_los_path_loss_is_the_inf_los_formula(d: float, fc: float) -> None:
    # TR 38.901 Table 7.4.1-1: PL_LOS = 31.84 + 21.50 log10(d3D) + 19.00 log10(fc)
    assert pl(d, fc) == pytest.approx(31.84 + 21.50 * math.log10(d) + 19.00 * math.log10(fc))


def test_inf_dh_nlos_at_50_m_and_6_ghz() -> None:
    expected = 33.63 + 21.9 * math.log10(50.0) + 20.0 * math.log10(6.0)  # 84.41 dB
    assert pl(50.0, 6.0, DH) == pytest.approx(expected)
    assert expected > pl(50.0, 6.0)  # NLOS is above LOS here, so the max() picks it


def test_inf_sh_and_sl_nlos_formulas() -> None:
    assert pl(80.0, 3.5, SH) == pytest.approx(32.4 + 23.0 * math.log10(80.0) + 20 * math.log10(3.5))
    assert pl(80.0, 3.5, SL) == pytest.approx(33.0 + 25.5 * math.log10(80.0) + 20 * math.log10(3.5))


def test_inf_dl_nlos_is_the_max_of_los_sl_and_dl() -> None:
    far = 18.6 + 35.7 * math.log10(200.0) + 20.0 * math.log10(6.0)
    assert pl(200.0, 6.0, DL) == pytest.approx(far)  # the DL law dominates far away
    near = 33.0 + 25.5 * math.log10(3.0) + 20.0 * math.log10(6.0)
    assert pl(3.0, 6.0, DL) == pytest.approx(near)  # and the SL law near the BS


def test_nlos_never_below_los() -> None:
    d = np.geomspace(1.0, 600.0, 200)
    fc = np.full_like(d, 5.9)
    for scenario in range(4):
        nlos = path_loss_nlos(d, fc, np.full(d.shape, scenario))
        assert (nlos >= path_loss_los(d, fc) - 1e-9).all()


def test_los_probability_limits_and_monotony() -> None:
    d = np.linspace(0.0, 10_000.0, 1001)
    ones = np.ones_like(d)
    for scenario in range(4):
        p = los_probability(d, np.full(d.shape, scenario), 8.0 * ones, 1.5 * ones)
        assert p[0] == pytest.approx(1.0)
        assert (np.diff(p) <= 0).all()
        assert p[-1] < 1e-6


def test_los_probability_of_inf_dl_is_exp_of_k_subsce() -> None:
    # Table 7.4.2-1 with dense clutter r = 0.6, d_clutter = 2 m: k = -2 / ln(0.4)
    k = -2.0 / math.log(1.0 - 0.6)
    p = los_probability(np.array([10.0]), np.array([DL]), np.array([1.5]), np.array([1.0]))
    assert p[0] == pytest.approx(math.exp(-10.0 / k))


def test_a_high_bs_sees_further_than_a_low_one() -> None:
    d, h_ut = np.array([20.0]), np.array([1.5])
    low = los_probability(d, np.array([DH]), np.array([6.0]), h_ut)
    high = los_probability(d, np.array([DH]), np.array([12.0]), h_ut)
    assert high > low


def test_sub_scenario_from_clutter_and_bs_height() -> None:
    dense = np.array([True, True, False, False])
    h_bs = np.array([10.0, 3.0, 10.0, 1.0])
    assert sub_scenario(dense, h_bs).tolist() == [DH, DL, SH, SL]


@pytest.mark.parametrize(
    ("bandwidth", "scs", "prbs"),
    [(100, 30, 273), (90, 30, 245), (40, 30, 106), (20, 15, 106), (100, 120, 66), (400, 120, 264)],
)
def test_prb_counts_follow_ts_38_101(bandwidth: int, scs: int, prbs: int) -> None:
    assert n_prb(bandwidth, scs) == prbs


def test_spectral_efficiency_is_capped_by_the_256qam_table() -> None:
    se, bler = link_adaptation(np.array([60.0, 25.0, -30.0]))
    assert se[0] == pytest.approx(7.4063) == MCS_SE[-1]
    assert MCS_SE[0] <= se[1] < se[0]
    assert se[2] == MCS_SE[0] and bler[2] > 0.99  # below MCS 0 the link fails


def test_bler_sits_at_the_link_adaptation_target_on_each_mcs_threshold() -> None:
    _, bler = link_adaptation(radio.MCS_TABLES[0].sinr_db[:5].copy())
    assert bler == pytest.approx(np.full(5, radio.BLER_TARGET))


def test_delay_critical_flows_trade_efficiency_for_a_1e5_bler() -> None:
    sinr = np.linspace(-20.0, 35.0, 250)
    critical = np.ones(len(sinr), bool)
    se, bler = link_adaptation(sinr)
    se_c, bler_c = link_adaptation(sinr, critical)
    low = radio.MCS_TABLES[1]
    covered = sinr >= low.sinr_db[0] + low.backoff_db  # the low-SE table's MCS 0 is met
    assert covered.sum() > 100 and (bler_c[covered] <= 1.0001e-5).all()
    assert (bler[covered] > bler_c[covered]).all() and np.median(bler[covered]) > 0.01
    assert (se_c <= se + 1e-9).all() and (se_c[covered] < se[covered]).mean() > 0.9
    assert np.all(np.diff(bler_c[~covered]) <= 0) and bler_c[0] > 0.5  # beyond: it fails
    mixed = link_adaptation(sinr, sinr > 10.0)  # per terminal: only the flagged ones change
    assert np.array_equal(mixed[1][sinr <= 10.0], bler[sinr <= 10.0])


def test_sinr_drops_with_interference() -> None:
    from sim_kit import document

    from openipn.twin.sim.world import build_world

    world = build_world(document("small"), np.random.default_rng(1))
    tiles = radio.build_tiles(world)
    rx = radio.receive(world, tiles, world.terminals.pos, tiles.of(world.terminals.pos))
    n = len(world.cells)
    on = np.ones(n, bool)
    extra = np.zeros(rx.cand.shape)
    idle = radio.dl_sinr_db(world, rx, on, np.full(n, 0.05), np.zeros(n), extra)
    loaded = radio.dl_sinr_db(world, rx, on, np.ones(n), np.zeros(n), extra)
    jammed = radio.dl_sinr_db(world, rx, on, np.full(n, 0.05), np.full(n, 20.0), extra)
    best = np.argmax(idle, axis=1)[:, None]

    def pick(sinr: np.ndarray) -> np.ndarray:
        return np.take_along_axis(sinr, best, axis=1)

    assert (pick(loaded) <= pick(idle) + 1e-9).all() and (pick(loaded) < pick(idle)).any()
    assert (pick(jammed) < pick(idle)).all()
    assert np.median(pick(idle) - pick(jammed)) > 3.0


def test_rate_per_prb_scales_with_numerology_and_se() -> None:
    from sim_kit import document

    from openipn.twin.sim.world import build_world

    world = build_world(document("small"), np.random.default_rng(1))
    cell = np.array([0, 0])
    rates = radio.rate_per_prb(world, cell, np.array([1.0, 2.0]), "dl")
    assert rates[1] == pytest.approx(2 * rates[0])
    # 12 subcarriers x 14 symbols x 2000 slots/s at 30 kHz, DL share x layers x (1 - overhead)
    share = radio.TDD_SHARE["dl"] * radio.LAYERS["dl"] * (1 - radio.OVERHEAD["dl"])
    assert rates[0] == pytest.approx(12 * 14 * 2000 * share)
