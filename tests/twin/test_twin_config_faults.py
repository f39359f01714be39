"""A fault made by a bad configuration change shows on NETCONF and as a VES notification."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ncclient import manager

from openipn.sitefile import parse_site_text
from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import FaultSpec, Scenario

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"


def test_pci_conflict_appears_in_the_running_config(tmp_path: Path) -> None:
    document = parse_site_text(SMALL.read_text(encoding="utf-8"))
    cell = next(c for c in document.objects("cells") if c.name == "gnb-ws1-02-c1")  # type: ignore[attr-defined]
    fault = FaultSpec(
        id="f1", type="pci_conflict", target="cell:gnb-ws1-02-c1", at=dt.timedelta(minutes=1)
    )
    scenario = Scenario(
        duration=dt.timedelta(minutes=3), granularity=dt.timedelta(minutes=1), faults=[fault]
    )
    twin = Twin(
        document, scenario, TwinOptions(pm_dir=tmp_path, metrics=False, provisioning_port=None)
    )
    try:
        ports = twin.start()
        twin.run()
        with manager.connect(
            host="127.0.0.1",
            port=ports["netconf"]["me-gnb-ws1-02"],
            username="openipn",
            password="openipn",
            hostkey_verify=False,
            look_for_keys=False,
            allow_agent=False,
            timeout=30,
        ) as session:
            running = session.get_config(source="running").data_xml
    finally:
        twin.close()
    assert f"<nRPCI>{cell.pci}</nRPCI>" not in running  # type: ignore[attr-defined]
    assert "<nRPCI>" in running
