"""SLA compliance of slices and applications against hand-built terminal reports."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from openipn.assure.sla import evaluate, groups, load_reports, sla_report
from openipn.codecs import ves
from openipn.codecs.terminal_report import REPORT_TYPE_KEY, TERMINAL_REPORT
from openipn.codecs.ves import NamedHashMap
from openipn.codecs.ves_parse import parse_event
from openipn.collect.terminals import sample_batch, terminal_reports
from openipn.model.document import SiteDocument
from openipn.sitefile import parse_site_text
from openipn.store.telemetry.api import Source, TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
NAN = math.nan
MONITOR = ves.EventSource(name="terminal-monitor", nf_type="TerminalMonitor")

# agv-control: budget 10 ms, reliability 99.999 %, UL 2 / DL 1 Mbit/s. Four reports each.
LATENCY: dict[str, list[float]] = {
    "agv-ws1-001": [5, 5, 5, 5],
    "agv-ws1-002": [5, 12, 5, NAN],  # one over budget, one without service
    "agv-ws1-003": [5, 5, 5, 5],
}
RELIABILITY: dict[str, list[float]] = {
    "agv-ws1-001": [1, 1, 1, 1],
    "agv-ws1-002": [1, 1, 1, 0.5],
    "agv-ws1-003": [1, 1, 0.9, 1],
}
DL_BPS: dict[str, list[float]] = {
    "agv-ws1-001": [0.5e6, 2e6, 2e6, 2e6],  # under 1 Mbit/s once
    "agv-ws1-002": [2e6] * 4,
    "agv-ws1-003": [2e6] * 4,
}
POSITION: dict[str, list[tuple[float, float]]] = {
    "agv-ws1-001": [(10.0, 10.0)] * 4,
    "agv-ws1-002": [(30.0, 10.0)] * 4,
    "agv-ws1-003": [(70.0, 50.0)] * 3 + [(90.0, 10.0)],  # last report outside WS1
}


@functools.cache
def document() -> SiteDocument:
    """examples/small.yaml, parsed once."""
    return parse_site_text(SMALL.read_text(encoding="utf-8"))


def values(name: str, k: int) -> dict[str, str]:
    """The hashMap of one terminal's k-th report."""
    out = {"registered": "true", "connected": "true", "reliability": str(RELIABILITY[name][k])}
    out |= {"dlBps": str(DL_BPS[name][k]), "ulBps": "3000000"}
    out |= {"xM": str(POSITION[name][k][0]), "yM": str(POSITION[name][k][1])}
    if not math.isnan(LATENCY[name][k]):
        out["latencyMs"] = str(LATENCY[name][k])
    return out


def write(store: TelemetryStore, at: dt.datetime, terminals: Mapping[str, dict[str, str]]) -> None:
    """Store one terminal report event as the platform's handler does."""
    event = ves.measurement_event(
        MONITOR,
        at=at,
        sequence=1,
        interval_s=60,
        measurements=[NamedHashMap(n, v) for n, v in terminals.items()],
        additional={REPORT_TYPE_KEY: TERMINAL_REPORT},
    )
    parsed = parse_event(event)
    batch = sample_batch(terminal_reports(parsed))
    store.append(batch, source=Source.VES, key=parsed.event_id, name=parsed.event_name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TelemetryStore]:
    """A telemetry store holding four report intervals of three agv-control terminals."""
    made = open_telemetry_store(tmp_path / "telemetry")
    for k in range(4):
        write(made, T0 + (k + 1) * MINUTE, {name: values(name, k) for name in LATENCY})
    try:
        yield made
    finally:
        made.close()


def window() -> tuple[dt.datetime, dt.datetime]:
    return T0, T0 + 10 * MINUTE


def find(report: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in report[f"{kind}s"] if g["name"] == name)
    return found


