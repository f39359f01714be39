"""PM file intake: quirks, both roots, LDNs, vendor names, idempotency, quarantine, gzip."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from openipn.collect.pm_intake import Outcome, PmIntake
from openipn.collect.pm_names import MEANS, RENAMES
from openipn.collect.pm_parse import parse_pm
from openipn.store.telemetry.api import SampleBatch, TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
GNB = FIXTURES / "A20250301.1000+0000-1015+0000_gnb-7.xml"
QUIRKS = FIXTURES / "D20250301.1000+0000-1015+0000_quirks.xml"
VENDOR = FIXTURES / "A20250301.1000+0000-1015+0000_vendor.xml"
T0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def rows(batch: SampleBatch) -> dict[tuple[str, str], tuple[int, int, float]]:
    """(object, measurement) -> (start, seconds, value), asserting each key is unique."""
    found = {}
    for i in range(len(batch)):
        key = (batch.objects[batch.object_index[i]], batch.measurements[batch.measurement_index[i]])
        assert key not in found
        found[key] = (int(batch.starts[i]), int(batch.seconds[i]), float(batch.values[i]))
    return found


def epoch(hour: int, minute: int) -> int:
    return int((T0 + dt.timedelta(hours=hour, minutes=minute)).timestamp())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TelemetryStore]:
    opened = open_telemetry_store(tmp_path / "telemetry", durable=False)
    yield opened
    opened.close()


@pytest.fixture
def intake(store: TelemetryStore, tmp_path: Path) -> PmIntake:
    return PmIntake(store, tmp_path / "quarantine")


def test_meascollec_file_relative_ldns_get_prefix_and_element() -> None:
    found = rows(parse_pm(GNB.read_bytes()))
    cell1 = "SubNetwork=plant-a,ManagedElement=gnb-7,GNBDUFunction=1,NRCellDU=1"
    assert found[(cell1, "RRU.PrbUsedDl")] == (epoch(10, 0), 900, 1200.0)
    assert found[(cell1, "DRB.UEThpDl")] == (epoch(10, 0), 900, 35210.5)
    # second measInfo: own granPeriod (PT300S ending 10:15+01:00 = 09:15Z)
    cu = "SubNetwork=plant-a,ManagedElement=gnb-7,GNBCUCPFunction=1,NRCellCU=1"
    assert found[(cu, "RRC.ConnEstabSucc")] == (epoch(9, 10), 300, 16.0)
    assert len(found) == 8  # zero is a value and is kept; the suspect row too


def test_measdata_file_with_quirks() -> None:
    """28.532 root, stylesheet PI first, NULL/NIL/empty, arrays, `, , ,`, full and relative LDNs."""
    found = rows(parse_pm(QUIRKS.read_bytes()))
    base = "DC=example.org,SubNetwork=plant-b,ManagedElement=gnb-9,GNBDUFunction=1,NRCellDU="
    start = epoch(3, 0)  # 11:00+08:00
    assert found[(f"{base}1", "pmRadioUeRepRankDistr.0")] == (start, 900, 4.0)
    assert found[(f"{base}1", "pmRadioUeRepRankDistr.1")] == (start, 900, 0.0)
    assert (f"{base}1", "pmRadioUeRepRankDistr.2") not in found  # empty array item
    assert found[(f"{base}1", "pmRadioUeRepRankDistr.3")] == (start, 900, 7.0)
    assert (f"{base}1", "DRB.UEThpDl") not in found  # NULL
    assert (f"{base}1", "RRU.PrbUsedDl") not in found  # empty <r>
    assert (f"{base}2", "DRB.UEThpDl") not in found  # NIL
    assert not [k for k in found if k[0] == f"{base}2" and k[1].startswith("pmRadio")]
    assert found[(f"{base}2", "DRB.MeanActiveUeDl")] == (start, 900, 1.0)  # r out of order
    assert found[(f"{base}3", "DRB.MeanActiveUeDl")][2] == 3.0  # full LDN, padded value
    assert {k[0] for k in found} == {f"{base}{n}" for n in (1, 2, 3)}


def test_vendor_names_are_mapped_and_means_derived() -> None:
    found = rows(parse_pm(VENDOR.read_bytes()))
    a, b = (f"ManagedElement=enb-3,ENodeBFunction=1,EUtranCellFDD={c}" for c in "AB")
    assert found[(a, "RRC.ConnEstabAtt")][2] == 100.0
    assert (a, "pmRrcConnEstabAtt") not in found
    assert found[(a, "DRB.PdcpSduVolumeDL")][2] == pytest.approx(2500.0)  # kbit -> Mbit
    assert found[(a, "DRB.MeanActiveUeDl")][2] == pytest.approx(36000 / 900000)
    assert (b, "DRB.MeanActiveUeDl") not in found  # no scheduling activity: unknown, not 0
    assert (b, "DRB.PdcpSduVolumeDL") not in found  # NIL
    assert found[(a, "pmVendorOnly")][2] == 7.0  # unmapped names kept verbatim


def test_mapping_table_rows_document_their_source() -> None:
    assert all(row.source.startswith(("[O]", "[K]")) for row in (*RENAMES, *MEANS))
    assert len({row.vendor for row in RENAMES}) == len(RENAMES)


def test_same_file_twice_and_same_content_renamed_count_once(intake: PmIntake) -> None:
    data = GNB.read_bytes()
    first = intake.ingest_bytes(data, GNB.name)
    assert (first.outcome, first.rows) == (Outcome.STORED, 8)
    assert intake.ingest_bytes(data, GNB.name).outcome is Outcome.DUPLICATE
    assert intake.ingest_bytes(data, "renamed.xml").outcome is Outcome.DUPLICATE
    assert intake.ingest_bytes(gzip.compress(data), "renamed.xml.gz").outcome is Outcome.DUPLICATE
    samples = intake.store.samples(
        measurements=None, objects=None, start=T0, end=T0 + dt.timedelta(days=1)
    )
    assert len(samples) == 8


def test_gzip_file_is_inflated(intake: PmIntake) -> None:
    result = intake.ingest_bytes(gzip.compress(QUIRKS.read_bytes()), QUIRKS.name + ".gz")
    assert result.outcome is Outcome.STORED and result.rows == 12


GOOD = GNB.read_text()
BAD_FILES = {
    "not-well-formed": (GOOD.replace("</measInfo>", "</measInf>", 1), "not well-formed"),
    "wrong-root": (GOOD.replace("measCollecFile", "measFile"), "not a PM file"),
    "no-granperiod": (
        GOOD.replace('<granPeriod duration="PT300S" endTime="2025-03-01T10:15:00+01:00"/>', ""),
        "no granPeriod",
    ),
    "word-value": (
        GOOD.replace('<r p="3">0.25</r>', '<r p="3">lots</r>'),
        "'lots' is not a number",
    ),
    "p-without-type": (GOOD.replace('<r p="3">0.25</r>', '<r p="4">0.25</r>'), "p='4'"),
    "infinite": (GOOD.replace('<r p="2">16</r>', '<r p="2">INF</r>'), "not a finite number"),
    "bad-array-item": (GOOD.replace('<r p="1">17</r>', '<r p="1">1,x,3</r>'), "item 1"),
    "gzip-broken": (None, "gzip"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_quarantined_with_reason_and_nothing_stored(
    case: str, intake: PmIntake, tmp_path: Path
) -> None:
    text, expected = BAD_FILES[case]
    data = gzip.compress(GOOD.encode())[:60] if text is None else text.encode()
    result = intake.ingest_bytes(data, f"{case}.xml")
    assert result.outcome is Outcome.QUARANTINED
    assert result.reason is not None and expected in result.reason
    assert result.quarantined_as == tmp_path / "quarantine" / f"{case}.xml"
    assert result.quarantined_as.read_bytes() == data
    reason = json.loads(Path(f"{result.quarantined_as}.reason.json").read_text())
    assert reason["file"] == f"{case}.xml" and expected in reason["reason"]
    assert intake.store.measurement_names() == []


def test_reason_names_the_line_of_a_syntax_error(intake: PmIntake) -> None:
    lines = GOOD.splitlines()
    assert "<r " in lines[21]
    lines[21] = lines[21].replace("<r ", "<r <")  # line 22
    result = intake.ingest_bytes("\n".join(lines).encode(), "broken.xml")
    assert result.line == 22
    reason = json.loads(Path(f"{result.quarantined_as}.reason.json").read_text())
    assert reason["line"] == 22


def test_quarantine_keeps_both_files_of_one_name(intake: PmIntake) -> None:
    first = intake.ingest_bytes(b"<nope/>", "x.xml")
    second = intake.ingest_bytes(b"<nope2/>", "x.xml")
    assert first.quarantined_as != second.quarantined_as
    assert second.quarantined_as is not None and second.quarantined_as.read_bytes() == b"<nope2/>"


def test_ingest_files_moves_good_ones_to_done(intake: PmIntake, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good, bad = inbox / GNB.name, inbox / "bad.xml"
    good.write_bytes(GNB.read_bytes())
    bad.write_text("<measCollecFile/>")
    results = list(intake.ingest_files([good, bad], done_dir=tmp_path / "done"))
    assert [r.outcome for r in results] == [Outcome.STORED, Outcome.QUARANTINED]
    assert (tmp_path / "done" / GNB.name).exists() and not good.exists()
    assert (tmp_path / "quarantine" / "bad.xml").exists() and not bad.exists()
