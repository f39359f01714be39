"""VES measurement events: schema-valid, round-trip through the parser, bad blocks named."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openipn.codecs.terminal_report import REPORT_TYPE_KEY, TERMINAL_REPORT
from openipn.codecs.ves import (
    MEASUREMENT_FIELDS_VERSION,
    Domain,
    EventSource,
    NamedHashMap,
    VesFormatError,
    batch_body,
    measurement_event,
)
from openipn.codecs.ves_parse import parse_body, parse_event, validate_against_schema
from samples_kit import sample

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "samples"
SCHEMA_FILE = SAMPLES / "CommonEventFormat_30.2.1_ONAP.json"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
MONITOR = EventSource(name="terminal-monitor", nf_type="TerminalMonitor")
TERMINALS = [
    NamedHashMap("agv-01", {"latencyMs": "4.125", "registered": "true", "xM": "12.50"}),
    NamedHashMap("cam-07", {"registered": "false"}),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The ONAP CommonEventFormat 30.2.1 schema from the shared reference folder."""
    if not SCHEMA_FILE.exists():
        pytest.skip(f"VES schema not available at {SCHEMA_FILE}")
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def report(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "at": T0,
        "sequence": 7,
        "interval_s": 60.0,
        "measurements": TERMINALS,
        "additional": {REPORT_TYPE_KEY: TERMINAL_REPORT},
        "name_suffix": TERMINAL_REPORT,
    }
    return measurement_event(MONITOR, **(arguments | overrides))


def test_measurement_event_is_schema_valid_and_round_trips(schema: dict[str, Any]) -> None:
    event = report()
    assert validate_against_schema(event, schema) == []
    assert validate_against_schema(batch_body([event, report(sequence=8)]), schema) == []
    block = event["measurementFields"]
    assert block["measurementFieldsVersion"] == MEASUREMENT_FIELDS_VERSION
    parsed = parse_event(json.loads(json.dumps(event)))
    assert parsed.domain is Domain.MEASUREMENT
    assert parsed.event_name == "Measurement_TerminalMonitor_TerminalReport"
    assert parsed.last == T0 and parsed.start == T0 - timedelta(seconds=60)
    assert parsed.measurement is not None
    assert parsed.measurement.interval_s == 60.0
    assert parsed.measurement.additional == {REPORT_TYPE_KEY: TERMINAL_REPORT}
    assert parsed.measurement.named == tuple(TERMINALS)


def test_same_content_same_id_and_content_changes_the_id() -> None:
    assert report()["commonEventHeader"]["eventId"] == report()["commonEventHeader"]["eventId"]
    other = report(measurements=TERMINALS[:1])
    assert other["commonEventHeader"]["eventId"] != report()["commonEventHeader"]["eventId"]


def test_bad_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval"):
        report(interval_s=0)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("measurementInterval",), "60", "measurementInterval"),
        (("measurementInterval",), -5, "positive"),
        (("additionalMeasurements",), {"name": "x"}, "additionalMeasurements"),
        (("additionalMeasurements", 0, "hashMap"), {"latencyMs": 4}, r"agv-01\].hashMap"),
        (("additionalMeasurements", 1), "cam-07", "must be an object"),
        (("additionalFields",), ["reportType"], "additionalFields"),
    ],
)
def test_bad_measurement_blocks_name_the_field(
    path: tuple[Any, ...], value: Any, message: str
) -> None:
    event = copy.deepcopy(report())
    target = event["measurementFields"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(VesFormatError, match=message):
        parse_event(event)


def test_a_measurement_event_without_its_block_parses_as_header_only() -> None:
    event = report()
    del event["measurementFields"]
    assert parse_event(event).measurement is None
    event["measurementFields"] = "nope"
    with pytest.raises(VesFormatError, match="measurementFields"):
        parse_event(event)


def test_the_onap_sample_batch_still_parses() -> None:
    body = json.loads(sample("ves7_batch_valid.json").read_text(encoding="utf-8"))
    events = parse_body(body)
    assert events and all(e.event_id for e in events)


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=40, deadline=None)
@given(
    items=st.lists(
        st.builds(NamedHashMap, text.filter(bool), st.dictionaries(text, text, max_size=4)),
        max_size=5,
    ),
    interval=st.floats(min_value=0.001, max_value=86_400),
)
def test_any_named_hash_maps_round_trip(
    items: list[NamedHashMap], interval: float, schema: dict[str, Any]
) -> None:
    event = report(measurements=items, interval_s=interval)
    assert validate_against_schema(event, schema) == []
    parsed = parse_event(json.loads(json.dumps(event)))
    assert parsed.measurement is not None
    assert parsed.measurement.named == tuple(items)
    assert parsed.measurement.interval_s == interval
