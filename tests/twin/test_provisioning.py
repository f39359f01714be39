"""The twin core's webconsole-style provisioning API over a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from openipn.sitefile import parse_site_text
from openipn.twin.emit.http_thread import ServerThread
from openipn.twin.emit.provisioning import (
    SubscriberStore,
    create_provisioning_app,
    subscriber_from_site,
)

K = "465b5ce8b199b49faa5f0a2ee238a6bc"
OPC = "cd63cb71954a9f4e48a5994e37a02baf"
SUPI = "imsi-999990000000042"


def body(supi: str = SUPI, k: str = K, opc: str = OPC) -> dict[str, object]:
    return {
        "plmnID": "99999",
        "ueId": supi,
        "AuthenticationSubscription": {
            "authenticationMethod": "5G_AKA",
            "permanentKey": {"permanentKeyValue": k, "encryptionKey": 0, "encryptionAlgorithm": 0},
            "opc": {"opcValue": opc},
            "sequenceNumber": "000000000001",
        },
        "AccessAndMobilitySubscriptionData": {"nssai": {"defaultSingleNssais": [{"sst": 1}]}},
    }


@pytest.fixture
def api() -> Iterator[tuple[httpx.Client, list[set[str]]]]:
    seen: list[set[str]] = []
    store = SubscriberStore(on_change=seen.append)
    server = ServerThread(create_provisioning_app(store, username="admin", password="free5gc"))
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            token = client.post(
                "/api/login", json={"username": "admin", "password": "free5gc"}
            ).json()
            client.headers["Token"] = token["access_token"]
            yield client, seen
    finally:
        server.stop()


def test_subscriber_life_cycle(api: tuple[httpx.Client, list[set[str]]]) -> None:
    client, seen = api
    url = f"/api/subscriber/{SUPI}/99999"
    assert client.post(url, json=body()).status_code == 201
    assert seen[-1] == {SUPI}
    assert client.get("/api/subscriber").json() == [{"plmnID": "99999", "ueId": SUPI}]
    stored = client.get(url).json()
    assert stored["AuthenticationSubscription"]["opc"]["opcValue"] == OPC
    assert client.put(url, json=body(opc="00" * 16)).status_code == 201
    assert client.delete(url).status_code == 204
    assert seen[-1] == set()
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404


def test_bad_requests_are_refused(api: tuple[httpx.Client, list[set[str]]]) -> None:
    client, seen = api
    url = f"/api/subscriber/{SUPI}/99999"
    short = client.post(url, json=body(k="abc"))
    assert short.status_code == 400 and "32 hexadecimal" in short.text and "abc" not in short.text
    assert client.post(url, json=body(opc="")).status_code == 400
    assert client.post(f"/api/subscriber/{SUPI}/00101", json=body()).status_code == 400
    assert client.post("/api/subscriber/12345/99999", json=body("12345")).status_code == 400
    assert seen == []


def test_token_required(api: tuple[httpx.Client, list[set[str]]]) -> None:
    client, _ = api
    anonymous = httpx.get(f"{client.base_url}/api/subscriber")
    assert anonymous.status_code == 401
    wrong = httpx.post(
        f"{client.base_url}/api/login", json={"username": "admin", "password": "nope"}
    )
    assert wrong.status_code == 401


def test_site_subscriptions_become_subscribers() -> None:
    site = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"
    document = parse_site_text(site.read_text(encoding="utf-8"))
    subs = document.objects("subscriptions")
    store = SubscriberStore()
    for sub in subs:
        made = subscriber_from_site(sub, plmn_id="99999", snssais=[{"sst": 1}])  # type: ignore[arg-type]
        assert made is not None
        store.put(made)
    assert len(store.provisioned()) == len(subs) == 20
