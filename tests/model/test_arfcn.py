"""NR-ARFCN ↔ frequency on the TS 38.104 §5.4.2.1 global raster."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openipn.model.arfcn import (
    GLOBAL_RASTER,
    RasterRange,
    arfcn_to_mhz,
    is_fr2,
    mhz_to_arfcn,
)

KNOWN = [
    (0, 0.0),
    (1, 0.005),
    (599_999, 2999.995),
    (600_000, 3000.0),
    (620_000, 3300.0),  # n78 low edge
    (633_334, 3500.01),
    (801_667, 6025.005),
    (2_016_666, 24249.99),  # last 15 kHz raster point
    (2_016_667, 24250.08),  # first 60 kHz raster point
    (3_279_165, 99999.96),  # top of the table
]


@pytest.mark.parametrize(("arfcn", "mhz"), KNOWN)
def test_arfcn_to_mhz_known_values(arfcn: int, mhz: float) -> None:
    assert arfcn_to_mhz(arfcn) == pytest.approx(mhz, abs=1e-6)


@pytest.mark.parametrize(("arfcn", "mhz"), KNOWN)
def test_mhz_to_arfcn_known_values(arfcn: int, mhz: float) -> None:
    assert mhz_to_arfcn(mhz) == arfcn


@pytest.mark.parametrize(
    "row", GLOBAL_RASTER, ids=[f"{r.n_first}-{r.n_last}" for r in GLOBAL_RASTER]
)
@given(data=st.data())
def test_round_trip_in_each_range(row: RasterRange, data: st.DataObject) -> None:
    n = data.draw(st.integers(row.n_first, row.n_last))
    assert mhz_to_arfcn(arfcn_to_mhz(n)) == n


@given(st.integers(0, 3_279_164))
def test_frequency_strictly_increases_with_arfcn(n: int) -> None:
    assert arfcn_to_mhz(n + 1) > arfcn_to_mhz(n)


@pytest.mark.parametrize(
    "mhz",
    [
        3500.0,  # between 3499.995 and 3500.01 on the 15 kHz raster
        3000.001,
        2999.996,
        24250.0,  # in the gap between the 15 kHz and 60 kHz rasters
        24250.11,
        100_000.0,  # above the top raster point
        -0.005,
    ],
)
def test_off_raster_frequency_rejected(mhz: float) -> None:
    with pytest.raises(ValueError, match="not on the NR global frequency raster"):
        mhz_to_arfcn(mhz)


@pytest.mark.parametrize("arfcn", [-1, 3_279_166, 10**9])
def test_out_of_range_arfcn_rejected(arfcn: int) -> None:
    with pytest.raises(ValueError, match="outside the NR-ARFCN range"):
        arfcn_to_mhz(arfcn)


def test_fr2_starts_at_the_60_khz_raster() -> None:
    assert not is_fr2(2_016_666)
    assert is_fr2(2_016_667)
