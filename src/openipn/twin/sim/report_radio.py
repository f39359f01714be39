"""Per-cell distributions of what UEs report, as TS 28.552 bin counters.

Names and clauses as TS 28.552 lists them, quoted from secondary sources; not verified against
the spec text. The bin edges are the twin's (TS 28.552 leaves them to the implementation; see
measure.EDGES and docs/radio-measurements.md): each `BinN` counts reports in the N-th range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import IntArray
from openipn.twin.sim.measure import BINS, CQI_RANK, CQI_TABLE, OFFSET, TOTAL_BINS, Family
from openipn.twin.sim.report_base import ReportContext, Value

# Family -> (object class, name with {} for the bin index).
NAMES: dict[Family, tuple[str, str]] = {
    Family.RSRP: ("NRCellDU", "L1M.SS-RSRP.Bin{}"),  # TS 28.552 §5.1.1.22.1 (per SSB)
    Family.CQI: ("NRCellDU", f"CARR.WBCQIDist.Bin{{}}.Bin{CQI_RANK}.Bin{CQI_TABLE}"),  # §5.1.1.11.1
    Family.TA: ("NRCellDU", "L1M.ATADist.Bin{}"),  # §5.1.1.33.1
    Family.RSRQ: ("NRCellCU", "MR.NRScSSRSRQ.Bin{}"),  # §5.1.1.31.1
    Family.SINR: ("NRCellCU", "MR.NRScSSSINR.Bin{}"),  # §5.1.1.32.1
}


def bin_names(family: Family) -> list[str]:
    """The counter names of one family, bin 0 first."""
    return [NAMES[family][1].format(b) for b in range(BINS[family])]


def _layout(cls: str) -> tuple[list[str], IntArray]:
    """Counter names of an object class and their columns in the (cells, TOTAL_BINS) table."""
    names: list[str] = []
    columns: list[int] = []
    for family, (owner, _) in NAMES.items():
        if owner == cls:
            names.extend(bin_names(family))
            columns.extend(range(OFFSET[family], OFFSET[family] + BINS[family]))
    return names, np.array(columns, np.int64)


LAYOUT = {cls: _layout(cls) for cls in ("NRCellDU", "NRCellCU")}


@dataclass
class RadioDistributions:
    """The period's bin counts of every cell, split into NRCellDU and NRCellCU counters."""

    ctx: ReportContext

    def __post_init__(self) -> None:
        n = len(self.ctx.world.cells)
        table = np.rint(self.ctx.acc.sum("cell.radio", (n, TOTAL_BINS))).astype(np.int64)
        self.rows = {cls: table[:, columns].tolist() for cls, (_, columns) in LAYOUT.items()}

    def counters(self, c: int, cls: str) -> dict[str, Value]:
        """The bin counters of cell `c` that belong to object class `cls` (whole counts)."""
        return dict(zip(LAYOUT[cls][0], self.rows[cls][c], strict=True))
