"""TS 28.541 NRM class names, shared by everything that builds or reads distinguished names."""

from __future__ import annotations

from collections.abc import Mapping

# TS 28.541 class of each 5G core function type (TS 23.501 §6.2 names the functions).
NF_CLASS: Mapping[str, str] = {
    "AMF": "AMFFunction",
    "SMF": "SMFFunction",
    "NRF": "NRFFunction",
    "AUSF": "AUSFFunction",
    "UDM": "UDMFunction",
    "UDR": "UDRFunction",
    "PCF": "PCFFunction",
    "NSSF": "NSSFFunction",
    "UPF": "UPFFunction",
}
