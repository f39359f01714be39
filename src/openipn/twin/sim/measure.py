"""Radio measurements UEs report: serving SS-RSRP, SS-RSRQ, SS-SINR, wideband CQI, timing
advance and the strongest neighbours, with measurement error; and their per-cell distributions.

The per-terminal values are what a MeasurementReport (TS 38.331 §5.5.5) or immediate MDT
(TS 37.320 §5.1.1) carries; the distributions feed the TS 28.552 bin counters (report_radio.py).
Errors are drawn from a hash of (terminal, step), never from the simulation's generator, so
measuring changes nothing else in a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, hash_normal
from openipn.twin.sim.physics import ROGUE_PRBS, CellFlags, RadioStep
from openipn.twin.sim.radio import LAYERS, MCS_SE, SHANNON_ALPHA
from openipn.twin.sim.world import World


class Family(StrEnum):
    """Measured quantities with a per-cell distribution."""

    RSRP = "rsrp"
    RSRQ = "rsrq"
    SINR = "sinr"
    CQI = "cqi"
    TA = "ta"


# Bin edges: TS 28.552 leaves the number of bins and their ranges to the implementation.
# Bin 0 is below the first edge, the last bin at or above the last one.
EDGES: dict[Family, FloatArray] = {
    Family.RSRP: np.arange(-120.0, -59.0, 5.0),  # dBm: <-120, [-120,-115) ... >= -60
    Family.RSRQ: np.arange(-20.0, -3.0, 2.0),  # dB: <-20, [-20,-18) ... >= -4
    Family.SINR: np.arange(-6.0, 31.0, 3.0),  # dB: <-6, [-6,-3) ... >= 30
    Family.CQI: np.arange(1.0, 16.0),  # one bin per CQI index 0..15
    Family.TA: np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 16.0]),  # TA index T_A
}
BINS: dict[Family, int] = {f: len(e) + 1 for f, e in EDGES.items()}
OFFSET: dict[Family, int] = dict(
    zip(BINS, np.cumsum([0, *BINS.values()])[:-1].tolist(), strict=True)
)
TOTAL_BINS = sum(BINS.values())

# TS 38.214 Table 5.2.2.1-3 (CQI table 2, up to 256QAM): spectral efficiency of CQI 1..15.
# CQI 2..15 coincide with MCS 1, 3, ..., 27 of Table 5.1.3.1-2. The UE reports the highest
# CQI whose efficiency the twin's attenuated-Shannon link model supports at its SINR, the
# rule link adaptation uses (radio.link_adaptation); below CQI 1 it reports 0 (out of range).
CQI_TABLE = 2
CQI_RANK = LAYERS["dl"]  # the twin's UEs are served with two layers throughout
CQI_SE = np.array([0.1523, *MCS_SE[1::2]])
CQI_SINR_DB = 10.0 * np.log10(2.0 ** (CQI_SE / SHANNON_ALPHA) - 1.0)

# Measurement error after layer-3 filtering (TS 38.133 §10.1 allows several dB absolute).
ERROR_DB = {Family.RSRP: 2.0, Family.SINR: 1.5, Family.RSRQ: 1.0}
SINR_RANGE_DB = (-23.0, 40.0)  # TS 38.133 §10.1.16 SS-SINR reporting range
# The transmitter's error vector bounds what a UE can measure: EVM 3.5 % for 256QAM
# (TS 38.104 §6.5.2.2) is a noise floor 29.1 dB below the signal, added to the SINR's.
EVM_SINR_DB = -20.0 * float(np.log10(0.035))
RSRQ_RANGE_DB = (-43.0, 20.0)  # TS 38.133 §10.1.11 SS-RSRQ reporting range
RSSI_MIN_LOAD = 1.0 / 6.0  # SSB and reference signals: an idle cell's RSRQ is about -3 dB
NEIGHBOURS = 3
NBR_MIN_RSRP_DBM = -124.0  # weaker cells go undetected (an assumption near TS 38.133 limits)
TA_SECONDS = 16 * 64 / (480e3 * 4096)  # TS 38.213 §4.2: one T_A step at 15 kHz, divided by 2^mu
LIGHT_MPS = 299_792_458.0
STREAM = 40  # the hash stream of measurement errors (radio.py uses 0 and 1)


@dataclass(frozen=True)
class Measured:
    """Per terminal: what its last measurement report said (NaN / -1: not connected)."""

    rsrp_dbm: FloatArray
    rsrq_db: FloatArray
    sinr_db: FloatArray
    cqi: IntArray
    ta: IntArray
    nbr_pci: IntArray  # (n, NEIGHBOURS), strongest first, -1 padded
    nbr_rsrp_dbm: FloatArray  # (n, NEIGHBOURS), NaN padded


def _errors(world: World, who: IntArray, step: int) -> FloatArray:
    """(m, 3 + NEIGHBOURS) standard normal errors fixed per (terminal, step): one hash call."""
    width = 3 + NEIGHBOURS
    keys = (who[:, None] * width + np.arange(width)).ravel()
    z = hash_normal(world.salt, keys, np.full(keys.size, step), STREAM)
    return z.reshape(len(who), width)


def _fill(n: int, who: IntArray, values: FloatArray | IntArray) -> FloatArray:
    """A per-terminal column: the values at `who`, -1 elsewhere for integers, NaN for floats."""
    column = np.full(n, -1.0 if values.dtype.kind == "i" else np.nan)
    column[who] = values
    return column


def measure(
    world: World,
    radio: RadioStep,
    serving: IntArray,
    connected: BoolArray,
    flags: CellFlags,
    pos: FloatArray,
    step: int,
) -> Measured:
    """The measurement report of every connected terminal at this step."""
    n = len(serving)
    who = np.flatnonzero(connected)
    cand = radio.rx.cand[who]
    k = np.argmax(cand == serving[who, None], axis=1)
    rows = np.arange(len(who))
    cell = serving[who]
    z = _errors(world, who, step)
    rsrp = radio.rsrp[who, k] + ERROR_DB[Family.RSRP] * z[:, 0]
    sinr = _evm_limited(radio.sinr[who, k]) + ERROR_DB[Family.SINR] * z[:, 1]
    sinr = np.clip(sinr, *SINR_RANGE_DB)
    load = np.maximum(flags.activity[cell], RSSI_MIN_LOAD)
    rsrq = -10.0 * np.log10(12.0 * (load + 10.0 ** (-sinr / 10.0)))
    rsrq = np.clip(rsrq + ERROR_DB[Family.RSRQ] * z[:, 2], *RSRQ_RANGE_DB)
    cqi = np.searchsorted(CQI_SINR_DB, sinr, side="right")
    distance = np.linalg.norm(pos[who] - world.cells.pos[cell], axis=1)
    per_step_m = LIGHT_MPS * TA_SECONDS / (world.cells.scs_khz[cell] / 15.0) / 2.0
    ta = np.floor(distance / per_step_m).astype(np.int64)
    out = Measured(
        rsrp_dbm=_fill(n, who, rsrp),
        rsrq_db=_fill(n, who, rsrq),
        sinr_db=_fill(n, who, sinr),
        cqi=_fill(n, who, cqi).astype(np.int64),
        ta=_fill(n, who, ta).astype(np.int64),
        nbr_pci=np.full((n, NEIGHBOURS), -1, np.int64),
        nbr_rsrp_dbm=np.full((n, NEIGHBOURS), np.nan),
    )
    _neighbours(world, radio, flags.radiating, (who, rows, k), z[:, 3:], out)
    return out


def _neighbours(
    world: World,
    radio: RadioStep,
    radiating: BoolArray,
    serving: tuple[IntArray, IntArray, IntArray],
    z: FloatArray,
    out: Measured,
) -> None:
    """The strongest detectable cells besides the serving one; a rogue shows with its PCI."""
    who, rows, k = serving
    cand = radio.rx.cand[who]
    heard = radiating[cand]
    heard[rows, k] = False
    rsrp = np.where(heard, radio.rsrp[who], -np.inf)
    rogue = radio.rogue_rx_dbm[who] - 10.0 * np.log10(12.0 * ROGUE_PRBS)
    rsrp = np.concatenate([rsrp, rogue[:, None]], axis=1)
    pci = np.concatenate([world.cells.pci[cand], radio.rogue_pci[who, None]], axis=1)
    top = np.argsort(-rsrp, axis=1)[:, :NEIGHBOURS]
    best = rsrp[rows[:, None], top]
    detected = best >= NBR_MIN_RSRP_DBM
    width = top.shape[1]
    out.nbr_pci[who, :width] = np.where(detected, pci[rows[:, None], top], -1)
    error = ERROR_DB[Family.RSRP] * z[:, :width]
    out.nbr_rsrp_dbm[who, :width] = np.where(detected, best + error, np.nan)


def cell_histograms(world: World, m: Measured, serving: IntArray) -> FloatArray:
    """(cells, TOTAL_BINS) sample counts of this step, every family in one bincount."""
    who = np.flatnonzero(m.cqi >= 0)
    base = serving[who] * TOTAL_BINS
    columns = {
        Family.RSRP: m.rsrp_dbm, Family.RSRQ: m.rsrq_db, Family.SINR: m.sinr_db,
        Family.CQI: m.cqi, Family.TA: m.ta,
    }  # fmt: skip
    index = np.concatenate(
        [
            base + OFFSET[f] + np.searchsorted(EDGES[f], values[who], side="right")
            for f, values in columns.items()
        ]
    )
    n = len(world.cells)
    counts = np.bincount(index, minlength=n * TOTAL_BINS).astype(np.float64)
    return counts.reshape(n, TOTAL_BINS)


def _evm_limited(sinr_db: FloatArray) -> FloatArray:
    """The SINR a UE measures: the channel's with the transmitter's EVM noise added."""
    measured: FloatArray = -10.0 * np.log10(
        10.0 ** (-sinr_db / 10.0) + 10.0 ** (-EVM_SINR_DB / 10.0)
    )
    return measured
