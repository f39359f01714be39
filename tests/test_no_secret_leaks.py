"""No K, OP or OPc of the example plant appears in any API response, log line or default export.

The whole life cycle runs with every logger at DEBUG (SQLAlchemy's statement log included) and
its text is searched for every credential of the plant's 600 SIMs, and for the OPc values
derived from OP rows.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from openipn.api import create_app
from openipn.app import Services
from openipn.cli.main import app as cli_app
from openipn.secure.milenage import compute_opc
from openipn.store.sim_csv import export_sims, import_sims

PLANT = Path(__file__).parent.parent / "examples" / "plant.yaml"


def plant_secrets() -> set[str]:
    """Every K, OP and OPc (given or derived) in the example plant, in lower case."""
    data = yaml.safe_load(PLANT.read_text(encoding="utf-8"))
    found: set[str] = set()
    for sub in data["subscriptions"]:
        found |= {sub[f].lower() for f in ("k", "op", "opc") if f in sub}
        if "op" in sub:
            found.add(compute_opc(bytes.fromhex(sub["k"]), bytes.fromhex(sub["op"])).hex())
    return found


def leaks(text: str, secrets: set[str]) -> set[str]:
    """The secrets that occur in text (any case)."""
    hexes = set(re.findall(r"[0-9a-fA-F]{32}", text))
    return {h.lower() for h in hexes} & secrets


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG, SQL statements and their parameters included."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    return caplog


def test_life_cycle_leaks_no_credentials(
    services: Services, debug_logs: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    secrets = plant_secrets()
    assert len(secrets) >= 1200
    services.engine.echo = True
    client = TestClient(create_app(services))
    seen: list[str] = []
    applied = client.post(
        "/api/v1/apply", content=PLANT.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert applied.status_code == 200, applied.text
    seen.append(applied.text)
    for url in (
        "/api/v1/subscriptions?page_size=1000",
        "/api/v1/export",
        "/api/v1/versions",
        "/api/v1/subscriptions/imsi-999990001000010",
        "/api/v1/summary",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        seen.append(response.text)
    plan = client.post(
        "/api/v1/plan", content=PLANT.read_bytes(), headers={"content-type": "application/yaml"}
    )
    seen.append(plan.text)
    out = io.StringIO()
    export_sims(services, out)
    seen.append(out.getvalue())
    reimport = import_sims(
        services, io.StringIO(out.getvalue()), update=True, author="t", reason="r"
    )
    seen.append(str(reimport.as_dict()))
    seen.append(debug_logs.text)
    assert debug_logs.text, "nothing was logged: the test would prove nothing"
    for text in seen:
        assert leaks(text, secrets) == set()


def test_cli_default_export_and_errors_leak_nothing(tmp_path: Path, sqlite_url: str) -> None:
    secrets = plant_secrets()
    runner = CliRunner()
    env = {"OPENIPN_DATA_DIR": str(tmp_path / "data"), "OPENIPN_DATABASE_URL": sqlite_url}
    outputs = [runner.invoke(cli_app, ["init"], env=env).output]
    outputs.append(runner.invoke(cli_app, ["apply", str(PLANT), "--full"], env=env).output)
    outputs.append(runner.invoke(cli_app, ["export"], env=env).output)
    broken = tmp_path / "broken.yaml"
    text = PLANT.read_text(encoding="utf-8")
    first_k = re.search(r"\bk: ([0-9a-f]{32})", text)
    assert first_k is not None
    broken.write_text(text.replace(first_k.group(0), first_k.group(0) + "zz"), encoding="utf-8")
    failed = runner.invoke(cli_app, ["plan", str(broken)], env=env)
    assert failed.exit_code == 1 and "32 hexadecimal digits" in failed.output
    outputs.append(failed.output)
    for output in outputs:
        assert leaks(output, secrets) == set()
