"""One step of radio physics: which cells radiate, what each terminal receives, uplink SINR."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, hash_normal, hash_uniform
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.mobility import RSRP_MIN_DBM
from openipn.twin.sim.network import Connectivity
from openipn.twin.sim.radio import (
    DEFAULT_DENSE,
    INF,
    SIGMA_LOS_DB,
    Received,
    Tiles,
    dl_sinr_db,
    los_probability,
    path_loss_los,
    path_loss_nlos,
    prb_noise_dbm,
    receive,
    sub_scenario,
    ue_psd_dbm,
)
from openipn.twin.sim.security import Rogue
from openipn.twin.sim.world import World

MIN_ACTIVITY = 0.05  # SSB, PDCCH and reference signals radiate even in an idle cell
ROGUE_CAPTURE_DB = 3.0  # a terminal camps on the rogue when it is this much stronger
ROGUE_PRBS = 273  # the rogue spreads its power over a 100 MHz-like carrier


@dataclass
class CellFlags:
    """Per-cell state this step."""

    radiating: BoolArray  # transmitting at all
    serving_ok: BoolArray  # can take terminals: radiating, awake, gNB has NG-C
    activity: FloatArray  # share of the carrier loaded (interference weight)
    noise_rise_db: FloatArray  # external interference in the cell's coverage
    out: BoolArray  # out of service by a fault (alarmed)


def cell_flags(
    world: World, imp: Impairments, conn: Connectivity, prev_util: FloatArray
) -> CellFlags:
    """Which cells radiate and serve, given gNB state, locks, outages and sleep."""
    cells = world.cells
    index = cells.index
    out = np.zeros(len(cells), dtype=bool)
    out[[index[c] for c in imp.cells_out if c in index]] = True
    sleeping = np.zeros(len(cells), dtype=bool)
    sleeping[[index[c] for c in imp.cells_sleeping if c in index]] = True
    gnb = np.maximum(cells.gnb, 0)
    gnb_ok = (cells.gnb >= 0) & conn.gnb_up[gnb]
    radiating = gnb_ok & ~cells.locked & ~out
    serving_ok = radiating & ~sleeping & (conn.gnb_amf[gnb] >= 0)
    activity = np.where(serving_ok, np.clip(prev_util, MIN_ACTIVITY, 1.0), MIN_ACTIVITY)
    rise = np.zeros(len(cells))
    for name, db in imp.interference_db.items():
        if name in index:
            rise[index[name]] = max(rise[index[name]], db)
    return CellFlags(radiating, serving_ok, activity, rise, out)


@dataclass
class RadioStep:
    """What every terminal receives this step."""

    tile: IntArray
    rx: Received
    rsrp: FloatArray  # (n, K) dBm per resource element
    sinr: FloatArray  # (n, K) DL SINR as if that candidate served
    usable: BoolArray  # (n, K) may serve this terminal
    captured: BoolArray  # camps on a rogue base station
    rogue_ul_mw: FloatArray  # per cell, uplink interference per PRB from unsynchronised rogues
    rogue_rx_dbm: FloatArray  # per terminal, the strongest rogue's carrier power (-inf: none)
    rogue_pci: IntArray  # per terminal, that rogue's PCI (-1: none)


def radio_step(
    world: World,
    tiles: Tiles,
    pos: FloatArray,
    slice_of: IntArray,
    flags: CellFlags,
    rogues: list[Rogue],
) -> RadioStep:
    """Received power, RSRP, DL SINR and usability of each terminal's candidate cells."""
    tile = tiles.of(pos)
    rx = receive(world, tiles, pos, tile)
    cand = rx.cand
    rsrp = rx.rx_dbm - 10.0 * np.log10(12.0 * world.cells.n_prb[cand])
    extra = np.zeros(cand.shape)
    rogue_best = np.full(len(pos), -np.inf)
    rogue_pci = np.full(len(pos), -1, np.int64)
    rogue_ul = np.zeros(len(world.cells))
    for r, rogue in enumerate(rogues):
        stream = len(world.cells) + r
        power = rogue.power_dbm - point_loss_db(world, tiles, tile, pos, rogue, stream)
        co_channel = world.cells.arfcn[cand] == rogue.arfcn
        extra += np.where(co_channel, 10.0 ** (power / 10.0)[:, None], 0.0)
        rogue_pci = np.where(power > rogue_best, rogue.pci, rogue_pci)
        rogue_best = np.maximum(rogue_best, power)
        if not rogue.synchronised:
            rogue_ul += _rogue_uplink(world, tiles, rogue, stream)
    sinr = dl_sinr_db(world, rx, flags.radiating, flags.activity, flags.noise_rise_db, extra)
    slice_ok = world.cells.slices[cand, slice_of[:, None]]
    usable = flags.serving_ok[cand] & slice_ok & (rsrp >= RSRP_MIN_DBM)
    best_real = np.max(np.where(usable, rx.rx_dbm, -np.inf), axis=1)
    captured = rogue_best > best_real + ROGUE_CAPTURE_DB
    return RadioStep(tile, rx, rsrp, sinr, usable, captured, rogue_ul, rogue_best, rogue_pci)


