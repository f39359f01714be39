"""PM intake on real-world shapes: plain-name elements, several elements, future periods,
large and gzip-bomb files, each (object, counter, period) stored once, grouped appends."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from openipn.codecs.ts32435_pm import (
    FileHeader,
    ManagedElement,
    MeasInfo,
    MeasValue,
    PmFile,
    encode_meas_collec,
)
from openipn.collect.pm_intake import Outcome, PmIntake
from openipn.collect.pm_parse import parse_pm
from openipn.collect.pm_source import IntakeLimits
from openipn.store.telemetry.api import Tier
from openipn.store.telemetry.parquet_store import ParquetTelemetryStore, open_telemetry_store

END = dt.datetime(2025, 3, 1, 10, 15, tzinfo=dt.UTC)
START = int(END.timestamp()) - 900
WIDE = dt.timedelta(days=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ParquetTelemetryStore]:
    opened = open_telemetry_store(tmp_path / "telemetry", durable=False)
    yield opened
    opened.close()


@pytest.fixture
def intake(store: ParquetTelemetryStore, tmp_path: Path) -> PmIntake:
    return PmIntake(store, tmp_path / "quarantine")


def make(
    values: dict[str, tuple[object, ...]],
    *,
    names: tuple[str, ...] = ("C.a", "C.b"),
    element: str | None = "ManagedElement=gnb-1",
    prefix: str | None = "SubNetwork=x",
    end: dt.datetime = END,
    vendor: str = "v",
) -> bytes:
    info = MeasInfo(900, end, names, tuple(MeasValue(ldn, r) for ldn, r in values.items()))  # type: ignore[arg-type]
    header = FileHeader(
        begin_time=end - dt.timedelta(minutes=15), vendor_name=vendor, dn_prefix=prefix
    )
    return encode_meas_collec(PmFile(header, ManagedElement(element), (info,), end))


def stored(store: ParquetTelemetryStore) -> dict[tuple[str, str], float]:
    samples = store.samples(measurements=None, objects=None, start=END - WIDE, end=END + WIDE)
    found = {(s.object, s.measurement): s.value for s in samples}
    assert len(found) == len(samples)  # each (object, measurement, period) once
    return found


# --- 1. plain-name local DNs (Ericsson: dnPrefix="SubNetwork=G3", localDn="seliitdus00487") ---

ERICSSON_CELL = "SubNetwork=G3,ManagedElement=seliitdus00487,GNBDUFunction=1,NRCellDU=3"


@pytest.mark.parametrize("nil", [False, True], ids=["fast-path", "general-path"])
@pytest.mark.parametrize(
    "ldn",
    ["ManagedElement=seliitdus00487,GNBDUFunction=1,NRCellDU=3", "GNBDUFunction=1,NRCellDU=3"],
)
def test_plain_name_element_is_the_managed_element_id(ldn: str, nil: bool) -> None:
    data = make({ldn: (1, None if nil else 2)}, element="seliitdus00487", prefix="SubNetwork=G3")
    batch = parse_pm(data)
    assert list(batch.objects) == [ERICSSON_CELL]


def test_plain_name_of_the_file_sender_when_the_element_has_no_local_dn() -> None:
    data = make({"GNBDUFunction=1,NRCellDU=3": (1, 2)}, element=None, prefix="SubNetwork=G3")
    data = data.replace(b"<fileSender/>", b'<fileSender localDn="seliitdus00487"/>')
    assert list(parse_pm(data).objects) == [ERICSSON_CELL]


def test_an_rdn_without_equals_is_refused(intake: PmIntake) -> None:
    result = intake.ingest_bytes(make({"Cell7,NRCellDU=1": (1, 2)}), "bad-ldn.xml")
    assert result.outcome is Outcome.QUARANTINED
    assert result.reason is not None and "'Cell7' has no '='" in result.reason
    assert stored(intake.store) == {}  # type: ignore[arg-type]


# --- 2. periods from a clock gone wrong ---------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1), "in the future"),
        (dt.datetime(1985, 1, 1, 0, 15, tzinfo=dt.UTC), "before 1990"),
    ],
    ids=["future", "1985"],
)
def test_period_beyond_the_clock_is_quarantined(
    end: dt.datetime, expected: str, intake: PmIntake, tmp_path: Path
) -> None:
    end = end.replace(minute=end.minute // 15 * 15, second=0)
    result = intake.ingest_bytes(make({"NRCellDU=1": (1, 2)}, end=end), "clock.xml")
    assert result.outcome is Outcome.QUARANTINED
    assert result.reason is not None and expected in result.reason
    reason = json.loads((tmp_path / "quarantine" / "clock.xml.reason.json").read_text())
    assert expected in reason["reason"]
    assert intake.store.catalog.all_files() == []  # type: ignore[attr-defined]


def test_period_within_the_tolerance_is_stored(
    store: ParquetTelemetryStore, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    intake = PmIntake(store, tmp_path / "q", limits=IntakeLimits(clock_tolerance_s=3600))
    result = intake.ingest_bytes(
        make({"NRCellDU=1": (1, 2)}, end=now + dt.timedelta(minutes=30)), "x.xml"
    )
    assert result.outcome is Outcome.STORED


def test_latest_end_is_bounded_by_the_wall_clock(store: ParquetTelemetryStore) -> None:
    far = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    batch = parse_pm(make({"NRCellDU=1": (1, 2)}), IntakeLimits(clock_tolerance_s=1e10))
    moved = type(batch)(
        batch.objects, batch.object_index, batch.measurements, batch.measurement_index,
        batch.starts + int(far.timestamp()) - START, batch.seconds, batch.values,
    )  # fmt: skip
    store.append(moved, source="pm-file", key=None, name="old-bad-data")  # type: ignore[arg-type]
    latest = store.latest_end()
    assert latest is not None
    assert latest <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=store.clock_tolerance_s + 1)


# --- 3. large files stream; limits are enforced while reading ----------------------------------


def big_file(cells: int) -> bytes:
    return make({f"NRCellDU={i}": (i, i + 0.5) for i in range(cells)})


def test_large_file_streams_in_blocks_with_the_same_result(
    store: ParquetTelemetryStore, tmp_path: Path
) -> None:
    data = big_file(500)
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    small = IntakeLimits(stream_bytes=1024, block_rows=64)
    intake = PmIntake(store, tmp_path / "q", limits=small)
    [result] = intake.ingest_files([path])
    assert (result.outcome, result.rows) == (Outcome.STORED, 1000)
    whole = parse_pm(data)
    assert len(stored(store)) == len(whole) == 1000
    assert len(store.catalog.all_files(Tier.RAW)) == 1  # blocks gathered, one commit
    again = intake.ingest_bytes(
        gzip.compress(data.replace(b'vendorName="v"', b'vendorName="w"')), "b.gz"
    )
    assert again.outcome is Outcome.DUPLICATE and again.skipped == 1000


def test_truncated_large_file_stores_nothing_and_leaves_no_file(
    store: ParquetTelemetryStore, tmp_path: Path
) -> None:
    data = big_file(500)
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) - 200])
    intake = PmIntake(store, tmp_path / "q", limits=IntakeLimits(stream_bytes=1024, block_rows=64))
    [result] = intake.ingest_files([path])
    assert result.outcome is Outcome.QUARANTINED
    assert store.catalog.all_files() == []
    assert list((store.root / "raw").rglob("*.parquet")) == []  # written pieces discarded


@pytest.mark.parametrize("gz", [True, False], ids=["gzip-bomb", "plain"])
def test_content_beyond_max_bytes_is_refused_while_reading(
    gz: bool, store: ParquetTelemetryStore, tmp_path: Path
) -> None:
    data = big_file(200)
    payload = gzip.compress(data) if gz else data
    intake = PmIntake(store, tmp_path / "q", limits=IntakeLimits(max_bytes=len(data) - 1))
    path = tmp_path / "x.gz"
    path.write_bytes(payload)
    for result in [intake.ingest_bytes(payload, "x.gz"), *intake.ingest_files([path])]:
        assert result.outcome is Outcome.QUARANTINED
        assert result.reason is not None and f"exceeds {len(data) - 1} bytes" in result.reason


def test_max_bytes_setting_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from openipn.settings import Settings

    monkeypatch.setenv("OPENIPN_PM_MAX_BYTES", "12345")
    monkeypatch.setenv("OPENIPN_PM_CLOCK_TOLERANCE_S", "60")
    settings = Settings()
    assert (settings.pm_max_bytes, settings.pm_clock_tolerance_s) == (12345, 60.0)


# --- 4. each (object, counter, period) once --------------------------------------------------


def test_resent_data_with_other_bytes_is_a_duplicate(intake: PmIntake) -> None:
    first = intake.ingest_bytes(make({"NRCellDU=1": (1, 2)}), "a.xml")
    again = intake.ingest_bytes(make({"NRCellDU=1": (1, 2)}, vendor="other"), "b.xml")
    assert (first.outcome, first.rows) == (Outcome.STORED, 2)
    assert (again.outcome, again.rows, again.skipped, again.conflicts) == (
        Outcome.DUPLICATE, 0, 2, (),
    )  # fmt: skip
    assert len(stored(intake.store)) == 2  # type: ignore[arg-type]


def test_new_counters_are_stored_and_different_values_reported(
    intake: PmIntake, caplog: pytest.LogCaptureFixture
) -> None:
    intake.ingest_bytes(make({"NRCellDU=1": (1, 2)}), "a.xml")
    names = ("C.a", "C.b", "C.c")
    with caplog.at_level(logging.WARNING):
        result = intake.ingest_bytes(make({"NRCellDU=1": (1, 5, 7)}, names=names), "b.xml")
    assert (result.outcome, result.rows, result.skipped) == (Outcome.STORED, 1, 2)
    [conflict] = result.conflicts
    dn = "SubNetwork=x,ManagedElement=gnb-1,NRCellDU=1"
    assert (conflict.object, conflict.measurement, conflict.kept, conflict.refused) == (
        dn,
        "C.b",
        2,
        5,
    )
    assert conflict.start == END - dt.timedelta(minutes=15) and conflict.seconds == 900
    assert stored(intake.store) == {(dn, "C.a"): 1, (dn, "C.b"): 2, (dn, "C.c"): 7}  # type: ignore[arg-type]
    assert "C.b" in caplog.text and dn in caplog.text and "5" in caplog.text


def test_same_key_in_two_meas_infos_of_one_file_is_stored_once(intake: PmIntake) -> None:
    data = make({"NRCellDU=1": (1, 2)})
    block = data[data.index(b"<measInfo") : data.index(b"</measInfo>") + len(b"</measInfo>")]
    twice = data.replace(block, block + block.replace(b">2</r>", b">9</r>"))
    result = intake.ingest_bytes(twice, "twice.xml")
    assert (result.outcome, result.rows, result.conflict_count) == (Outcome.STORED, 2, 1)
    assert (result.conflicts[0].kept, result.conflicts[0].refused) == (2, 9)
    assert len(stored(intake.store)) == 2  # type: ignore[arg-type]


def test_two_ldns_of_one_object_in_one_meas_info_count_once() -> None:
    batch = parse_pm(make({"NRCellDU=1": (1, 2), "ManagedElement=gnb-1,NRCellDU=1": (1, 2)}))
    assert len(batch) == 2


# --- 5. several managed elements; none at all --------------------------------------------------


def test_file_with_several_managed_elements_joins_each_with_its_own(intake: PmIntake) -> None:
    data = make({"NRCellDU=1": (1, 2)}, element="gnb-1")
    body = data[data.index(b"<measData>") : data.index(b"</measData>") + len(b"</measData>")]
    other = body.replace(b'localDn="gnb-1"', b'localDn="ManagedElement=gnb-2"').replace(
        b">2</r>", b">3</r>"
    )
    result = intake.ingest_bytes(data.replace(body, body + other), "c.xml")
    assert result.outcome is Outcome.STORED
    assert stored(intake.store) == {  # type: ignore[arg-type]
        ("SubNetwork=x,ManagedElement=gnb-1,NRCellDU=1", "C.a"): 1,
        ("SubNetwork=x,ManagedElement=gnb-1,NRCellDU=1", "C.b"): 2,
        ("SubNetwork=x,ManagedElement=gnb-2,NRCellDU=1", "C.a"): 1,
        ("SubNetwork=x,ManagedElement=gnb-2,NRCellDU=1", "C.b"): 3,
    }


def test_file_without_managed_element_is_refused_for_that(intake: PmIntake) -> None:
    data = make({"NRCellDU=1": (1, 2)}, element=None).replace(b"<managedElement/>", b"")
    result = intake.ingest_bytes(data, "none.xml")
    assert result.outcome is Outcome.QUARANTINED
    assert (
        result.reason is not None and "no managedElement / measEntity in the file" in result.reason
    )


# --- 6. grouped appends --------------------------------------------------------------------------


def test_many_files_are_stored_in_one_parquet_file_each_with_its_outcome(
    intake: PmIntake, tmp_path: Path
) -> None:
    paths = []
    for gnb in range(6):
        path = tmp_path / f"g{gnb}.xml"
        path.write_bytes(make({"NRCellDU=1": (gnb, 1)}, element=f"ManagedElement=gnb-{gnb}"))
        paths.append(path)
    copy = tmp_path / "copy.xml"
    copy.write_bytes(paths[0].read_bytes())
    results = list(intake.ingest_files([*paths, copy]))
    assert [r.outcome for r in results] == [Outcome.STORED] * 6 + [Outcome.DUPLICATE]
    assert [r.rows for r in results] == [2] * 6 + [0]
    assert len(intake.store.catalog.all_files(Tier.RAW)) == 1  # type: ignore[attr-defined]
    assert len(stored(intake.store)) == 12  # type: ignore[arg-type]


def test_worker_processes_store_groups_and_keep_the_order_of_outcomes(tmp_path: Path) -> None:
    from functools import partial

    from openipn.collect.pm_intake import group_size

    assert [group_size(96, 2), group_size(8, 2), group_size(96, 1), group_size(500, 4)] == [
        24,
        2,
        64,
        63,
    ]
    root = tmp_path / "telemetry"
    store = open_telemetry_store(root, durable=False)
    opener = partial(open_telemetry_store, root, durable=False)
    intake = PmIntake(store, tmp_path / "q", workers=2, opener=opener)
    paths = []
    for gnb in range(8):
        path = tmp_path / f"w{gnb}.xml"
        path.write_bytes(make({"NRCellDU=1": (gnb, 1)}, element=f"ManagedElement=gnb-{gnb % 6}"))
        paths.append(path)
    try:
        results = list(intake.ingest_files(paths))
    finally:
        intake.close()
    # gnb-6 and gnb-7 repeat gnb-0 and gnb-1 with other values: skipped, reported
    assert [r.outcome for r in results] == [Outcome.STORED] * 6 + [Outcome.DUPLICATE] * 2
    assert [c.refused for r in results[6:] for c in r.conflicts] == [6, 7]
    assert len(store.catalog.all_files(Tier.RAW)) == 3  # groups of two; the last stores nothing
    store.close()
