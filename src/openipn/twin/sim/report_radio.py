"""Per-cell distributions of what UEs report, as TS 28.552 bin counters, on their own PM job.

Names and clauses as TS 28.552 lists them, quoted from secondary sources; not verified against
the spec text. The bin edges are the twin's (TS 28.552 leaves them to the implementation; see
measure.EDGES and docs/radio-measurements.md): each `BinN` counts reports in the N-th range.

The distributions are a second measurement job (TS 28.550 lets each job have its own
granularity period) of 15 minutes, as vendors collect measurement-report statistics: a
distribution over one minute holds too few reports to say much. They travel in the period's
file whose end is on the job's boundary, as measInfos of their own (`<class>.Distribution`)
with a 900 s granPeriod; a file period longer than 15 minutes takes them every period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.geometry import FloatArray, IntArray
from openipn.twin.sim.measure import BINS, CQI_RANK, CQI_TABLE, OFFSET, TOTAL_BINS, Family
from openipn.twin.sim.report_base import RadioWindow, Value

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
INFO_SUFFIX = ".Distribution"  # measInfoId of the job's counters: e.g. NRCellDU.Distribution
INFOS = tuple(cls + INFO_SUFFIX for cls in LAYOUT)
JOB_PERIOD_S = 900  # 15 minutes


class RadioJob:
    """Sums each cell's bin counts and closes them on the job's boundaries."""

    def __init__(self, n_cells: int, start: dt.datetime) -> None:
        self.table = np.zeros((n_cells, TOTAL_BINS))
        self.start = start

    def add(self, counts: FloatArray) -> None:
        """Fold one step's counts in."""
        self.table += counts

    def close(self, begin: dt.datetime, end: dt.datetime, flush: bool) -> RadioWindow | None:
        """The window ending at `end` if it is on a boundary (or `flush`), then start anew.

        The job period is 15 minutes or the file period `end - begin` if longer. A first
        window that began off a boundary (a twin started at 10:07) is dropped, as a job
        started mid-period reports nothing for it; `flush` closes whatever there is.
        """
        period = max(JOB_PERIOD_S, round((end - begin).total_seconds()))
        if not flush and round(end.timestamp()) % period:
            return None
        seconds = round((end - self.start).total_seconds())
        table = np.rint(self.table).astype(np.int64)
        self.table, self.start = np.zeros_like(self.table), end
        return RadioWindow(table, seconds) if flush or seconds == period else None


@dataclass
class RadioDistributions:
    """One window's bin counts of every cell, split into NRCellDU and NRCellCU counters."""

    window: RadioWindow

    def __post_init__(self) -> None:
        table = self.window.table
        self.rows = {cls: table[:, columns].tolist() for cls, (_, columns) in LAYOUT.items()}

    def counters(self, c: int, cls: str) -> dict[str, Value]:
        """The bin counters of cell `c` that belong to object class `cls` (whole counts)."""
        return dict(zip(LAYOUT[cls][0], self.rows[cls][c], strict=True))
