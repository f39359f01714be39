"""One alarm vocabulary: the model's X.733 enums, used unchanged by twin, codecs and intake."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from openipn.codecs.ves import VES_SEVERITY, EventSource
from openipn.codecs.ves_parse import parse_event
from openipn.collect.alarms import report_from_event
from openipn.model import alarms as vocabulary
from openipn.model.alarms import EventType, PerceivedSeverity, ProbableCause
from openipn.twin.adapters import fault_event
from openipn.twin.sim.alarms import ALARMS, AlarmEvent

SRC = Path(__file__).resolve().parents[2] / "src" / "openipn"
VOCABULARY_NAMES = {"Severity", "PerceivedSeverity", "EventType", "AlarmEventType", "ProbableCause"}
T0 = dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.UTC)


def test_only_the_model_defines_the_alarm_vocabulary() -> None:
    """No second Severity or EventType beside model/alarms.py (twin and VES codec had their own)."""
    home = Path(vocabulary.__file__).resolve()
    elsewhere = [
        f"{path.relative_to(SRC)}: {node.name}"
        for path in sorted(SRC.rglob("*.py"))
        if path.resolve() != home
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name in VOCABULARY_NAMES
    ]
    assert elsewhere == []


def test_the_ves_spelling_covers_every_level_but_indeterminate() -> None:
    """eventSeverity (VES 7 CommonEventFormat) has NORMAL for CLEARED and no INDETERMINATE."""
    assert set(PerceivedSeverity) - set(VES_SEVERITY) == {PerceivedSeverity.INDETERMINATE}
    assert VES_SEVERITY[PerceivedSeverity.CLEARED] == "NORMAL"


@pytest.mark.parametrize("kind", list(ALARMS))
@pytest.mark.parametrize("cleared", [False, True])
def test_a_twin_alarm_reaches_intake_with_the_same_words(kind: object, cleared: bool) -> None:
    """Twin alarm -> VES fault event -> parsed -> alarm report: identical enum members."""
    spec = ALARMS[kind]  # type: ignore[index]
    assert isinstance(spec.severity, PerceivedSeverity)
    assert isinstance(spec.event_type, EventType)
    assert isinstance(spec.probable_cause, ProbableCause)
    severity = PerceivedSeverity.CLEARED if cleared else spec.severity
    event = AlarmEvent(
        source="gnb-1",
        object="ManagedElement=gnb-1,GNBDUFunction=1,NRCellDU=1",
        alarm_condition=spec.condition,
        specific_problem=spec.specific_problem,
        severity=severity,
        event_type=spec.event_type,
        probable_cause=spec.probable_cause,
        time=T0,
        text="t",
    )
    wire = fault_event(event, EventSource(name="gnb-1", nf_type="gNB"), sequence=1)
    report = report_from_event(parse_event(wire))
    assert report.severity is severity
    assert report.is_clear is cleared
    assert report.event_type is spec.event_type
    assert report.probable_cause == spec.probable_cause
    assert report.object == event.object
