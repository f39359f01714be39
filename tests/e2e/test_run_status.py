"""The live status of `openipn run`: what the line says, refreshed in place, plain when piped."""

from __future__ import annotations

import io
import os

import pytest

from openipn.livejob.status import Snapshot, counter_total, describe_alarm, status_line
from openipn.livejob.terminal import CLEAR_LINE, RunOutput

METRICS = """# HELP openipn_ves_events_total ves events total
# TYPE openipn_ves_events_total counter
openipn_ves_events_total 1303.0
openipn_ves_journal_lag 0.0
"""


def _snapshot(taken: float, events: float, files: float, **fields: object) -> Snapshot:
    return Snapshot(taken, events_total=events, pm_files_total=files, **fields)  # type: ignore[arg-type]


def test_the_line_says_clock_elements_rates_alarms_and_the_newest() -> None:
    before = _snapshot(100.0, 1000.0, 24)
    alarm = {
        "severity": "MAJOR",
        "condition": "heartbeatLost",
        "ref": "gnb:gnb-ws1-01",
        "raised_at": "2026-12-07T11:49:30Z",
        "active": True,
    }
    now = _snapshot(
        130.0,
        1600.0,
        36,
        sim_clock="2026-12-07 12:03Z",
        by_severity={"CRITICAL": 0, "MAJOR": 2, "MINOR": 1, "WARNING": 0},
        silent=2,
        newest=describe_alarm(alarm),
    )
    line = status_line(now, before, elements=24)
    assert line == (
        "sim 2026-12-07 12:03Z | elements 22/24 reporting | events 1200/min | "
        "PM files 24/min | active alarms: 2 major, 1 minor | "
        "newest: MAJOR heartbeatLost on gnb:gnb-ws1-01 at 2026-12-07 11:49Z"
    )


def test_no_events_means_no_element_reporting_and_a_first_line_has_no_rates() -> None:
    first = _snapshot(0.0, 50.0, 0)
    assert "elements 24/24 reporting | events -/min | PM files -/min" in status_line(
        first, None, 24
    )
    assert "active alarms: none | newest: -" in status_line(first, None, 24)
    quiet = _snapshot(60.0, 50.0, 0)
    assert "elements 0/24 reporting | events 0/min" in status_line(quiet, first, 24)
    soon = _snapshot(20.0, 50.0, 0)  # 20 s between heartbeats: no proof of silence yet
    assert "elements 24/24 reporting | events 0/min" in status_line(soon, first, 24)
    nothing_yet = _snapshot(0.0, 0.0, 0)
    assert "elements 0/24 reporting" in status_line(nothing_yet, None, 24)


def test_counters_are_read_from_the_platform_metrics_page() -> None:
    assert counter_total(METRICS, "openipn_ves_events") == 1303.0
    assert counter_total("openipn_build_info 1.0\n", "openipn_ves_events") is None


def test_a_cleared_newest_alarm_says_so() -> None:
    alarm = {
        "severity": "MINOR",
        "condition": "HIGH_UL_INTERFERENCE",
        "ref": None,
        "source": "gnb-ws1-01",
        "raised_at": "2026-12-07T11:49:30+00:00",
        "active": False,
    }
    assert describe_alarm(alarm).endswith("on gnb-ws1-01 at 2026-12-07 11:49Z, cleared")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_status_is_rewritten_in_place_and_messages_end_it() -> None:
    stream = _Tty()
    output = RunOutput(stream)
    output.status("one")
    output.status("two")
    output.say("the twin stopped")
    assert stream.getvalue() == f"{CLEAR_LINE}one{CLEAR_LINE}two\nthe twin stopped\n"


def test_without_a_terminal_status_lines_are_plain_and_once_a_minute() -> None:
    stream = io.StringIO()
    output = RunOutput(stream)
    output.status("first")
    output.status("too soon")
    output.say("message")
    assert stream.getvalue() == "first\nmessage\n"
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_a_closed_pipe_silences_the_output_instead_of_raising() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `openipn run | head` after head exited
    with os.fdopen(write_end, "w") as stream:
        output = RunOutput(stream)
        output.say("nobody reads this")  # no BrokenPipeError
        output.status("nor this")
        stream.write("x")
        stream.flush()  # the stream now goes to /dev/null: the last flush cannot fail


@pytest.mark.parametrize("iso", ["2026-12-07T12:03:00+00:00", "2026-12-07T12:03:00Z"])
def test_times_are_shown_in_utc_to_the_minute(iso: str) -> None:
    from openipn.livejob.status import short_time

    assert short_time(iso) == "2026-12-07 12:03Z"


def test_on_a_narrow_terminal_the_status_is_cut_to_the_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    stream = _Tty()
    RunOutput(stream).status("x" * 100)
    assert stream.getvalue() == f"{CLEAR_LINE}{'x' * 39}"
