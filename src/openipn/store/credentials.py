"""Subscriber credentials at rest: K and OPc sealed with SM4-GCM, OP converted and dropped.

OP is never stored: OPc = E_K(OP) XOR OP (TS 35.206 §4.1) is computed on import.
"""

from __future__ import annotations

from openipn.model.subscribers import Subscription
from openipn.secure.milenage import compute_opc
from openipn.secure.secrets import SecretBox, SecretError

SEALED_FIELDS = ("k", "opc")


def _aad(supi: str, field: str) -> bytes:
    """Bind each token to its SUPI and field, so tokens cannot be swapped between rows."""
    return f"{supi}|{field}".encode()


def credentials_problem(sub: Subscription, *, is_new: bool) -> tuple[str, str] | None:
    """(field, message) when the secrets given are incomplete; None when they are usable."""
    given = {name for name in ("k", "op", "opc") if getattr(sub, name) is not None}
    if not given:
        return ("k", "required for a new subscription (with op or opc)") if is_new else None
    if "k" not in given:
        return "k", "required when op or opc is given"
    if {"op", "opc"} <= given:
        return "opc", "give op or opc, not both"
    if not given & {"op", "opc"}:
        return "opc", "required with k (or give op)"
    return None


def plain_credentials(sub: Subscription) -> tuple[bytes, bytes] | None:
    """(K, OPc) as bytes from a subscription that carries secrets, converting OP to OPc."""
    if sub.k is None:
        return None
    k = bytes.fromhex(sub.k.get_secret_value())
    if sub.opc is not None:
        return k, bytes.fromhex(sub.opc.get_secret_value())
    if sub.op is not None:
        return k, compute_opc(k, bytes.fromhex(sub.op.get_secret_value()))
    return None


def seal(box: SecretBox, supi: str, k: bytes, opc: bytes) -> dict[str, str]:
    """Encrypt K and OPc for storage."""
    return {
        "k": box.encrypt(k, aad=_aad(supi, "k")),
        "opc": box.encrypt(opc, aad=_aad(supi, "opc")),
    }


def unseal(box: SecretBox, supi: str, sealed: dict[str, str]) -> tuple[bytes, bytes]:
    """Decrypt stored K and OPc (only for an explicit, audited export or a comparison)."""
    return (
        box.decrypt(sealed["k"], aad=_aad(supi, "k")),
        box.decrypt(sealed["opc"], aad=_aad(supi, "opc")),
    )


def resolve(
    box: SecretBox, sub: Subscription, existing: dict[str, str] | None
) -> dict[str, str] | None:
    """The tokens to store: existing ones when unchanged (or none given), new ones otherwise."""
    plain = plain_credentials(sub)
    if plain is None:
        return existing
    if existing is not None:
        try:
            if unseal(box, sub.supi, existing) == plain:
                return existing
        except SecretError:
            pass  # sealed with another key: re-seal with the current one
    return seal(box, sub.supi, *plain)
