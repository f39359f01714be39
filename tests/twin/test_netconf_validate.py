"""NETCONF <validate> runs the checks <commit> runs, on the running twin (RFC 6241 §8.6)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.transport.errors import AuthenticationError

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.yaml"
OPENIPN = str(Path(sys.executable).parent / "openipn")
ELEMENT = "me-gnb-ws1-01"
DEFAULT_USER, DEFAULT_PASSWORD = "openipn", "openipn"  # documented in the README
USER, PASSWORD = "field-engineer", "not-the-default"


def _edit(cell_id: str, attributes: str) -> str:
    return f"""
    <config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
      <ManagedElement xmlns="urn:openipn:yang:openipn-nrm"><id>{ELEMENT}</id>
        <GNBDUFunction><id>1</id><NRCellDU><id>{cell_id}</id>
          <attributes>{attributes}</attributes>
        </NRCellDU></GNBDUFunction>
      </ManagedElement>
    </config>"""


@contextlib.contextmanager
def running_twin(work: Path, **env: str) -> Iterator[dict[str, Any]]:
    """A twin of the small plant (extra environment: e.g. its NETCONF credentials); its ports."""
    endpoints = work / "endpoints.json"
    command = [OPENIPN, "twin", "--site", str(SMALL), "--duration", "1d", "--speed", "1",
               "--pm-dir", str(work / "pm"), "--endpoints", str(endpoints)]  # fmt: skip
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not endpoints.exists() or not endpoints.read_text():
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "twin did not start"
            time.sleep(0.1)
        yield json.loads(endpoints.read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def twin_ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A twin with its documented default NETCONF credentials."""
    with running_twin(tmp_path_factory.mktemp("twin")) as ports:
        yield ports


def _connect(port: int, username: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD) -> Any:
    return manager.connect(
        host="127.0.0.1",
        port=port,
        username=username,
        password=password,
        hostkey_verify=False,
        look_for_keys=False,
        allow_agent=False,
        timeout=30,
    )


def test_validate_refuses_what_commit_refuses(twin_ports: dict[str, Any]) -> None:
    port = twin_ports["netconf"][ELEMENT]
    with _connect(port) as session, session.locked("candidate"):
        session.edit_config(target="candidate", config=_edit("77", "<txPower>20</txPower>"))
        with pytest.raises(RPCError) as validated:
            session.validate(source="candidate")
        with pytest.raises(RPCError) as committed:
            session.commit()
        session.discard_changes()
    assert validated.value.tag == committed.value.tag == "operation-failed"
    assert validated.value.message == committed.value.message.replace("rejected", "would reject")
    assert "77" in validated.value.message, validated.value.message


def test_validate_accepts_a_change_commit_accepts_and_changes_nothing(
    twin_ports: dict[str, Any],
) -> None:
    port = twin_ports["netconf"][ELEMENT]
    with _connect(port) as session, session.locked("candidate"):
        before = session.get_config(source="running").data_xml
        session.edit_config(target="candidate", config=_edit("1", "<txPower>17</txPower>"))
        session.validate(source="candidate")
        assert session.get_config(source="running").data_xml == before  # validate applies nothing
        session.commit()
        assert "<txPower>17" in session.get_config(source="running").data_xml


def test_the_default_credentials_are_replaced_when_set(tmp_path: Path) -> None:
    env = {"OPENIPN_TWIN_NETCONF_USER": USER, "OPENIPN_TWIN_NETCONF_PASSWORD": PASSWORD}
    with running_twin(tmp_path, **env) as ports:
        port = ports["netconf"][ELEMENT]
        with pytest.raises(AuthenticationError):
            _connect(port)
        with _connect(port, USER, PASSWORD) as session:
            assert "<txPower>" in session.get_config(source="running").data_xml
