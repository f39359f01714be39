"""Fixtures of the command-line tests: the CLI on a fresh store, and a small site file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from openipn.cli.main import app


@pytest.fixture
def run(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """Invoke the CLI against a fresh store (both backends)."""
    runner = CliRunner()
    env = {
        "OPENIPN_DATA_DIR": str(tmp_path / "data"),
        "OPENIPN_DATABASE_URL": database_url,
        "OPENIPN_AUTHOR": "cli-test",
        "COLUMNS": "200",
    }

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    assert invoke("init").exit_code == 0
    return invoke


@pytest.fixture
def site(tmp_path: Path, minimal_site_text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(minimal_site_text, encoding="utf-8")
    return path
