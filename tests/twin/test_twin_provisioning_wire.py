"""The twin's core registers only the SIMs provisioned through its API (seen on /metrics)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx

from openipn.model.subscribers import Subscription
from openipn.sitefile import parse_site_text
from openipn.twin.emit.provisioning import subscriber_from_site
from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import Scenario

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"


def ran_ue(twin_ports: dict[str, object]) -> float:
    ports = twin_ports["metrics"]
    assert isinstance(ports, dict)
    text = httpx.get(f"http://127.0.0.1:{ports['amf-1']}/metrics", timeout=5).text
    return float(next(line.split()[1] for line in text.splitlines() if line.startswith("ran_ue ")))


def test_only_provisioned_sims_register(tmp_path: Path) -> None:
    document = parse_site_text(SMALL.read_text(encoding="utf-8"))
    subs = [s for s in document.objects("subscriptions") if isinstance(s, Subscription)]
    scenario = Scenario(duration=dt.timedelta(minutes=10), granularity=dt.timedelta(minutes=5))
    twin = Twin(
        document, scenario, TwinOptions(pm_dir=tmp_path, netconf=False, provision_from_site=False)
    )
    try:
        ports = twin.start()
        api = str(ports["provisioning"])
        token = httpx.post(
            f"{api}/api/login", json={"username": "admin", "password": "free5gc"}
        ).json()
        body = subscriber_from_site(subs[0], plmn_id="99999", snssais=[{"sst": 1}])
        assert body is not None
        created = httpx.post(
            f"{api}/api/subscriber/{subs[0].supi}/99999",
            json=body.model_dump(mode="json"),
            headers={"Token": token["access_token"]},
        )
        assert created.status_code == 201, created.text
        twin.run()
        assert ran_ue(ports) == 1.0
    finally:
        twin.close()
