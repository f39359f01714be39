"""Vendor counter names to TS 28.552 names: a small table of renames and derived means.

Vendor files (standards.md §1.4, Ericsson-style `pm…` names) need a mapping layer before KPIs
can use them. Each row says where it comes from: **[O]** the name was observed in public
repositories' KPI scripts, **[K]** the 28.552 equivalence is from knowledge and unverified.
Names not in the table are stored verbatim (3GPP names as the file spells them, vendor names
as the vendor spells them), so nothing is lost; the raw inputs of a derived mean are kept too.
Subcounters (`<name>.<qualifier>`) of a renamed counter keep their qualifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openipn.store.telemetry.api import FloatArray


@dataclass(frozen=True)
class Rename:
    """A vendor counter that is a TS 28.552 counter up to a unit factor."""

    vendor: str
    name: str  # TS 28.552 name, verbatim
    source: str
    scale: float = 1.0  # multiply the vendor value by this to get the 28.552 unit


@dataclass(frozen=True)
class Mean:
    """A TS 28.552 mean derived per object and period as numerator / denominator."""

    name: str
    numerator: str
    denominator: str
    source: str


RENAMES: tuple[Rename, ...] = (
    Rename("pmRrcConnEstabAtt", "RRC.ConnEstabAtt", "[O] Ericsson KPI SQL; 28.552 5.1.1.15 [K]"),
    Rename("pmRrcConnEstabSucc", "RRC.ConnEstabSucc", "[O] Ericsson KPI SQL; 28.552 5.1.1.15 [K]"),
    Rename("pmRrcConnLevelMax", "RRC.ConnMax", "[K] Ericsson RRC connected-UE max; 5.1.1.4.2"),
    Rename("pmActiveUeDlMax", "DRB.MaxActiveUeDl", "[O] Ericsson KPI SQL; 28.552 5.1.1.23 [O]"),
    Rename("pmActiveUeUlMax", "DRB.MaxActiveUeUl", "[O] Ericsson KPI SQL; 28.552 5.1.1.23 [O]"),
    # kbit (vendor) -> Mbit (28.552 5.1.2.1.1.1 [V]); the vendor unit is [K]
    Rename("pmPdcpVolDlDrb", "DRB.PdcpSduVolumeDL", "[O] Ericsson KPI SQL; unit [K]", 1e-3),
    Rename("pmPdcpVolUlDrb", "DRB.PdcpSduVolumeUL", "[O] Ericsson KPI SQL; unit [K]", 1e-3),
)

MEANS: tuple[Mean, ...] = (
    # Mean active UEs = sum of per-TTI samples / TTIs with scheduling activity (public KPI SQL)
    Mean("DRB.MeanActiveUeDl", "pmActiveUeDlSum", "pmSchedActivityCellDl", "[O] KPI SQL"),
    Mean("DRB.MeanActiveUeUl", "pmActiveUeUlSum", "pmSchedActivityCellUl", "[O] KPI SQL"),
)

_BY_VENDOR = {row.vendor: row for row in RENAMES}


def _renamed(name: str) -> tuple[str, float]:
    """The 28.552 name and scale of one column (whole counter or subcounter)."""
    row = _BY_VENDOR.get(name)
    if row is not None:
        return row.name, row.scale
    base, dot, qualifier = name.partition(".")
    row = _BY_VENDOR.get(base) if dot else None
    if row is not None:
        return f"{row.name}.{qualifier}", row.scale
    return name, 1.0


def map_names(types: Sequence[str], matrix: FloatArray) -> tuple[tuple[str, ...], FloatArray]:
    """Columns renamed and rescaled, plus derived means; `matrix` is (objects × types)."""
    renamed = [_renamed(name) for name in types]
    names = tuple(name for name, _ in renamed)
    scales = np.array([scale for _, scale in renamed])
    if (scales != 1.0).any():
        matrix = matrix * scales
    derived = [row for row in MEANS if row.numerator in types and row.denominator in types]
    if not derived:
        return names, matrix
    columns = [matrix]
    for row in derived:
        numerator = matrix[:, types.index(row.numerator)]
        denominator = matrix[:, types.index(row.denominator)]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(denominator > 0, numerator / denominator, np.nan)
        columns.append(mean[:, None])
    return names + tuple(row.name for row in derived), np.hstack(columns)
