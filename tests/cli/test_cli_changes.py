"""Changes from the command line: confirming deletions of SIMs, versions by date and author,
the diff of two versions, warnings and SIM import checks."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

SECOND_SIM = (
    "  - {supi: imsi-999990000000002, k: 465b5ce8b199b49faa5f0a2ee238a6bc, "
    "op: cdc202d5123e20f62b6d676ac72cb318}\n"
)
SIM_ROW_KEYS = "465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf"


def two_sims(site: Path) -> Path:
    """The minimal site with a second SIM, in a file of its own."""
    path = site.with_name("two-sims.yaml")
    path.write_text(site.read_text() + SECOND_SIM)
    return path


def version_count(run) -> int:  # type: ignore[no-untyped-def]
    return len(json.loads(run("versions", "--json").stdout))


# --- confirming deletions -----------------------------------------------------------------


def test_restore_that_deletes_sims_is_refused_off_a_terminal(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site), "-m", "one SIM")
    run("apply", str(two_sims(site)), "-m", "two SIMs")
    refused = run("restore", "0")
    assert refused.exit_code == 1
    assert "This deletes 14 object(s):" in refused.stderr
    assert "  2 subscription(s): imsi-999990000000001, imsi-999990000000002" in refused.stderr
    assert "  2 cell(s): C1, C2" in refused.stderr
    assert "2 of them hold SIM credentials (K, OPc)" in refused.stderr
    assert "stdin is not a terminal; add --yes" in refused.stderr
    assert version_count(run) == 2
    assert "imsi-999990000000002" in run("export").stdout
    done = run("restore", "0", "--yes")
    assert done.exit_code == 0 and "restored version 0 as version 3" in done.stdout
    assert "supi" not in run("export").stdout


def test_apply_that_deletes_a_sim_needs_yes(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(two_sims(site)))
    refused = run("apply", str(site))
    assert refused.exit_code == 1
    assert "1 subscription(s): imsi-999990000000002" in refused.stderr
    assert "add --yes" in refused.stderr
    assert version_count(run) == 1
    assert run("apply", str(site), "--dry-run").exit_code == 0  # a dry run deletes nothing
    applied = run("apply", str(site), "-y")
    assert applied.exit_code == 0 and "applied as version 2" in applied.stdout
    assert "imsi-999990000000002" not in run("export").stdout


def test_a_change_without_sim_deletions_is_not_asked(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site))
    site.write_text(site.read_text().replace("pci: 11", "pci: 12"))
    assert run("apply", str(site)).exit_code == 0
    restored = run("restore", "1")
    assert restored.exit_code == 0 and "This deletes" not in restored.stderr


def answer_on_a_terminal(env: dict[str, str], answer: str, *args: str) -> tuple[int, str]:
    """Run openipn as a process whose stdin is a pseudo-terminal and type `answer`."""
    exe = Path(sys.executable).with_name("openipn")
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [str(exe), *args],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        text=True,
    ) as process:
        os.close(terminal)
        os.write(controller, answer.encode())
        out, err = process.communicate(timeout=120)
    os.close(controller)
    return process.returncode, out + err


def test_a_terminal_is_asked_and_no_changes_nothing(
    tmp_path: Path, site: Path, sqlite_url: str
) -> None:
    env = {"OPENIPN_DATA_DIR": str(tmp_path / "data"), "OPENIPN_DATABASE_URL": sqlite_url}
    for args in (("init",), ("apply", str(site)), ("apply", str(two_sims(site)))):
        assert answer_on_a_terminal(env, "", *args)[0] == 0
    code, output = answer_on_a_terminal(env, "n\n", "restore", "1")
    assert code == 1 and "Delete them? [y/N]" in output and "nothing was changed" in output
    code, output = answer_on_a_terminal(env, "y\n", "restore", "1")
    assert code == 0 and "restored version 1 as version 3" in output


# --- versions: filters and diff ---------------------------------------------------------


def test_versions_filter_by_author_and_date(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site), "-m", "first")
    site.write_text(site.read_text().replace("pci: 11", "pci: 12"))
    run("--author", "bob", "apply", str(site), "-m", "retune")
    listed = json.loads(run("versions", "--author", "bob", "--json").stdout)
    assert [(v["number"], v["author"], v["reason"]) for v in listed] == [(2, "bob", "retune")]
    today = dt.datetime.now(dt.UTC).date()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert len(json.loads(run("versions", "--since", today.isoformat(), "--json").stdout)) == 2
    assert len(json.loads(run("versions", "--until", today.isoformat(), "--json").stdout)) == 2
    assert json.loads(run("versions", "--since", tomorrow, "--json").stdout) == []
    assert json.loads(run("versions", "--until", "2020-01-01T00:00:00Z", "--json").stdout) == []
    table = run("versions", "--author", "cli-test")
    assert "first" in table.stdout and "retune" not in table.stdout
    bad = run("versions", "--since", "yesterday")
    assert bad.exit_code == 1 and "since 'yesterday' is not an ISO 8601 date" in bad.stderr


def test_diff_of_two_versions(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site))
    site.write_text(site.read_text().replace("pci: 11", "pci: 12"))
    run("apply", str(two_sims(site)))
    shown = run("versions", "diff", "1", "2")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[lines.index("~ cell C2") + 1] == "    pci: 11 -> 12"
    created = lines.index("+ subscription imsi-999990000000002")
    assert "    k: (new secret)" in lines[created + 1 :]
    assert lines[-1] == "version 1 -> 2: 1 to create, 1 to change, 0 to delete"
    backwards = json.loads(run("versions", "diff", "2", "1", "--json").stdout)
    assert backwards["from"] == 2 and backwards["to"] == 1
    assert backwards["counts"] == {"create": 0, "update": 1, "delete": 1}
    cell = next(c for c in backwards["changes"] if c["name"] == "C2")
    assert cell["fields"] == [{"field": "pci", "old": 12, "new": 11}]
    assert "465b5ce8" not in shown.stdout + json.dumps(backwards)
    first = run("versions", "diff", "0", "1").stdout
    assert "+ cell C1" in first and "    pci: 10" in first
    missing = run("versions", "diff", "1", "9")
    assert missing.exit_code == 1 and "version 9 does not exist (latest is 2)" in missing.stderr


# --- warnings and SIM import checks ------------------------------------------------------


def test_a_gnb_without_a_link_is_a_warning_of_validate_and_apply(run, site: Path) -> None:  # type: ignore[no-untyped-def]
    checked = run("validate", str(site))
    assert checked.exit_code == 0 and "valid (" in checked.stdout
    assert "warning: gnbs[GNB1]: gNB GNB1 has no link" in checked.stderr
    applied = run("apply", str(site))
    assert applied.exit_code == 0 and "gNB GNB1 has no link" in applied.stderr


def test_sims_import_refuses_an_imsi_of_another_plmn(run, site: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("apply", str(site))
    sims = tmp_path / "sims.csv"
    sims.write_text(f"imsi,k,opc\n999990000000007,{SIM_ROW_KEYS}\n46000000200010,{SIM_ROW_KEYS}\n")
    result = run("sims", "import", str(sims))
    assert result.exit_code == 1
    assert "1 row error(s); nothing imported" in result.stderr
    assert (
        "row 2 (line 3), column imsi: IMSI 46000000200010 is not of this network's PLMN 999-99"
        in result.stderr
    )
    assert version_count(run) == 1
    assert "999990000000007" not in run("export").stdout


@pytest.mark.parametrize("misspelt", ["GNB-1", "gnb1"])
def test_apply_suggests_the_gnb_a_cell_meant(run, site: Path, misspelt: str) -> None:  # type: ignore[no-untyped-def]
    site.write_text(
        site.read_text().replace(
            "gnb: GNB1, cell_local_id: 2", f"gnb: {misspelt}, cell_local_id: 2"
        )
    )
    result = run("apply", str(site))
    assert result.exit_code == 1
    assert f"cells[C2].gnb: '{misspelt}' names no gnb; did you mean 'GNB1'?" in result.stderr
