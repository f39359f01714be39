"""`promtool check metrics` for tests (Debian's prometheus package; `make test` installs it)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def promtool_check(text: str) -> tuple[int, list[str]]:
    """Exit code and complaint lines of `promtool check metrics` on the text."""
    exe = shutil.which("promtool")
    if exe is None:
        pytest.fail(
            "promtool not found: `make test` installs the Debian package `prometheus` "
            "that provides /usr/bin/promtool"
        )
    done = subprocess.run(
        [exe, "check", "metrics"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, [line for line in (done.stdout + done.stderr).splitlines() if line]
