"""/docs renders the API in a real headless Chromium, with no network but 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from net_kit import free_port

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[str]:
    """`openipn serve` as its own process on a free loopback port."""
    env = {
        **os.environ,
        "OPENIPN_DATA_DIR": str(tmp_path / "data"),
        "OPENIPN_DATABASE_URL": sqlite_url,
    }
    exe = str(Path(sys.executable).with_name("openipn"))
    subprocess.run([exe, "init"], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_docs_render_every_collection(server: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium package is missing; `make test` installs it"
    done = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"{server}/docs",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = done.stdout
    assert "Unable to render this definition" not in dom
    for path in ("/api/v1/cells", "/api/v1/subscriptions", "/api/v1/apply"):
        assert f'data-path="{path}"' in dom, path
