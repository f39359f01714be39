"""Terminal reports: OpenIPN's vocabulary for per-terminal telemetry carried in VES measurement
events (not a 3GPP one). The twin writes them; the platform's terminal view reads them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import NamedTuple

# A measurement event whose
# additionalFields reportType is TERMINAL_REPORT carries one additionalMeasurements item per
# terminal, named by the terminal, with the TerminalKey values of one sample at the event time.
TERMINAL_REPORT = "TerminalReport"
REPORT_TYPE_KEY = "reportType"


class TerminalKey(StrEnum):
    """hashMap keys of one terminal in a terminal report (values are strings; unknown: absent)."""

    SUPI = "supi"
    CELL = "cell"  # serving cell name; absent when not connected
    SNSSAI = "snssai"  # S-NSSAI hex, e.g. 01000002
    REGISTERED = "registered"  # "true" / "false"
    CONNECTED = "connected"
    SESSION = "session"
    # "true" while the terminal's application has traffic to send (a steady flow, or a burst
    # of a bursty one); "false" when it is idle or switched off by choice, so that no service
    # is not a miss of its SLA. Absent (older senders): taken as active.
    ACTIVE = "active"
    LATENCY_MS = "latencyMs"  # one-way, the worse direction
    LATENCY_UL_MS = "latencyUlMs"
    LATENCY_DL_MS = "latencyDlMs"
    RELIABILITY = "reliability"  # share of packets delivered within the budget, 0..1
    DL_BPS = "dlBps"  # served bit rate
    UL_BPS = "ulBps"
    X_M = "xM"  # site-local metres
    Y_M = "yM"
    # What the terminal measured (a TS 38.331 MeasurementReport / TS 37.320 immediate MDT):
    RSRP_DBM = "rsrpDbm"  # serving cell's SS-RSRP (TS 38.215 §5.1.1), dBm
    RSRQ_DB = "rsrqDb"  # serving cell's SS-RSRQ (TS 38.215 §5.1.3), dB
    SINR_DB = "sinrDb"  # serving cell's SS-SINR (TS 38.215 §5.1.5), dB
    NBR1_PCI = "nbr1Pci"  # strongest neighbour: physical cell identity 0..1007
    NBR1_RSRP_DBM = "nbr1RsrpDbm"
    NBR2_PCI = "nbr2Pci"
    NBR2_RSRP_DBM = "nbr2RsrpDbm"
    NBR3_PCI = "nbr3Pci"
    NBR3_RSRP_DBM = "nbr3RsrpDbm"


# Neighbour keys, strongest first: (PCI key, SS-RSRP key).
NEIGHBOUR_KEYS: tuple[tuple[TerminalKey, TerminalKey], ...] = (
    (TerminalKey.NBR1_PCI, TerminalKey.NBR1_RSRP_DBM),
    (TerminalKey.NBR2_PCI, TerminalKey.NBR2_RSRP_DBM),
    (TerminalKey.NBR3_PCI, TerminalKey.NBR3_RSRP_DBM),
)
PCI_MAX = 1007  # TS 38.211 §7.4.2.1: 1008 physical cell identities


class Neighbour(NamedTuple):
    """A neighbour cell the terminal measured: its PCI and SS-RSRP (dBm)."""

    pci: int
    rsrp_dbm: float


def encode_neighbours(neighbours: Iterable[tuple[int, float]]) -> dict[str, str]:
    """hashMap entries of up to three (PCI, SS-RSRP) neighbours, strongest first.

    The list ends at the first PCI below 0 (padding); more than three are left out.
    """
    heard = list(itertools.takewhile(lambda n: n[0] >= 0, neighbours))[: len(NEIGHBOUR_KEYS)]
    padding = [(-1, math.nan)] * (len(NEIGHBOUR_KEYS) - len(heard))
    row = heard + padding
    columns = neighbour_columns([[p for p, _ in row]], [[r for _, r in row]])
    return {key: texts[0] for key, texts in columns.items() if texts[0]}


def neighbour_columns(
    pcis: Sequence[Sequence[int]], rsrps: Sequence[Sequence[float]]
) -> dict[str, list[str]]:
    """The neighbour entries of many terminals, key by key ("": no such neighbour, not sent).

    Row i holds terminal i's neighbours strongest first, -1 padded; the texts are those of
    `encode_neighbours`.
    """
    columns: dict[str, list[str]] = {}
    for j, (pci_key, rsrp_key) in enumerate(NEIGHBOUR_KEYS):
        columns[str(pci_key)] = [str(p[j]) if p[j] >= 0 else "" for p in pcis]
        columns[str(rsrp_key)] = [
            f"{r[j]:.1f}" if p[j] >= 0 else "" for p, r in zip(pcis, rsrps, strict=True)
        ]
    return columns


def decode_neighbours(values: Mapping[str, str]) -> list[Neighbour]:
    """The neighbours of a terminal's hashMap; a pair with a missing or bad value is skipped."""
    found = []
    for pci_key, rsrp_key in NEIGHBOUR_KEYS:
        try:
            pci, rsrp = int(values[pci_key]), float(values[rsrp_key])
        except (KeyError, ValueError):
            continue
        if 0 <= pci <= PCI_MAX and math.isfinite(rsrp):
            found.append(Neighbour(pci, rsrp))
    return found


# Numeric terminal values as time series. "VS." marks vendor-specific names: none of these is
# a TS 28.552 counter. Booleans are stored as 0/1.
TERMINAL_SERIES: dict[TerminalKey, str] = {
    TerminalKey.LATENCY_MS: "VS.UeLatencyMs",
    TerminalKey.LATENCY_UL_MS: "VS.UeLatencyUlMs",
    TerminalKey.LATENCY_DL_MS: "VS.UeLatencyDlMs",
    TerminalKey.RELIABILITY: "VS.UeReliability",
    TerminalKey.DL_BPS: "VS.UeThpDlBps",
    TerminalKey.UL_BPS: "VS.UeThpUlBps",
    TerminalKey.X_M: "VS.UePosXM",
    TerminalKey.Y_M: "VS.UePosYM",
    TerminalKey.REGISTERED: "VS.UeRegistered",
    TerminalKey.CONNECTED: "VS.UeConnected",
    TerminalKey.ACTIVE: "VS.UeActive",
    TerminalKey.RSRP_DBM: "VS.UeSsRsrpDbm",
    TerminalKey.RSRQ_DB: "VS.UeSsRsrqDb",
    TerminalKey.SINR_DB: "VS.UeSsSinrDb",
}
