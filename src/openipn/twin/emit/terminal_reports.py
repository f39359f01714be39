"""Terminal reports: the per-terminal view of the simulation as VES measurement events.

Every `interval_s` of simulated time, one logical source, a terminal monitor, samples every
terminal (registration, serving cell, slice, latency, reliability, served bit rates, position,
and what it measured: serving SS-RSRP/RSRQ/SINR and up to three neighbours by PCI and SS-RSRP)
and sends it as `measurementFields.additionalMeasurements`, one named hashMap per terminal,
split into events of at most `per_event` terminals. One monitor rather than the gNBs: the
values come from several functions (registration from the AMF, the cell from the gNB, latency
from the user plane, the position from a location service) and a gNB knows nothing of the
terminals it does not serve, so a per-gNB report could never say "not connected". The values
are a sample taken at the event time; `measurementInterval` is the time since the last report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openipn.codecs import terminal_report, ves
from openipn.codecs.terminal_report import TerminalKey, neighbour_columns
from openipn.codecs.ves import Event, NamedHashMap
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.results import TerminalView

NF_TYPE = "TerminalMonitor"
DEFAULT_PER_EVENT = 100  # terminals per event: 600 terminals -> 6 events of ~25 kB
_K = TerminalKey
CELL, SNSSAI, SUPI = str(_K.CELL), str(_K.SNSSAI), str(_K.SUPI)
_FLAG_TEXT = ("false", "true")  # indexed by a bool


def _texts(column: list[float], digits: int) -> list[str]:
    """Fixed-point texts of a column; a value that is not known reads as one of _UNKNOWN."""
    return [f"{value:.{digits}f}" for value in column]


_UNKNOWN = frozenset({"", "nan", "-nan", "inf", "-inf"})  # never sent: unknown is left out


@dataclass(frozen=True)
class Identity:
    """What the view does not carry: each terminal's SUPI and each slice's S-NSSAI."""

    supis: Sequence[str | None]  # aligned with TerminalView.names
    snssais: Sequence[str]  # by slice index


def _hash_maps(view: TerminalView, ident: Identity) -> list[NamedHashMap]:
    """One hashMap per terminal; lists first, so 600 terminals cost a few milliseconds."""
    cells, names = view.cell.tolist(), view.cell_names
    numbers: dict[str, tuple[list[float], int]] = {  # plain str keys: an enum hashes slowly
        _K.LATENCY_MS: (view.latency_ms.tolist(), 3),
        _K.LATENCY_UL_MS: (view.latency_ul_ms.tolist(), 3),
        _K.LATENCY_DL_MS: (view.latency_dl_ms.tolist(), 3),
        _K.RELIABILITY: (view.reliability.tolist(), 6),
        _K.DL_BPS: (view.throughput_dl_bps.tolist(), 0),
        _K.UL_BPS: (view.throughput_ul_bps.tolist(), 0),
        _K.X_M: (view.x.tolist(), 2),
        _K.Y_M: (view.y.tolist(), 2),
        _K.RSRP_DBM: (view.rsrp_dbm.tolist(), 1),
        _K.RSRQ_DB: (view.rsrq_db.tolist(), 1),
        _K.SINR_DB: (view.sinr_db.tolist(), 1),
    }
    texts: dict[str, list[str]] = {
        str(key): _texts(column, digits) for key, (column, digits) in numbers.items()
    }
    texts |= neighbour_columns(view.nbr_pci.tolist(), view.nbr_rsrp_dbm.tolist())
    for key, column in ((_K.REGISTERED, view.registered), (_K.CONNECTED, view.connected),
                        (_K.SESSION, view.session), (_K.ACTIVE, view.active)):  # fmt: skip
        texts[str(key)] = [_FLAG_TEXT[flag] for flag in column.tolist()]
    keys, slices, supis = list(texts), view.slice.tolist(), ident.supis
    result = []
    # one row of texts per terminal (zip over the columns): a dict comprehension per row
    rows = zip(*texts.values(), strict=True)
    for i, (name, row) in enumerate(zip(view.names, rows, strict=True)):
        values = {key: text for key, text in zip(keys, row, strict=True) if text not in _UNKNOWN}
        if cells[i] >= 0:
            values[CELL] = names[cells[i]]
        if 0 <= slices[i] < len(ident.snssais):
            values[SNSSAI] = ident.snssais[slices[i]]
        if supis[i]:
            values[SUPI] = supis[i]
        result.append(NamedHashMap(name, values))
    return result


class TerminalReporter:
    """Decides when a report is due and builds its events (simulated time only)."""

    def __init__(
        self,
        ident: Identity,
        source: ves.EventSource,
        *,
        interval_s: float,
        start: dt.datetime,
        per_event: int = DEFAULT_PER_EVENT,
    ) -> None:
        if interval_s <= 0 or per_event < 1:
            raise ValueError("a terminal report needs interval_s > 0 and per_event >= 1")
        self.ident, self.source = ident, source
        self.interval = dt.timedelta(seconds=interval_s)
        self.per_event = per_event
        self.last = start
        self.next_due = start + self.interval

    def due(self, at: dt.datetime) -> bool:
        """Whether a report is due at simulated time `at`."""
        return at >= self.next_due

    def events(
        self, view: TerminalView, at: dt.datetime, sequence: Callable[[], int]
    ) -> list[Event]:
        """The report events at `at` (empty when none is due); moves to the next due time."""
        if not self.due(at):
            return []
        while self.next_due <= at:  # a long step never makes a burst of catch-up reports
            self.next_due += self.interval
        interval_s, self.last = (at - self.last).total_seconds(), at
        maps = _hash_maps(view, self.ident)
        return [
            ves.measurement_event(
                self.source,
                at=at,
                sequence=sequence(),
                interval_s=interval_s,
                measurements=maps[i : i + self.per_event],
                additional={terminal_report.REPORT_TYPE_KEY: terminal_report.TERMINAL_REPORT},
                name_suffix=terminal_report.TERMINAL_REPORT,
                priority=ves.Priority.LOW,
            )
            for i in range(0, len(maps), self.per_event)
        ]


def reporter_for(
    sim: Simulation, interval_s: float | None, source_name: str, vendor: str
) -> TerminalReporter | None:
    """The reporter of a running simulation, or None when terminal reports are off."""
    if interval_s is None:
        return None
    world = sim.world
    ident = Identity(supis=list(world.terminals.supi), snssais=list(world.slices.snssai))
    source = ves.EventSource(name=source_name, nf_type=NF_TYPE, vendor=vendor)
    return TerminalReporter(ident, source, interval_s=interval_s, start=sim.now)
