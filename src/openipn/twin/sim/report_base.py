"""Types and value formatting shared by the period report modules (units per TS 28.552)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.twin.sim.counters import Accumulator
from openipn.twin.sim.geometry import BoolArray, IntArray
from openipn.twin.sim.world import World

Value = int | float | None
Measurement = tuple[str, str, dict[str, Value]]  # (measInfoId, measObjLdn, {name: value})
TENTH_MS = 10.0  # ms -> units of 0.1 ms (TS 28.552 delay counters)
MICROSECONDS = 1000.0  # ms -> µs (vendor delay counters of transport ports and the UPF)


@dataclass(frozen=True)
class RadioWindow:
    """The bin counts (cells x bins) of one closed granularity period of the radio job."""

    table: IntArray
    seconds: int


@dataclass
class ReportContext:
    """Everything the report needs besides the counters."""

    world: World
    acc: Accumulator
    reachable: BoolArray  # per element, at the end of the period
    core_up: BoolArray
    upf_up: BoolArray
    edge_up: BoolArray
    radio: RadioWindow | None = None  # the radio job's window when it closes with this period


def rounded(value: float | None) -> Value:
    """A value to three decimals; None stays None (NIL)."""
    return None if value is None else round(float(value), 3)


def whole(value: float) -> int:
    """A count as an integer."""
    return round(float(value))


def tenths(ms: float | None) -> Value:
    """A delay in ms as TS 28.552 units of 0.1 ms."""
    return None if ms is None else rounded(ms * TENTH_MS)


def dbm(mw: float | None) -> Value:
    """A power in mW as dBm; None (NIL) for no power."""
    return None if not mw else rounded(10.0 * float(np.log10(mw)))