def point_loss_db(
    world: World, tiles: Tiles, tile: IntArray, pos: FloatArray, src: Rogue, stream: int
) -> FloatArray:
    """Path loss from an omnidirectional transmitter to each position (TR 38.901 InF)."""
    dx, dy = pos[:, 0] - src.x, pos[:, 1] - src.y
    d2d = np.hypot(dx, dy)
    d3d = np.maximum(np.sqrt(d2d**2 + (pos[:, 2] - src.z) ** 2), 1.0)
    area = tiles.area[tile]
    dense = np.where(area >= 0, world.areas.dense[np.maximum(area, 0)], DEFAULT_DENSE)
    h_bs = np.full(len(pos), src.z)
    scenario = sub_scenario(dense, h_bs)
    los = hash_uniform(world.salt, tile, np.full(len(pos), stream), 0) < los_probability(
        d2d, scenario, h_bs, pos[:, 2]
    )
    fc = np.full(len(pos), 3.5)  # replaced below by the carrier of the rogue's ARFCN when known
    same = np.flatnonzero(world.cells.arfcn == src.arfcn)
    if same.size:
        fc[:] = world.cells.freq_ghz[same[0]]
    sigma = np.where(los, SIGMA_LOS_DB, np.array([s.sigma_nlos_db for s in INF])[scenario])
    shadow = sigma * hash_normal(world.salt, tile, np.full(len(pos), stream), 1)
    return np.where(los, path_loss_los(d3d, fc), path_loss_nlos(d3d, fc, scenario)) + shadow


def _rogue_uplink(world: World, tiles: Tiles, rogue: Rogue, stream: int) -> FloatArray:
    """Per-PRB power an unsynchronised rogue puts into co-channel cells' uplink slots."""
    cells = world.cells
    tile = tiles.of(cells.pos)
    loss = point_loss_db(world, tiles, tile, cells.pos, rogue, stream)
    psd = rogue.power_dbm - 10.0 * np.log10(ROGUE_PRBS) - loss + cells.gain_dbi
    return np.where(cells.arfcn == rogue.arfcn, 10.0 ** (psd / 10.0), 0.0)


@dataclass
class Uplink:
    """Uplink SINR per terminal and interference per PRB per cell."""

    sinr_db: FloatArray
    interference_mw: FloatArray  # per cell, noise + interference per PRB
    psd_dbm: FloatArray


def uplink(
    world: World,
    radio: RadioStep,
    serving_k: IntArray,
    connected: BoolArray,
    ul_prbs: FloatArray,
    flags: CellFlags,
) -> Uplink:
    """Fractional power control, co-channel UE interference, noise rise and rogue uplink."""
    cells = world.cells
    rows = np.arange(len(serving_k))
    k = np.maximum(serving_k, 0)
    cand = radio.rx.cand
    serving = cand[rows, k]
    coupling_s = radio.rx.coupling_db[rows, k]
    psd = ue_psd_dbm(coupling_s, ul_prbs)
    activity = np.where(connected, np.clip(ul_prbs / cells.n_prb[serving], 0.0, 1.0), 0.0)
    same = (cand != serving[:, None]) & (cells.arfcn[cand] == cells.arfcn[serving][:, None])
    power = 10.0 ** ((psd[:, None] - radio.rx.coupling_db) / 10.0) * activity[:, None] * same
    interference = np.bincount(cand.ravel(), weights=power.ravel(), minlength=len(cells))
    all_cells = np.arange(len(cells))
    noise = 10.0 ** ((prb_noise_dbm(world, all_cells) + flags.noise_rise_db) / 10.0)
    total = noise + interference + radio.rogue_ul_mw
    sinr = psd - coupling_s - 10.0 * np.log10(total[serving])
    return Uplink(np.where(connected, sinr, -np.inf), total, psd)