def test_application_latency_counts(store: TelemetryStore) -> None:
    report = sla_report(document(), store, *window())
    agv = find(report, "application", "agv-control")
    assert (agv["terminals"], agv["terminals_reporting"], agv["terminals_silent"]) == (6, 3, 3)
    latency = agv["latency"]
    assert latency["reports"] == {"total": 12, "met": 10, "share": round(10 / 12, 6)}
    assert latency["intervals"] == {
        "measured": 4,
        "met": 2,
        "share": 0.5,
        "seconds_measured": 240,
        "seconds_met": 120,
    }
    assert latency["terminals"] == {
        "evaluated": 3,
        "met": 2,
        "share": round(2 / 3, 6),
        "failing": ["agv-ws1-002"],
    }
    assert latency["no_service_reports"] == 1
    assert (latency["p50_ms"], latency["max_ms"]) == (5.0, 12.0)


def test_application_reliability_and_bitrate(store: TelemetryStore) -> None:
    agv = find(sla_report(document(), store, *window()), "application", "agv-control")
    reliability = agv["reliability"]
    assert reliability["reports"]["met"] == 10
    assert (reliability["intervals"]["measured"], reliability["intervals"]["met"]) == (4, 2)
    assert reliability["terminals"]["failing"] == ["agv-ws1-002", "agv-ws1-003"]
    bitrate = agv["bitrate"]
    assert (bitrate["reports"]["total"], bitrate["reports"]["met"]) == (12, 11)
    assert (bitrate["intervals"]["met"], bitrate["terminals"]["failing"]) == (3, ["agv-ws1-001"])


def test_slice_uses_its_own_targets_and_all_its_terminals(store: TelemetryStore) -> None:
    report = sla_report(document(), store, *window())
    urllc = find(report, "slice", "urllc-control")  # 2 ms budget, 50 Mbit/s UL + DL
    assert (urllc["terminals"], urllc["terminals_reporting"]) == (12, 3)
    assert urllc["latency"]["reports"] == {"total": 12, "met": 0, "share": 0.0}
    assert urllc["latency"]["intervals"]["met"] == 0
    assert urllc["bitrate"]["reports"]["met"] == 0
    silent = find(report, "application", "motion-control")
    assert silent["latency"]["reports"] == {"total": 0, "met": 0, "share": None}
    assert silent["latency"]["intervals"]["measured"] == 0 and silent["latency"]["p50_ms"] is None


def test_window_is_event_time_and_half_open(store: TelemetryStore) -> None:
    # Reports cover [T0+k min, T0+(k+1) min): from T0+2 min, two intervals remain.
    report = sla_report(document(), store, T0 + 2 * MINUTE, T0 + 4 * MINUTE)
    agv = find(report, "application", "agv-control")
    assert agv["latency"]["intervals"]["measured"] == 2
    assert agv["latency"]["reports"]["total"] == 6
    with pytest.raises(ValueError, match="after"):
        sla_report(document(), store, T0, T0)


def test_group_membership_follows_the_model() -> None:
    by_name = {(g.kind, g.name): g for g in groups(document())}
    assert len(by_name[("slice", "embb-vision")].terminals) == 8
    assert by_name[("application", "agv-control")].targets.ul_mbps == 2.0
    assert by_name[("slice", "urllc-control")].targets.total_mbps == 50.0


def test_load_reports_keeps_exact_terminals(store: TelemetryStore) -> None:
    table = load_reports(store, ["VS.UeLatencyMs"], *window(), ["agv-ws1-001"])
    assert table.terminals == ["agv-ws1-001"] and len(table) == 4
    group = next(g for g in groups(document()) if g.name == "agv-control")
    assert evaluate(group, table)["latency"]["reports"]["total"] == 4


# Idle terminals (`active: false`): per terminal, one report per step as (latency, active);
# NaN: no latency, active None: the key left out (older senders), None: no report at all.
Report = tuple[float, str | None] | None
Schedule = Mapping[str, Sequence[Report]]
IDLE: Schedule = {
    "agv-ws1-001": [(5, "true"), (30, "false"), (NAN, "false"), (5, "true")],  # idle twice
    "agv-ws1-002": [(5, "true"), (NAN, "true"), (12, None), (NAN, "false")],
    "agv-ws1-003": [(NAN, "false")] * 4,  # switched off all along
}


def report(latency: float, active: str | None) -> dict[str, str]:
    """A report served in full when it has a latency, with nothing served when not."""
    out = {"registered": "true", "connected": "true", "xM": "10.0", "yM": "10.0"}
    if not math.isnan(latency):
        out |= {"latencyMs": str(latency), "reliability": "1", "dlBps": "2e6", "ulBps": "3e6"}
    return out if active is None else out | {"active": active}


