"""Radio physics: TR 38.901 Indoor Factory path loss, antenna pattern, SINR, MCS and PRBs.

All functions work on arrays of (terminal, candidate cell) pairs; only the K strongest cells
of each 10 m tile are candidates, so 50,000 terminals x 3,000 cells stays 50,000 x K.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import (
    BoolArray,
    FloatArray,
    IntArray,
    hash_normal,
    hash_uniform,
    points_in_polygon,
    wrap_degrees,
)
from openipn.twin.sim.world import World


@dataclass(frozen=True)
class InfSubScenario:
    """One InF sub-scenario: TR 38.901 Table 7.2-4 clutter and Table 7.4.1-1 NLOS path loss."""

    name: str
    clutter_density: float  # r
    clutter_size_m: float  # d_clutter
    clutter_height_m: float  # h_c
    high_bs: bool
    nlos: tuple[float, float, float]  # PL = a + b log10(d3D) + c log10(fc)
    sigma_nlos_db: float


# TR 38.901 Table 7.4.1-1 (InF) with the typical clutter values of Table 7.2-4: sparse
# r = 0.2, d_clutter = 10 m, h_c = 2 m; dense r = 0.6, d_clutter = 2 m, h_c = 6 m.
# Index = 2 * high_bs + dense.
INF: tuple[InfSubScenario, ...] = (
    InfSubScenario("InF-SL", 0.2, 10.0, 2.0, False, (33.0, 25.5, 20.0), 5.7),
    InfSubScenario("InF-DL", 0.6, 2.0, 6.0, False, (18.6, 35.7, 20.0), 7.2),
    InfSubScenario("InF-SH", 0.2, 10.0, 2.0, True, (32.4, 23.0, 20.0), 5.9),
    InfSubScenario("InF-DH", 0.6, 2.0, 6.0, True, (33.63, 21.9, 20.0), 4.0),
)
INF_LOS = (31.84, 21.50, 19.00)  # TR 38.901 Table 7.4.1-1, InF LOS, 1 <= d3D <= 600 m
SIGMA_LOS_DB = 4.3
DEFAULT_DENSE = True  # outside every area: dense clutter, i.e. InF-DH for a ceiling gNB

# TR 38.901 Table 7.3-1: antenna element radiation pattern.
THETA_3DB = 65.0
PHI_3DB = 65.0
SLA_V_DB = 30.0
A_MAX_DB = 30.0

THERMAL_DBM_PER_HZ = -174.0
NOISE_FIGURE_UE_DB = 9.0  # TR 38.802 Table A.2.1-x / TR 38.901 evaluation assumptions
NOISE_FIGURE_GNB_DB = 5.0
UE_MAX_POWER_DBM = 23.0  # power class 3, TS 38.101-1 §6.2.1
UL_P0_DBM_PER_PRB = -85.0  # TS 38.213 §7.1.1 open-loop power control: P0 + alpha * PL
UL_ALPHA = 0.8

# Attenuated and truncated Shannon bound, TR 36.942 Annex A.2: SE = alpha * log2(1 + SINR),
# capped by the MCS table. TR 36.942 uses alpha = 0.6 for LTE; NR's LDPC codes and finer MCS
# steps do better, so the twin assumes 0.75 (an assumption, not a 3GPP value).
SHANNON_ALPHA = 0.75
# TS 38.214 Table 5.1.3.1-2 (256QAM MCS table): spectral efficiency of MCS 0..27 (bit/s/Hz).
MCS_SE: tuple[float, ...] = (
    0.2344, 0.3770, 0.6016, 0.8770, 1.1758, 1.4766, 1.6953, 1.9141, 2.1602, 2.4063,
    2.5703, 2.7305, 3.0293, 3.3223, 3.6094, 3.9023, 4.2129, 4.5234, 4.8164, 5.1152,
    5.3320, 5.5547, 5.8906, 6.2266, 6.5703, 6.9141, 7.1602, 7.4063,
)  # fmt: skip
BLER_TARGET = 0.1  # link adaptation aims at 10 % first-transmission BLER (TS 38.214 §5.2.2.1)
BLER_SLOPE_PER_DB = 1.2
# Delay-critical flows use the low-SE MCS table (TS 38.214 Table 5.1.3.1-3, mcs-Table
# qam64LowSE) and CQI table 3, whose CQI is defined for a 10^-5 transport block error
# probability (TS 38.214 §5.2.2.1): link adaptation backs off until the first transmission
# meets 10^-5. Spectral efficiency of MCS 0..28, recalled, not verified against the spec text.
MCS_SE_LOW: tuple[float, ...] = (
    0.0586, 0.0781, 0.0977, 0.1250, 0.1523, 0.1934, 0.2344, 0.3066, 0.3770, 0.4902,
    0.6016, 0.7402, 0.8770, 1.0273, 1.1758, 1.3281, 1.4766, 1.6953, 1.9141, 2.1602,
    2.4063, 2.5664, 2.7305, 3.0293, 3.3223, 3.6094, 3.9023, 4.2129, 4.5234,
)  # fmt: skip
BLER_TARGET_CRITICAL = 1e-5


@dataclass(frozen=True)
class McsTable:
    """An MCS table as link adaptation uses it: efficiencies, their SINR needs, a BLER aim."""

    se: FloatArray
    sinr_db: FloatArray  # SINR at which each MCS has the 10 % BLER of the logistic curve
    backoff_db: float  # extra SINR each MCS needs for the table's BLER target

    @classmethod
    def of(cls, se: tuple[float, ...], target: float) -> McsTable:
        """The table of these efficiencies aimed at a first-transmission BLER `target`."""
        values = np.array(se)
        odds = (1.0 - target) / target / ((1.0 - BLER_TARGET) / BLER_TARGET)
        sinr = 10.0 * np.log10(2.0 ** (values / SHANNON_ALPHA) - 1.0)
        return cls(values, sinr, float(np.log(odds) / BLER_SLOPE_PER_DB))


MCS_TABLES = (McsTable.of(MCS_SE, BLER_TARGET), McsTable.of(MCS_SE_LOW, BLER_TARGET_CRITICAL))

# Peak-rate ingredients, TS 38.306 §4.1.2: 12 subcarriers x 14 symbols per slot, overhead.
OVERHEAD = {"dl": 0.14, "ul": 0.08}  # FR1
LAYERS = {"dl": 2, "ul": 2}  # 2x2 MIMO both ways (industrial CPE-class modules)
TDD_SHARE = {"dl": 0.35, "ul": 0.6}  # an uplink-heavy industrial frame (DSUUU-like)

TILE_M = 10.0  # shadow-fading decorrelation distance for InF (TR 38.901 Table 7.5-6)
CANDIDATES = 8


def path_loss_los(d3d: FloatArray, fc_ghz: FloatArray) -> FloatArray:
    """InF LOS path loss in dB (TR 38.901 Table 7.4.1-1)."""
    a, b, c = INF_LOS
    return a + b * np.log10(d3d) + c * np.log10(fc_ghz)


def path_loss_nlos(d3d: FloatArray, fc_ghz: FloatArray, scenario: IntArray) -> FloatArray:
    """InF NLOS path loss in dB: max(PL_LOS, PL_sub-scenario), and PL_InF-SL too for InF-DL."""
    coef = np.array([s.nlos for s in INF])[scenario]
    own = coef[..., 0] + coef[..., 1] * np.log10(d3d) + coef[..., 2] * np.log10(fc_ghz)
    sparse_low = INF[0].nlos
    sl = sparse_low[0] + sparse_low[1] * np.log10(d3d) + sparse_low[2] * np.log10(fc_ghz)
    own = np.where(scenario == 1, np.maximum(own, sl), own)
    return np.asarray(np.maximum(path_loss_los(d3d, fc_ghz), own), dtype=np.float64)


def los_probability(
    d2d: FloatArray, scenario: IntArray, h_bs: FloatArray, h_ut: FloatArray
) -> FloatArray:
    """P_LOS = exp(-d2D / k_subsce), TR 38.901 Table 7.4.2-1 (InF)."""
    r = np.array([s.clutter_density for s in INF])[scenario]
    d_clutter = np.array([s.clutter_size_m for s in INF])[scenario]
    h_c = np.array([s.clutter_height_m for s in INF])[scenario]
    k = -d_clutter / np.log(1.0 - r)
    high = scenario >= 2
    ratio = (h_bs - h_ut) / np.maximum(h_c - h_ut, 0.1)
    k = np.where(high, k * np.maximum(ratio, 1.0), k)
    return np.exp(-d2d / k)


def sub_scenario(dense: BoolArray, h_bs: FloatArray) -> IntArray:
    """InF sub-scenario index: clutter density from the area, BS above or below the clutter."""
    h_c = np.where(dense, INF[1].clutter_height_m, INF[0].clutter_height_m)
    return (2 * (h_bs > h_c) + dense).astype(np.int64)


def antenna_gain_db(
    dx: FloatArray, dy: FloatArray, dz: FloatArray, world: World, cell: IntArray
) -> FloatArray:
    """Gain towards a terminal at offset (dx, dy, dz) from the cell, TR 38.901 Table 7.3-1.

    Cells of a multi-cell gNB are sectors (azimuth pattern); a lone cell is omnidirectional.
    The zenith angle is 90 degrees at the horizon; a downtilt moves the boresight below it.
    """
    cells = world.cells
    horizontal = np.hypot(dx, dy)
    theta = 90.0 + np.degrees(np.arctan2(-dz, np.maximum(horizontal, 1e-6)))
    a_v = -np.minimum(12.0 * ((theta - 90.0 - cells.tilt[cell]) / THETA_3DB) ** 2, SLA_V_DB)
    bearing = np.degrees(np.arctan2(dx, dy))  # 0 = north (+y), clockwise, like azimuth_deg
    phi = wrap_degrees(bearing - cells.azimuth[cell])
    a_h = np.where(cells.sector[cell], -np.minimum(12.0 * (phi / PHI_3DB) ** 2, A_MAX_DB), 0.0)
    gain = cells.gain_dbi[cell] - np.minimum(-(a_v + a_h), A_MAX_DB)
    return np.asarray(gain, dtype=np.float64)


@dataclass
class Tiles:
    """A 10 m grid over the site: each tile's area and its K strongest candidate cells."""

    x0: float
    y0: float
    nx: int
    ny: int
    area: IntArray  # per tile, -1 outside every area
    cand: IntArray  # (tiles, K)

    def of(self, pos: FloatArray) -> IntArray:
        """Tile index of each position."""
        ix = np.clip(((pos[:, 0] - self.x0) // TILE_M).astype(np.int64), 0, self.nx - 1)
        iy = np.clip(((pos[:, 1] - self.y0) // TILE_M).astype(np.int64), 0, self.ny - 1)
        return ix * self.ny + iy


def build_tiles(world: World, k: int = CANDIDATES, chunk: int = 256) -> Tiles:
    """Grid the site and rank cells per tile by median received power (LOS law, antenna)."""
    points = [world.cells.pos[:, :2], world.terminals.pos[:, :2], *world.areas.polygons]
    stacked = np.concatenate([p for p in points if len(p)] or [np.zeros((1, 2))])
    low, high = stacked.min(axis=0) - 2 * TILE_M, stacked.max(axis=0) + 2 * TILE_M
    nx, ny = (np.ceil((high - low) / TILE_M).astype(int) + 1).tolist()
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    centres = np.stack(
        [low[0] + (ix.ravel() + 0.5) * TILE_M, low[1] + (iy.ravel() + 0.5) * TILE_M], axis=1
    )
    area = np.full(len(centres), -1, dtype=np.int64)
    for a in range(len(world.areas) - 1, -1, -1):
        inside = points_in_polygon(centres[:, 0], centres[:, 1], world.areas.polygons[a])
        area[inside] = a
    k = max(1, min(k, len(world.cells)))
    cand = np.zeros((len(centres), k), dtype=np.int64)
    all_cells = np.arange(len(world.cells))
    for start in range(0, len(centres), chunk):
        part = centres[start : start + chunk]
        score = _median_rx(world, part, all_cells)
        top = np.argpartition(-score, k - 1, axis=1)[:, :k] if k < score.shape[1] else None
        cand[start : start + chunk] = top if top is not None else all_cells[None, :]
    return Tiles(float(low[0]), float(low[1]), int(nx), int(ny), area, cand)


def _median_rx(world: World, points: FloatArray, cells: IntArray) -> FloatArray:
    cpos = world.cells.pos
    dx = points[:, None, 0] - cpos[None, cells, 0]
    dy = points[:, None, 1] - cpos[None, cells, 1]
    dz = 1.5 - cpos[None, cells, 2]
    d3d = np.maximum(np.sqrt(dx**2 + dy**2 + dz**2), 1.0)
    grid = np.broadcast_to(cells[None, :], dx.shape)
    gain = antenna_gain_db(dx, dy, np.broadcast_to(dz, dx.shape), world, grid)
    return world.cells.tx_dbm[grid] + gain - path_loss_los(d3d, world.cells.freq_ghz[grid])


@dataclass
class Received:
    """Per (terminal, candidate) pair: cell index, carrier power received and coupling loss."""

    cand: IntArray
    rx_dbm: FloatArray  # full-load carrier power at the terminal
    coupling_db: FloatArray  # path loss + shadowing - antenna gain (reciprocal, for UL)


def receive(world: World, tiles: Tiles, pos: FloatArray, tile: IntArray) -> Received:
    """Received power from each candidate cell at each terminal position."""
    cand = tiles.cand[tile]
    cells = world.cells
    dx = pos[:, None, 0] - cells.pos[cand, 0]
    dy = pos[:, None, 1] - cells.pos[cand, 1]
    dz = pos[:, None, 2] - cells.pos[cand, 2]
    coupling = coupling_loss_db(world, tiles, tile, cand, dx, dy, dz, pos[:, None, 2])
    return Received(cand, cells.tx_dbm[cand] - coupling, coupling)


def coupling_loss_db(
    world: World,
    tiles: Tiles,
    tile: IntArray,
    cell: IntArray,
    dx: FloatArray,
    dy: FloatArray,
    dz: FloatArray,
    h_ut: FloatArray,
) -> FloatArray:
    """Path loss with LOS state and shadow fading fixed per (tile, cell), minus antenna gain."""
    cells = world.cells
    d2d = np.hypot(dx, dy)
    d3d = np.maximum(np.sqrt(d2d**2 + dz**2), 1.0)
    tile2 = np.broadcast_to(tile[:, None], cell.shape)
    area = tiles.area[tile2]
    dense = np.where(area >= 0, world.areas.dense[np.maximum(area, 0)], DEFAULT_DENSE)
    h_bs = cells.pos[cell, 2]
    scenario = sub_scenario(dense, h_bs)
    p_los = los_probability(d2d, scenario, h_bs, np.broadcast_to(h_ut, cell.shape))
    los = hash_uniform(world.salt, tile2, cell, 0) < p_los
    fc = cells.freq_ghz[cell]
    sigma = np.where(los, SIGMA_LOS_DB, np.array([s.sigma_nlos_db for s in INF])[scenario])
    shadow = sigma * hash_normal(world.salt, tile2, cell, 1)
    pl = np.where(los, path_loss_los(d3d, fc), path_loss_nlos(d3d, fc, scenario)) + shadow
    return pl - antenna_gain_db(dx, dy, dz, world, cell)


def thermal_dbm(bandwidth_hz: FloatArray | float, noise_figure_db: float) -> FloatArray:
    """Thermal noise power: -174 dBm/Hz + 10 log10(B) + NF."""
    return np.asarray(THERMAL_DBM_PER_HZ + 10.0 * np.log10(bandwidth_hz) + noise_figure_db)


def occupied_hz(world: World, cell: IntArray) -> FloatArray:
    """Occupied bandwidth: N_RB x 12 subcarriers x SCS."""
    return world.cells.n_prb[cell] * 12.0 * world.cells.scs_khz[cell] * 1e3


def dl_sinr_db(
    world: World,
    rx: Received,
    radiating: BoolArray,
    activity: FloatArray,
    noise_rise_db: FloatArray,
    extra_mw: FloatArray,
) -> FloatArray:
    """DL SINR per candidate as if it served: co-channel candidates interfere by their load.

    `noise_rise_db` is per cell (external interference seen in its coverage); `extra_mw` is
    per (terminal, candidate) interference from outside the network (a rogue transmitter).
    """
    cand = rx.cand
    on = radiating[cand]
    power = np.where(on, 10.0 ** (rx.rx_dbm / 10.0), 0.0)
    loaded = power * activity[cand]
    arfcn = world.cells.arfcn[cand]
    same = arfcn[:, :, None] == arfcn[:, None, :]
    interference = np.einsum("nkj,nj->nk", same, loaded) - loaded
    noise = 10.0 ** (
        (thermal_dbm(occupied_hz(world, cand), NOISE_FIGURE_UE_DB) + noise_rise_db[cand]) / 10.0
    )
    sinr = power / (noise + np.maximum(interference, 0.0) + extra_mw)
    return np.where(on, 10.0 * np.log10(np.maximum(sinr, 1e-30)), -np.inf)


def link_adaptation(
    sinr_db: FloatArray, critical: BoolArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Spectral efficiency (bit/s/Hz) and first-transmission BLER for each SINR.

    The MCS is the highest of the flow's table whose attenuated-Shannon SINR requirement,
    plus the table's back-off, is met; the margin above the 10 % point sets the BLER (about
    10 % for TS 38.214 Table 5.1.3.1-2, at most 10^-5 for delay-critical flows on the low-SE
    table, rising steeply below the table's lowest MCS).
    """
    sinr = np.nan_to_num(np.asarray(sinr_db, dtype=np.float64), neginf=-99.0)
    se, bler = _adapt(sinr, MCS_TABLES[0])
    if critical is not None and critical.any():
        se[critical], bler[critical] = _adapt(sinr[critical], MCS_TABLES[1])
    return se, bler


def _adapt(sinr_db: FloatArray, table: McsTable) -> tuple[FloatArray, FloatArray]:
    mcs = np.searchsorted(table.sinr_db + table.backoff_db, sinr_db, side="right") - 1
    chosen = np.maximum(mcs, 0)
    margin = sinr_db - table.sinr_db[chosen]
    odds = (1.0 - BLER_TARGET) / BLER_TARGET
    bler = 1.0 / (1.0 + odds * np.exp(np.clip(BLER_SLOPE_PER_DB * margin, -50.0, 50.0)))
    return table.se[chosen], bler


def rate_per_prb(world: World, cell: IntArray, se: FloatArray, direction: str) -> FloatArray:
    """Bit/s one PRB carries at this spectral efficiency (TS 38.306 §4.1.2 structure)."""
    slots_per_s = 1000.0 * world.cells.scs_khz[cell] / 15.0  # 2^mu slots per ms (TS 38.211 §4.3)
    res_per_s = 12 * 14 * slots_per_s
    share = TDD_SHARE[direction] * LAYERS[direction] * (1.0 - OVERHEAD[direction])
    return res_per_s * se * share


def prb_noise_dbm(world: World, cell: IntArray) -> FloatArray:
    """Thermal noise in one PRB at the gNB receiver."""
    return thermal_dbm(12.0 * world.cells.scs_khz[cell] * 1e3, NOISE_FIGURE_GNB_DB)


def ue_psd_dbm(coupling_serving_db: FloatArray, prbs: FloatArray) -> FloatArray:
    """UE transmit power per PRB under open-loop power control (TS 38.213 §7.1.1)."""
    cap = UE_MAX_POWER_DBM - 10.0 * np.log10(np.maximum(prbs, 1.0))
    return np.minimum(cap, UL_P0_DBM_PER_PRB + UL_ALPHA * coupling_serving_db)
