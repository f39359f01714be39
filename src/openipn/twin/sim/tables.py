"""Data tables shared by the world and the physics: PRB counts, numerology, terminal defaults."""

from __future__ import annotations

from openipn.model.services import ApplicationClass
from openipn.model.site import AreaKind
from openipn.model.subscribers import TerminalType

# Maximum transmission bandwidth configuration N_RB per channel bandwidth (MHz) and SCS (kHz):
# TS 38.101-1 Table 5.3.2-1 (FR1) and TS 38.101-2 Table 5.3.2-1 (FR2).
_BW_15 = (5, 10, 15, 20, 25, 30, 35, 40, 45, 50)
_BW_30 = (*_BW_15, 60, 70, 80, 90, 100)
_BW_60 = (*_BW_30[1:], 200)
N_RB: dict[int, dict[int, int]] = {
    15: dict(zip(_BW_15, (25, 52, 79, 106, 133, 160, 188, 216, 242, 270), strict=True)),
    30: dict(
        zip(
            _BW_30,
            (11, 24, 38, 51, 65, 78, 92, 106, 119, 133, 162, 189, 217, 245, 273),
            strict=True,
        )
    ),
    60: dict(
        zip(_BW_60, (11, 18, 24, 31, 38, 44, 51, 58, 65, 79, 93, 107, 121, 135, 264), strict=True)
    ),
    120: {50: 32, 100: 66, 200: 132, 400: 264},
}

# Assumed numerology: 30 kHz SCS for FR1 TDD carriers, 120 kHz for FR2 (TS 38.104 Table 5.3.5-1
# lists both as valid for the TDD bands an industrial network uses).
SCS_FR1_KHZ = 30
SCS_FR2_KHZ = 120


def scs_khz_for(fr2: bool) -> int:
    """The subcarrier spacing the twin assumes for a carrier."""
    return SCS_FR2_KHZ if fr2 else SCS_FR1_KHZ


def n_prb(bandwidth_mhz: int, scs_khz: int) -> int:
    """PRBs of a carrier (TS 38.101-1/-2 Table 5.3.2-1); falls back to the nearest SCS column."""
    for scs in (scs_khz, 30, 15, 60, 120):
        if bandwidth_mhz in N_RB[scs]:
            return N_RB[scs][bandwidth_mhz]
    raise ValueError(f"no N_RB for {bandwidth_mhz} MHz")


# TR 38.901 §7.2 InF: dense clutter (machines, racks) for workshops and warehouses, sparse for
# the rest. Whether the BS is "low" or "high" follows from its height against the clutter height.
DENSE_AREA_KINDS = frozenset({AreaKind.WORKSHOP.value, AreaKind.WAREHOUSE.value})

# Antenna height of each kind of terminal, metres (below the InF clutter heights of 2 and 6 m).
TERMINAL_HEIGHT_M: dict[TerminalType, float] = {
    TerminalType.AGV: 1.0,
    TerminalType.ROBOT_CELL: 1.5,
    TerminalType.PLC: 1.2,
    TerminalType.QC_CAMERA: 1.8,
    TerminalType.AR_HEADSET: 1.6,
    TerminalType.SENSOR: 1.0,
    TerminalType.CPE: 1.8,
    TerminalType.HANDHELD: 1.2,
}

# Application class of a terminal that names no application.
DEFAULT_CLASS_BY_TYPE: dict[TerminalType, ApplicationClass] = {
    TerminalType.AGV: ApplicationClass.AGV_CONTROL,
    TerminalType.ROBOT_CELL: ApplicationClass.MOTION_CONTROL,
    TerminalType.PLC: ApplicationClass.MOTION_CONTROL,
    TerminalType.QC_CAMERA: ApplicationClass.MACHINE_VISION_QC,
    TerminalType.AR_HEADSET: ApplicationClass.AR_MAINTENANCE,
    TerminalType.SENSOR: ApplicationClass.SENSORS,
    TerminalType.CPE: ApplicationClass.VIDEO_SURVEILLANCE,
    TerminalType.HANDHELD: ApplicationClass.AR_MAINTENANCE,
}
