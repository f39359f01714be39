"""What a step hands back: reachability, alarm transitions and the per-terminal view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openipn.twin.sim.alarms import AlarmEvent
from openipn.twin.sim.config import ConfigChange
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray


@dataclass(frozen=True)
class TerminalView:
    """Per-terminal state after a step, as arrays aligned with `names`."""

    names: list[str]
    cell_names: list[str]
    cell: IntArray  # -1: not connected
    slice: IntArray
    x: FloatArray
    y: FloatArray
    connected: BoolArray
    registered: BoolArray
    session: BoolArray
    active: BoolArray  # its application had traffic to send (on, not idle, not switched off)
    latency_ms: FloatArray  # one-way, the worse direction; NaN without service
    latency_ul_ms: FloatArray
    latency_dl_ms: FloatArray
    reliability: FloatArray
    throughput_dl_bps: FloatArray
    throughput_ul_bps: FloatArray
    rsrp_dbm: FloatArray  # serving cell's SS-RSRP as the terminal reports it; NaN: none
    rsrq_db: FloatArray
    sinr_db: FloatArray
    nbr_pci: IntArray  # (n, 3) strongest neighbours' PCIs, strongest first; -1: none
    nbr_rsrp_dbm: FloatArray  # (n, 3) their SS-RSRP; NaN: none

    def cell_of(self, name: str) -> str | None:
        """The serving cell of a terminal, by name."""
        cell = int(self.cell[self.names.index(name)])
        return self.cell_names[cell] if cell >= 0 else None


@dataclass(frozen=True)
class StepResult:
    """What one step produced."""

    time: dt.datetime
    reachable: set[str]  # managed elements alive and reachable: they send heartbeats
    alarms: list[AlarmEvent]  # raise/clear transitions reported this step
    config_changes: list[ConfigChange]  # changes made by faults (a PCI pushed by a bad change)
    sessions_refused: set[str]  # elements whose management sessions fail (expired certificate)
    terminals: TerminalView
