"""The radio keys of a terminal report: neighbours encoded and decoded the same way."""

from __future__ import annotations

import pytest

from openipn.codecs.terminal_report import (
    NEIGHBOUR_KEYS,
    PCI_MAX,
    TERMINAL_SERIES,
    Neighbour,
    TerminalKey,
    decode_neighbours,
    encode_neighbours,
    neighbour_columns,
)


@pytest.mark.parametrize(
    "neighbours",
    [
        [],
        [Neighbour(17, -93.4)],
        [Neighbour(0, -80.0), Neighbour(PCI_MAX, -101.2), Neighbour(500, -123.9)],
    ],
)
def test_neighbours_round_trip(neighbours: list[Neighbour]) -> None:
    encoded = encode_neighbours(neighbours)
    assert all(isinstance(v, str) for v in encoded.values())  # a VES hashMap holds strings
    assert decode_neighbours(encoded) == neighbours


def test_only_three_neighbours_fit_and_bad_pairs_are_skipped() -> None:
    four = [Neighbour(p, -90.0 - p) for p in range(1, 5)]
    assert decode_neighbours(encode_neighbours(four)) == four[:3]
    (pci1, rsrp1), (pci2, rsrp2), (pci3, rsrp3) = NEIGHBOUR_KEYS
    values = {pci1: "12", rsrp1: "n/a", pci2: "1008", rsrp2: "-90.0", pci3: "7", rsrp3: "-99.5"}
    assert decode_neighbours(values) == [Neighbour(7, -99.5)]


def test_serving_radio_values_are_vendor_specific_series() -> None:
    for key in (TerminalKey.RSRP_DBM, TerminalKey.RSRQ_DB, TerminalKey.SINR_DB):
        assert TERMINAL_SERIES[key].startswith("VS.Ue")
    assert len(set(TERMINAL_SERIES.values())) == len(TERMINAL_SERIES)


def test_column_encoding_writes_what_the_single_encoder_writes() -> None:
    pcis = [[5, 9, -1], [-1, -1, -1], [1, 2, 3]]
    rsrps = [[-80.04, -95.26, float("nan")], [float("nan")] * 3, [-70.0, -71.5, -123.95]]
    columns = neighbour_columns(pcis, rsrps)
    for i in range(len(pcis)):
        row = {key: texts[i] for key, texts in columns.items() if texts[i]}
        assert row == encode_neighbours(zip(pcis[i], rsrps[i], strict=True))
    assert decode_neighbours({k: v[0] for k, v in columns.items() if v[0]}) == [
        Neighbour(5, -80.0),
        Neighbour(9, -95.3),
    ]
