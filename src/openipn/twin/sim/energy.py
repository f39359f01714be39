"""Power drawn by the gNBs' radio units by load, for TS 28.552 §5.1.1.19 PEE.* measurements.

The EARTH power model (G. Auer et al., "How much energy is needed to run a wireless
network?", IEEE Wireless Communications 18(5), 2011): a base station with N_TRX transceiver
chains draws P_in = N_TRX · (P0 + Δp · P_out) while it transmits P_out (0 < P_out ≤ P_max),
and N_TRX · P_sleep while it does not transmit. The per-chain figures below are the paper's
pico-cell class (P_max 0.13 W per chain; the twin's indoor cells send about 0.25 W over four
chains, i.e. 18 dBm per chain) [K: from the paper's table, not rechecked]. Summed over the
chains, P_out is the cell's transmit power times its load (share of PRBs in use, the DL PRB
utilisation), so a cell draws N_TRX · P0 idle and N_TRX · P0 + Δp · P_tx at full load.

States: a cell that radiates draws by load (an asleep cell, radiating but serving nobody,
draws its idle power); a locked or failed cell whose gNB runs draws sleep power; a gNB that
is down (powered off) draws nothing. Each running gNB adds its baseband (DU/CU) power, an
OpenIPN assumption for a small indoor baseband unit.
"""

from __future__ import annotations

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray

TRX_PER_CELL = 4  # 4T4R indoor NR small cell
TRX_P0_W = 6.8  # EARTH pico: power per chain at zero output
TRX_DELTA_P = 4.0  # EARTH pico: slope of the load dependence
TRX_SLEEP_W = 4.3  # EARTH pico: per chain, not transmitting
BASEBAND_W = 30.0  # per running gNB (OpenIPN assumption)


def cell_power_w(tx_dbm: FloatArray, load: FloatArray, radiating: BoolArray) -> FloatArray:
    """Input power of each cell's radio unit (W) at a DL load in [0, 1]."""
    tx_w = 10.0 ** (tx_dbm / 10.0) / 1000.0
    on = TRX_PER_CELL * TRX_P0_W + TRX_DELTA_P * tx_w * np.clip(load, 0.0, 1.0)
    return np.where(radiating, on, TRX_PER_CELL * TRX_SLEEP_W)


def gnb_power_w(
    cell_w: FloatArray, cell_gnb: IntArray, gnb_up: BoolArray, n_gnbs: int
) -> FloatArray:
    """Per gNB: its cells' radio units plus baseband, zero while the gNB is down."""
    has = cell_gnb >= 0
    radios = np.bincount(cell_gnb[has], weights=cell_w[has], minlength=n_gnbs)
    return np.asarray((radios + BASEBAND_W) * gnb_up, dtype=np.float64)
