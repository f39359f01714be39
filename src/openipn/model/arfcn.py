"""NR-ARFCN to frequency on the global frequency raster, TS 38.104 §5.4.2.1."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RasterRange:
    """One row of TS 38.104 Table 5.4.2.1-1."""

    n_first: int
    n_last: int
    delta_khz: float
    f_offset_mhz: float
    n_offset: int


# TS 38.104 Table 5.4.2.1-1: NR-ARFCN parameters for the global frequency raster.
GLOBAL_RASTER: tuple[RasterRange, ...] = (
    RasterRange(0, 599_999, 5.0, 0.0, 0),
    RasterRange(600_000, 2_016_666, 15.0, 3000.0, 600_000),
    RasterRange(2_016_667, 3_279_165, 60.0, 24_250.08, 2_016_667),
)

# FR1 channel bandwidths (TS 38.104 §5.3.2), MHz.
FR1_BANDWIDTHS_MHZ: frozenset[int] = frozenset(
    {5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100}
)
FR2_BANDWIDTHS_MHZ: frozenset[int] = frozenset({50, 100, 200, 400})


def arfcn_to_mhz(arfcn: int) -> float:
    """F_REF = F_REF-Offs + ΔF_Global · (N_REF − N_REF-Offs), in MHz."""
    for row in GLOBAL_RASTER:
        if row.n_first <= arfcn <= row.n_last:
            return round(row.f_offset_mhz + row.delta_khz / 1000 * (arfcn - row.n_offset), 6)
    raise ValueError(f"{arfcn} is outside the NR-ARFCN range 0..3279165")


def mhz_to_arfcn(mhz: float) -> int:
    """The NR-ARFCN of a frequency on the global raster (raises if it is not on the raster)."""
    for row in GLOBAL_RASTER:
        arfcn = row.n_offset + round((mhz - row.f_offset_mhz) * 1000 / row.delta_khz)
        if row.n_first <= arfcn <= row.n_last and abs(arfcn_to_mhz(arfcn) - mhz) < 1e-6:
            return arfcn
    raise ValueError(f"{mhz} MHz is not on the NR global frequency raster")


def is_fr2(arfcn: int) -> bool:
    """True for FR2 (above 24.25 GHz) channels."""
    return arfcn >= GLOBAL_RASTER[2].n_first
