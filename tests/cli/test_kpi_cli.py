"""`openipn kpi catalog` and `openipn kpi show` over the hand-written PM fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assure.kpi_kit import SMALL_SITE, load_fixture  # tests/ is on sys.path (rootdir conftest)
from openipn.assure.kpi_catalog import KPIS
from openipn.cli import kpi
from openipn.cli.context import CliContext
from openipn.settings import Settings

RANGE = ["--from", "2026-03-02T10:00Z", "--to", "2026-03-02T10:30Z"]


def kpi_app(data_dir: Path) -> typer.Typer:
    """The `kpi` sub-app under a root that sets the context the way `openipn` does."""
    root = typer.Typer()

    @root.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = CliContext(Settings(data_dir=data_dir))

    root.add_typer(kpi.app, name="kpi")
    return root


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    load_fixture(Settings(data_dir=data).telemetry_dir).close()
    return data


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(kpi_app(data_dir), ["kpi", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_catalog_lists_every_kpi(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "catalog", "--json")
    assert code == 0
    entries = [json.loads(line) for line in out.splitlines()]
    assert [e["name"] for e in entries] == [k.name for k in KPIS]
    code, out, _ = run(data_dir, "catalog")
    assert code == 0 and "AMFMeanRegNbr" in out


def test_show_json_reproduces_the_hand_computed_values(data_dir: Path) -> None:
    args = ["show", "RRCSetupSR", "--object", "gnb:gnb-ws1-01", *RANGE, "--granularity", "15m"]
    code, out, err = run(data_dir, *args, "--site", str(SMALL_SITE), "--json")
    assert code == 0, err
    body = json.loads(out)
    assert [r["value"] for r in body["rows"]] == [
        pytest.approx(100 * 995 / 1010),
        pytest.approx(100 * 971 / 1010),
    ]
    assert body["rows"][0]["inputs"] == {
        "sum(RRC.ConnEstabSucc)": 995.0,
        "sum(RRC.ConnEstabAtt)": 1010.0,
    }


def test_show_table(data_dir: Path) -> None:
    args = ["show", "N3ThpDownstream", "--object", "slice:urllc-control", *RANGE]
    code, out, err = run(data_dir, *args, "--granularity", "all", "--site", str(SMALL_SITE))
    assert code == 0, err
    assert "2026-03-02 10:00" in out and "Mbit/s" in out and "1 " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "Nope"], "NAME: unknown KPI 'Nope'; known: RSR"),
        (["show", "RSR", "--object", "cell:gnb-ws1-01-c1"], "--object: KPI RSR is not defined"),
        (["show", "RSR", "--object", "cell:x"], "unknown cell 'x'"),
        (["show", "RSR", "--from", "2026-03-02T11:00Z", "--to", "2026-03-02T10:00Z"], "--from:"),
        (["show", "RSR", "--from", "yesterday"], "--from: 'yesterday' is not an ISO 8601 time"),
    ],
)
def test_bad_input_is_named(data_dir: Path, args: list[str], message: str) -> None:
    code, _, err = run(data_dir, *args, "--site", str(SMALL_SITE))
    assert code == 1 and message in " ".join(err.split())


def test_missing_store_is_reported(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "show", "RSR", "--site", str(SMALL_SITE))
    assert code == 1 and "no telemetry store" in err
