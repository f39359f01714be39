"""The PM inbox watcher: atomic renames are taken, temp names never, .gz inflated."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from openipn.app import build_services, initialise
from openipn.collect.pm_intake import Outcome
from openipn.collect.pm_watch import PmDirs, PmWatcher
from openipn.runtime import build_runtime
from openipn.settings import Settings
from openipn.store.telemetry.parquet_store import open_telemetry_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
GNB = FIXTURES / "A20250301.1000+0000-1015+0000_gnb-7.xml"
QUIRKS = FIXTURES / "D20250301.1000+0000-1015+0000_quirks.xml"


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[PmWatcher]:
    store = open_telemetry_store(tmp_path / "telemetry", durable=False)
    dirs = PmDirs.under(tmp_path)
    watcher = PmWatcher(store, dirs, poll_s=0.05, settle_s=0.0)
    yield watcher
    watcher.stop()
    store.close()


def write_atomically(directory: Path, name: str, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    temp = directory / f".{name}.part"
    temp.write_bytes(data)
    temp.replace(directory / name)


def test_default_dirs_live_under_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    dirs = PmDirs.under(settings.data_dir, settings.pm_inbox_dir, settings.pm_quarantine_dir)
    assert dirs.inbox == tmp_path / "pm" / "inbox"
    assert dirs.quarantine == tmp_path / "pm" / "quarantine"


def test_atomically_written_file_is_taken_and_tmp_ignored(watcher: PmWatcher) -> None:
    inbox = watcher.dirs.inbox
    write_atomically(inbox, GNB.name, GNB.read_bytes())
    (inbox / "half-written.xml.tmp").write_bytes(GNB.read_bytes()[:100])
    (inbox / ".hidden.xml").write_bytes(GNB.read_bytes())
    assert watcher.poll_once() == []  # first sighting: size/mtime not yet known to be stable
    results = watcher.poll_once()
    assert [(r.name, r.outcome) for r in results] == [(GNB.name, Outcome.STORED)]
    assert (watcher.dirs.done / GNB.name).exists()
    assert sorted(p.name for p in inbox.iterdir()) == [".hidden.xml", "half-written.xml.tmp"]
    assert watcher.poll_once() == [] and watcher.poll_once() == []


def test_growing_file_waits_until_stable(watcher: PmWatcher) -> None:
    target = watcher.dirs.inbox / "growing.xml"
    watcher.dirs.inbox.mkdir(parents=True)
    target.write_bytes(GNB.read_bytes()[:500])
    assert watcher.poll_once() == []
    target.write_bytes(GNB.read_bytes())
    os.utime(target, ns=(time.time_ns(), time.time_ns() - 1_000_000_000))
    assert watcher.poll_once() == []  # changed since the last poll
    assert [r.outcome for r in watcher.poll_once()] == [Outcome.STORED]


def test_settle_time_holds_back_fresh_files(tmp_path: Path, watcher: PmWatcher) -> None:
    watcher.settle_s = 60.0
    write_atomically(watcher.dirs.inbox, GNB.name, GNB.read_bytes())
    watcher.poll_once()
    assert watcher.poll_once() == []
    assert watcher.poll_once(now=time.time() + 61) != []


def test_gz_and_bad_files_in_the_running_thread(watcher: PmWatcher) -> None:
    write_atomically(watcher.dirs.inbox, QUIRKS.name + ".gz", gzip.compress(QUIRKS.read_bytes()))
    write_atomically(watcher.dirs.inbox, "bad.xml", b"<measCollecFile>")
    watcher.start()
    deadline = time.monotonic() + 10
    quarantined = watcher.dirs.quarantine / "bad.xml.reason.json"
    while time.monotonic() < deadline and not (
        quarantined.exists() and (watcher.dirs.done / (QUIRKS.name + ".gz")).exists()
    ):
        time.sleep(0.05)
    watcher.stop()
    assert quarantined.exists()
    samples = watcher.intake.store.samples(
        measurements=None,
        objects=None,
        start=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        end=dt.datetime(2025, 3, 2, tzinfo=dt.UTC),
    )
    assert {s.object.split(",")[2] for s in samples} == {"ManagedElement=gnb-9"}


def test_the_platform_counts_pm_files_by_outcome_on_its_metrics(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", ves_enabled=False)
    initialise(settings)
    services = build_services(settings)
    try:
        runtime = build_runtime(services)
        [watcher] = [w for w in runtime.workers if isinstance(w, PmWatcher)]
        write_atomically(watcher.dirs.inbox, GNB.name, GNB.read_bytes())
        write_atomically(watcher.dirs.inbox, "bad.xml", b"<measCollecFile>")
        settled = time.time() + 60  # past the watcher's settle time
        watcher.poll_once(settled)
        watcher.poll_once(settled)
        write_atomically(watcher.dirs.inbox, "again.xml", GNB.read_bytes())  # same content
        watcher.poll_once(settled)
        watcher.poll_once(settled)
        families = {f.name: f.samples[0].value for f in runtime.metrics["pm"].collect()}
    finally:
        services.close()
    assert families == {
        "openipn_pm_files": 3.0,  # counters: the text format adds _total
        "openipn_pm_files_duplicate": 1.0,
        "openipn_pm_files_quarantined": 1.0,
    }
