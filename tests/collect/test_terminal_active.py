"""The `active` flag of a terminal report: read like the other flags, stored, shown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openipn.api.terminals import status_out
from openipn.app import Services
from openipn.codecs import ves
from openipn.codecs.terminal_report import REPORT_TYPE_KEY, TERMINAL_REPORT
from openipn.codecs.ves import NamedHashMap
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import StoredEvent
from openipn.collect.terminals import TerminalStatusHandler
from openipn.model.dn import terminal_dn
from openipn.store.telemetry.parquet_store import open_telemetry_store
from openipn.store.terminals import TerminalStatusBook

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
SENT = {  # terminal -> its `active` text (None: an older sender, no key)
    "on": "true",
    "off": "FALSE",
    "old": None,
    "odd": "sometimes",  # unreadable: dropped
}


def event() -> StoredEvent:
    """One terminal report of the four terminals of SENT."""
    maps = []
    for name, active in SENT.items():
        values = {"registered": "true", "connected": "true", "latencyMs": "4.0"}
        maps.append(NamedHashMap(name, values if active is None else values | {"active": active}))
    made = ves.measurement_event(
        ves.EventSource(name="terminal-monitor", nf_type="TerminalMonitor"),
        at=T0,
        sequence=1,
        interval_s=60,
        measurements=maps,
        additional={REPORT_TYPE_KEY: TERMINAL_REPORT},
    )
    return StoredEvent(1, dt.datetime.now(dt.UTC), parse_event(made), made)


def stored_samples(services: Services, tmp_path: Path, measurements: list[str]) -> list[Any]:
    """The samples of the given series the intake stores from the event of SENT."""
    telemetry = open_telemetry_store(tmp_path / "telemetry")
    try:
        TerminalStatusHandler(services.engine, telemetry).handle([event()])
        return list(
            telemetry.samples(
                measurements=measurements,
                objects=[terminal_dn(n) for n in SENT],
                start=T0 - dt.timedelta(hours=1),
                end=T0 + dt.timedelta(hours=1),
            )
        )
    finally:
        telemetry.close()


def test_active_is_a_flag_stored_as_its_series_and_shown_beside_the_others(
    services: Services, tmp_path: Path
) -> None:
    samples = stored_samples(services, tmp_path, ["VS.UeActive"])
    stored = {s.object: s.value for s in samples}
    assert stored == {terminal_dn("on"): 1.0, terminal_dn("off"): 0.0}
    book = TerminalStatusBook(services.engine)
    shown = {n: status_out(row) for n in SENT if (row := book.status(n)) is not None}
    assert {n: s["active"] for n, s in shown.items()} == {
        "on": True,
        "off": False,
        "old": None,
        "odd": None,
    }
    assert all("active" not in s["detail"] for s in shown.values())  # shown once, not twice


def test_an_idle_report_keeps_its_flags_and_position_but_no_service_values(
    services: Services, tmp_path: Path
) -> None:
    samples = stored_samples(services, tmp_path, ["VS.UeLatencyMs", "VS.UeRegistered"])
    latency = {s.object for s in samples if s.measurement == "VS.UeLatencyMs"}
    registered = {s.object for s in samples if s.measurement == "VS.UeRegistered"}
    assert latency == {terminal_dn(n) for n in ("on", "old", "odd")}  # "off" said it was idle
    assert registered == {terminal_dn(n) for n in SENT}
