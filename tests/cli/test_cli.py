"""The openipn command line, driven in-process (Typer's runner) and as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

TEST_K = "465b5ce8b199b49faa5f0a2ee238a6bc"


def test_plan_apply_plan(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    first = run("plan", str(site))
    assert first.exit_code == 0 and "+ cell C1" in first.output
    assert "13 to create, 0 to change, 0 to delete" in first.output
    applied = run("apply", str(site), "-m", "first")
    assert applied.exit_code == 0 and "applied as version 1" in applied.output
    again = run("plan", str(site))
    assert again.exit_code == 0 and again.stdout.strip() == "no changes"
    assert "warning: gnbs[GNB1]: gNB GNB1 has no link" in again.stderr


def test_one_power_edit_shows_one_change(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site))
    site.write_text(
        site.read_text().replace("pci: 10, tac: 1", "pci: 10, tac: 1, tx_power_dbm: 20")
    )
    result = run("plan", str(site))
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines == [
        "~ cell C1  (tx_power_dbm: 24.0 -> 20.0)",
        "Plan: 0 to create, 1 to change, 0 to delete",
    ]


FIVE_ERRORS = {
    'nid: "10000000001"': 'nid: "1000000000G"',  # snpn.nid
    "pci: 11": "pci: 1012",  # cells[C2].pci
    "gnb: GNB1, cell_local_id: 1": "gnb: GNB-1, cell_local_id: 1",  # cells[C1].gnb
    "{name: s1, sst: 1}": "{name: s1, sst: 1, colour: red}",  # slices[s1].colour
    "dnns: [factory], slices: [s1]": "dnns: [factory], slices: [s1, s2]",  # upfs[UPF1].slices
}


def test_five_errors_reported_and_nothing_stored(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    text = site.read_text()
    for old, new in FIVE_ERRORS.items():
        assert old in text
        text = text.replace(old, new)
    site.write_text(text)
    result = run("apply", str(site))
    assert result.exit_code == 1
    for path in (
        "snpn.nid",
        "cells[C2].pci",
        "cells[C1].gnb",
        "slices[s1].colour",
        "upfs[UPF1].slices",
    ):
        assert f"  {path}: " in result.output, path
    assert "5 problem(s); nothing was changed" in result.output
    assert "1012 is outside 0..1007" in result.output
    assert "cells[C1].gnb: 'GNB-1' names no gnb; did you mean 'GNB1'?" in result.output
    assert "no changes" not in run("versions").output
    assert "(none)" not in run("versions").output
    assert run("export").output.count("name:") == 0


def test_versions_and_restore(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site), "-m", "initial")
    site.write_text(site.read_text().replace("pci: 11", "pci: 12"))
    run("apply", str(site), "-m", "retune C2")
    listing = run("versions").output
    assert "initial" in listing and "retune C2" in listing and "cli-test" in listing
    restored = run("restore", "1")
    assert restored.exit_code == 0 and "~ cell C2  (pci: 12 -> 11)" in restored.output
    assert run("restore", "42").exit_code == 1


def test_export_has_no_secrets(run, site: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site))
    assert TEST_K not in run("export").output
    key = tmp_path / "data" / "keys" / "subscriber-secrets.key"
    assert run("export", "--with-secrets").exit_code == 1
    audited = run("export", "--with-secrets", "--key-file", str(key))
    assert TEST_K in audited.output


def test_bad_input_one_line_errors(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = run("plan", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1 and "cannot read" in missing.output
    bad_kind = run("inventory", "list", "gizmo")
    assert bad_kind.exit_code == 1 and "unknown kind 'gizmo'" in bad_kind.output
    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("cells: [\n")
    result = run("plan", str(garbage))
    assert result.exit_code == 1 and "not valid YAML" in result.output


def test_console_script_runs_as_a_process(tmp_path: Path, sqlite_url: str) -> None:
    env = {**os.environ, "OPENIPN_DATA_DIR": str(tmp_path), "OPENIPN_DATABASE_URL": sqlite_url}
    exe = Path(sys.executable).with_name("openipn")
    done = subprocess.run(
        [str(exe), "--help"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "plan" in done.stdout
    bad = subprocess.run(
        [str(exe), "versions"], env=env, capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "run 'openipn init' first" in bad.stderr
    assert "Traceback" not in bad.stderr


EXAMPLE_PLANT = Path(__file__).parent.parent.parent / "examples" / "plant.yaml"


def test_example_plant_plan_cycle(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The issue's check: unchanged -> 'no changes'; one cell's power -> exactly that change."""
    text = EXAMPLE_PLANT.read_text(encoding="utf-8")
    n_cells = len(yaml.safe_load(text)["cells"])  # the capacity plan sets how many
    applied = run("apply", str(EXAMPLE_PLANT))
    assert applied.exit_code == 0
    assert f"+ {n_cells} cell(s)" in applied.output
    assert "--full lists every object" in applied.output
    assert run("plan", str(EXAMPLE_PLANT)).output.strip() == "no changes"
    cells = text.index("\ncells:\n")
    power = text.index("tx_power_dbm: ", cells)
    end = text.index("\n", power)
    edited = tmp_path / "plant-edited.yaml"
    edited.write_text(text[:power] + "tx_power_dbm: 11.5" + text[end:], encoding="utf-8")
    lines = [line for line in run("plan", str(edited)).output.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("~ cell ") and lines[0].endswith("-> 11.5)")
    assert lines[1] == "Plan: 0 to create, 1 to change, 0 to delete"
    listing = run("inventory", "list", "cell", "--page-size", "100")
    assert listing.exit_code == 0 and f"cells: {n_cells}" in listing.output


def test_topology_behind(run) -> None:  # type: ignore[no-untyped-def]
    small = EXAMPLE_PLANT.with_name("small.yaml")
    assert run("apply", str(small)).exit_code == 0
    ring = run("topology", "behind", "--link", "ring-cs-1-tsn-ws1")
    assert ring.exit_code == 0 and "nothing" in ring.output
    access = run("topology", "behind", "--link", "acc-gnb-ws1-01")
    lines = access.output.splitlines()
    assert lines[0] == "gnb gnb-ws1-01"  # the one node cut off, then what it takes away
    assert "Control plane (N2 to an AMF) lost by gNBs: gnb-ws1-01" in lines
    switch = run("topology", "behind", "--node", "tsn-ws1")
    assert set(switch.output.split("\n")) >= {"gnb gnb-ws1-01", "gnb gnb-ws1-02"}
    assert run("topology", "behind", "--link", "nope").exit_code == 1
    assert run("topology", "behind").exit_code == 1


def test_a_misspelt_kind_or_name_gets_the_nearest(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site))
    kind = run("inventory", "show", "cel", "C1")
    assert kind.exit_code == 1 and "unknown kind 'cel'; did you mean 'cell'?" in kind.output
    name = run("inventory", "show", "cell", "C11")
    assert name.exit_code == 1 and "no cell named 'C11'; did you mean 'C1'?" in name.output
    far = run("inventory", "show", "cell", "something-else")
    assert far.exit_code == 1 and "did you mean" not in far.output
