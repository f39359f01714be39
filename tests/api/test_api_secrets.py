"""Subscriber credentials: accepted on write, never shown in any response."""

from __future__ import annotations

from typing import Any

from api_helpers import API, YAML, assert_problem
from fastapi.testclient import TestClient

from openipn.secure.milenage import compute_opc

FIXTURE_K1 = "465b5ce8b199b49faa5f0a2ee238a6bc"
FIXTURE_OP1 = "cdc202d5123e20f62b6d676ac72cb318"
FIXTURE_K2 = "0396eb317b6d1c36f19c1c84cd6ffd16"
FIXTURE_OPC2 = "5d1a3b9f0c7e2a4b6d8f1e3c5a7b9d0f"
NEW_SUPI = "imsi-999990000000099"
NEW_K = "00112233445566778899AABBCCDDEEFF"
NEW_OPC = "0123456789abcdef0123456789abcdef"
ROTATED_K = "fedcba9876543210fedcba9876543210"
ROTATED_OPC = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
SECRETS = [
    FIXTURE_K1,
    FIXTURE_OP1,
    compute_opc(bytes.fromhex(FIXTURE_K1), bytes.fromhex(FIXTURE_OP1)).hex(),
    FIXTURE_K2,
    FIXTURE_OPC2,
    NEW_K,
    NEW_OPC,
    ROTATED_K,
    ROTATED_OPC,
]


def assert_no_secrets(response: Any) -> None:
    """Neither the hex of any K/OP/OPc nor a sealed token appears in the raw body."""
    text = response.text.lower()
    for secret in SECRETS:
        assert secret.lower() not in text, f"{response.request.url} leaked a secret"
    assert "sm4gcm1:" not in text


def test_credentials_never_leave_the_api(applied: TestClient, site_text: str) -> None:
    seen = []
    created = applied.post(
        f"{API}/subscriptions", json={"supi": NEW_SUPI, "k": NEW_K, "opc": NEW_OPC}
    )
    assert created.status_code == 201, created.text
    seen.append(created)
    rotated = applied.patch(
        f"{API}/subscriptions/{NEW_SUPI}", json={"k": ROTATED_K, "opc": ROTATED_OPC}
    )
    assert rotated.status_code == 200, rotated.text
    fields = rotated.json()["plan"]["changes"][0]["fields"]
    assert {(f["field"], f["old"], f["new"]) for f in fields} == {
        ("k", "(secret)", "(new secret)"),
        ("opc", "(secret)", "(new secret)"),
    }
    seen.append(rotated)
    replaced = applied.put(
        f"{API}/subscriptions/{NEW_SUPI}",
        json={"supi": NEW_SUPI, "k": NEW_K, "opc": NEW_OPC, "description": "AGV 7"},
    )
    assert replaced.status_code == 200, replaced.text
    seen.append(replaced)
    seen.append(applied.get(f"{API}/subscriptions"))
    seen.append(applied.get(f"{API}/subscriptions?page_size=1&page=2"))
    seen.append(applied.get(f"{API}/subscriptions/{NEW_SUPI}"))
    seen.append(applied.get(f"{API}/subscriptions/imsi-999990000000001"))
    seen.append(applied.get(f"{API}/export"))
    seen.append(applied.get(f"{API}/versions"))
    seen.append(applied.post(f"{API}/plan", content=site_text, headers=YAML))
    seen.append(applied.post(f"{API}/apply?dry_run=true", content=site_text, headers=YAML))
    seen.append(applied.post(f"{API}/versions/1/restore?dry_run=true"))
    seen.append(applied.get("/openapi.json"))
    for response in seen:
        assert response.status_code in {200, 201}, response.text
        assert_no_secrets(response)


def test_credential_status_is_derived(applied: TestClient) -> None:
    listed = applied.get(f"{API}/subscriptions").json()["items"]
    assert len(listed) == 2
    for item in listed:
        assert not {"k", "op", "opc"} & set(item)
        assert item["derived"]["has_credentials"] is True
        assert len(item["derived"]["credential_key_id"]) == 8
    single = applied.get(f"{API}/subscriptions/imsi-999990000000001").json()
    assert single["derived"] == listed[0]["derived"]
    assert applied.get(f"{API}/subscriptions?profile=P-AGV").json()["total"] == 2
    assert_problem(applied.get(f"{API}/subscriptions?k={FIXTURE_K1}"), 422)


def test_credential_errors_do_not_echo_values(applied: TestClient) -> None:
    bad = applied.post(
        f"{API}/subscriptions", json={"supi": NEW_SUPI, "k": NEW_K[:-1], "opc": NEW_OPC}
    )
    body = assert_problem(bad, 422)
    assert body["errors"][0]["path"] == f"subscriptions[{NEW_SUPI}].k"
    assert_no_secrets(bad)
    assert NEW_K[:-1].lower() not in bad.text.lower()
    missing = applied.post(f"{API}/subscriptions", json={"supi": NEW_SUPI, "opc": NEW_OPC})
    body = assert_problem(missing, 422)
    assert body["errors"][0]["path"] == f"subscriptions[{NEW_SUPI}].k"
    assert_no_secrets(missing)
    both = applied.patch(
        f"{API}/subscriptions/imsi-999990000000001", json={"k": NEW_K, "op": NEW_K, "opc": NEW_OPC}
    )
    assert_problem(both, 422)
    assert_no_secrets(both)
