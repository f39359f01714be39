"""`openipn discovered`: what PM files brought in that the site file does not name."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from openipn.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.yaml"
GNB7 = ROOT / "tests" / "fixtures" / "pm" / "A20250301.1000+0000-1015+0000_gnb-7.xml"


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"OPENIPN_DATA_DIR": str(tmp_path / "data"), "OPENIPN_PM_WORKERS": "0"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_an_unmodelled_element_is_listed_with_its_counters(tmp_path: Path) -> None:
    assert run(tmp_path, "init")[0] == 0
    assert run(tmp_path, "apply", str(SMALL), "--reason", "test")[0] == 0
    code, out = run(tmp_path, "ingest", "pm", str(GNB7))
    assert code == 0 and "not in the site model" in out, out
    code, out = run(tmp_path, "discovered", "--json")
    assert code == 0, out
    items = [json.loads(line) for line in out.splitlines()]
    assert items and all(i["source"] == "pm-file" and i["now_modelled_as"] is None for i in items)
    assert all("gnb-7" in i["dn"] and i["names"] for i in items)
    code, out = run(tmp_path, "discovered")
    assert code == 0 and "discovered objects" in out
