"""The truth file: one JSON line per injected fault with its actual simulated start and end.

Each line has a `kind`: `fault` for a scenario's fault, `benign` for a benign event of the
scenario's `noise` (a transient alarm, a late PM file ...), which diagnosis should stay quiet
about. The platform never reads it; `openipn eval` (later) scores diagnosis against it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from openipn.twin.scenario import FaultSpec


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class TruthWriter:
    """Records when each fault really started and ended, one JSON line per fault, flushed."""

    def __init__(self, path: Path | None) -> None:
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w", encoding="utf-8")
        self._started: dict[str, tuple[FaultSpec, dt.datetime]] = {}

    def observe(self, active: list[FaultSpec], now: dt.datetime) -> None:
        """Note faults that started or ended at this step."""
        current = {fault.id: fault for fault in active}
        for fault_id, fault in current.items():
            self._started.setdefault(fault_id, (fault, now))
        for fault_id in [f for f in self._started if f not in current]:
            fault, start = self._started.pop(fault_id)
            self._write(fault, start, now)

    def close(self, end: dt.datetime | None = None) -> None:
        """End of run: faults still active are written with this end (null: not over).

        A run cut short (stopped, or aborted by an error) passes the moment it stopped, since
        its faults ended there; a run that reached its end leaves them open.
        """
        for fault, start in self._started.values():
            self._write(fault, start, end)
        self._started.clear()
        if self._file is not None:
            self._file.close()
            self._file = None

    def benign(
        self,
        record_id: str,
        kind: str,
        target: str,
        start: dt.datetime,
        end: dt.datetime | None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        """One benign occurrence of the scenario's noise, once its end is known."""
        self._line(
            {
                "kind": "benign",
                "id": record_id,
                "type": kind,
                "target": target,
                "start": _iso(start),
                "end": _iso(end),
                "params": dict(params or {}),
            }
        )

    def _write(self, fault: FaultSpec, start: dt.datetime, end: dt.datetime | None) -> None:
        if self._file is None:
            return
        record = {
            "kind": "fault",
            "id": fault.id,
            "type": fault.type,
            "target": fault.target,
            "start": _iso(start),
            "end": _iso(end),
            "params": fault.params,
        }
        self._line(record)

    def _line(self, record: Mapping[str, object]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()