def write_schedule(store: TelemetryStore, schedule: Schedule, step: dt.timedelta) -> None:
    """Report k of each terminal covers [T0 + k·step, + 1 min)."""
    for k in range(max(len(reports) for reports in schedule.values())):
        due = {n: r[k] for n, r in schedule.items() if k < len(r)}
        write(store, T0 + k * step + MINUTE, {n: report(*r) for n, r in due.items() if r})


def without_idle(schedule: Schedule) -> Schedule:
    """The same reports with the idle ones never sent."""
    return {
        n: [None if r is None or r[1] == "false" else r for r in rs] for n, rs in schedule.items()
    }


def without_key(schedule: Schedule) -> Schedule:
    """The same reports from an older sender: no `active` key."""
    return {n: [None if r is None else (r[0], None) for r in rs] for n, rs in schedule.items()}


StoreOf = Callable[[Schedule, dt.timedelta], TelemetryStore]


@pytest.fixture
def store_of(tmp_path: Path) -> Iterator[StoreOf]:
    """Telemetry stores, each holding one schedule of reports."""
    made: list[TelemetryStore] = []

    def build(schedule: Schedule, step: dt.timedelta = MINUTE) -> TelemetryStore:
        made.append(open_telemetry_store(tmp_path / f"telemetry-{len(made)}"))
        write_schedule(made[-1], schedule, step)
        return made[-1]

    try:
        yield build
    finally:
        for store in made:
            store.close()


def verdicts(group: dict[str, Any]) -> dict[str, Any]:
    """What a group's targets say, leaving out the count of idle reports."""
    latency = {k: v for k, v in group["latency"].items() if k != "idle_reports"}
    return {"latency": latency, "reliability": group["reliability"], "bitrate": group["bitrate"]}


def test_idle_reports_are_neither_met_nor_missed(store_of: StoreOf) -> None:
    agv = find(
        sla_report(document(), store_of(IDLE, MINUTE), *window()), "application", "agv-control"
    )
    unsent = store_of(without_idle(IDLE), MINUTE)
    assert verdicts(agv) == verdicts(
        find(sla_report(document(), unsent, *window()), "application", "agv-control")
    )
    idle = sum(r is not None and r[1] == "false" for rs in IDLE.values() for r in rs)
    latency = agv["latency"]
    assert (latency["idle_reports"], latency["reports"]["total"]) == (idle, 12 - idle)
    assert latency["max_ms"] == 12.0  # the idle report's 30 ms is not evaluated
    assert (agv["terminals_reporting"], agv["terminals_idle"]) == (3, 1)
    assert latency["terminals"]["evaluated"] == 2
    assert latency["terminals"]["failing"] == ["agv-ws1-002"]  # not the switched-off 003


def test_an_active_report_without_latency_is_a_miss(store_of: StoreOf) -> None:
    def latency_of(active: str | None) -> dict[str, Any]:
        store = store_of({"agv-ws1-001": [(5, "true"), (NAN, active)]}, MINUTE)
        agv = find(sla_report(document(), store, *window()), "application", "agv-control")
        latency: dict[str, Any] = agv["latency"]
        return latency

    for active in ("true", None):  # said active, or not said: a miss
        missed = latency_of(active)
        assert missed["reports"] == {"total": 2, "met": 1, "share": 0.5}
        assert (missed["no_service_reports"], missed["idle_reports"]) == (1, 0)
    idle = latency_of("false")
    assert idle["reports"] == {"total": 1, "met": 1, "share": 1.0}
    assert (idle["no_service_reports"], idle["idle_reports"]) == (0, 1)


def test_a_report_without_the_key_is_taken_as_active(
    store: TelemetryStore, store_of: StoreOf
) -> None:
    said = {n: [(LATENCY[n][k], "true") for k in range(4)] for n in LATENCY}
    explicit = sla_report(document(), store_of(said, MINUTE), *window())
    assert sla_report(document(), store_of(without_key(said), MINUTE), *window()) == explicit
    agv = find(explicit, "application", "agv-control")
    assert agv["latency"]["no_service_reports"] == 1 and agv["terminals_idle"] == 0
