"""`openipn ingest pm FILE…`: per-file results, exit code 1 when a file was bad."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from typer.testing import CliRunner

from openipn.cli.ingest import app
from openipn.store.telemetry.parquet_store import open_telemetry_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
GNB = FIXTURES / "A20250301.1000+0000-1015+0000_gnb-7.xml"
QUIRKS = FIXTURES / "D20250301.1000+0000-1015+0000_quirks.xml"


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"OPENIPN_DATA_DIR": str(tmp_path / "data"), "OPENIPN_PM_WORKERS": "0"}
    result = CliRunner().invoke(app, ["pm", *args], env=env)
    return result.exit_code, result.output


def test_files_and_directories_are_ingested_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(QUIRKS, folder / QUIRKS.name)
    (folder / "skip.xml.tmp").write_text("partial")
    code, out = run(tmp_path, str(GNB), str(folder))
    assert code == 0, out
    assert f"{GNB.name}: stored 8 values" in out and f"{QUIRKS.name}: stored 12 values" in out
    assert "skip.xml.tmp" not in out
    code, out = run(tmp_path, str(GNB))
    assert code == 0 and f"{GNB.name}: duplicate" in out
    with open_telemetry_store(tmp_path / "data" / "telemetry") as store:
        start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
        got = store.samples(
            measurements=None, objects=None, start=start, end=start + dt.timedelta(days=1)
        )
    assert len(got) == 20


def test_bad_file_is_reported_copied_to_quarantine_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(GNB.read_text().replace("<granPeriod", "<grainPeriod", 2))
    code, out = run(tmp_path, str(bad), str(GNB), "--workers", "2")
    assert code == 1
    assert "bad.xml: quarantined" in out and "granPeriod" in out
    assert "1 stored" in out and "1 quarantined" in out
    assert bad.exists()  # the user's file is copied, not moved
    assert (tmp_path / "data" / "pm" / "quarantine" / "bad.xml.reason.json").exists()


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    code, out = run(tmp_path, str(tmp_path / "nope.xml"))
    assert code == 1 and "no such file" in out
