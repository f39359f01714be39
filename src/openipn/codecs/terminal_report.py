"""Terminal reports: OpenIPN's vocabulary for per-terminal telemetry carried in VES measurement
events (not a 3GPP one). The twin writes them; the platform's terminal view reads them.
"""

from __future__ import annotations

from enum import StrEnum

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
    LATENCY_MS = "latencyMs"  # one-way, the worse direction
    LATENCY_UL_MS = "latencyUlMs"
    LATENCY_DL_MS = "latencyDlMs"
    RELIABILITY = "reliability"  # share of packets delivered within the budget, 0..1
    DL_BPS = "dlBps"  # served bit rate
    UL_BPS = "ulBps"
    X_M = "xM"  # site-local metres
    Y_M = "yM"


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
}
