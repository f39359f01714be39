"""The twin core's subscriber provisioning API, modelled on the free5GC webconsole's.

`POST /api/login` returns a token; `GET /api/subscriber`, and `GET|POST|PUT|DELETE
/api/subscriber/{ueId}/{servingPlmnId}` with the `Token` header manage subscribers. The core
registers only terminals whose SUPI and credentials (K and OP or OPc) it holds.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from openipn.model.identifiers import check_supi
from openipn.model.subscribers import Subscription

HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
TokenHeader = Annotated[str | None, Header(alias="Token")]


class _Key(BaseModel):
    model_config = ConfigDict(extra="allow")
    permanentKeyValue: str = ""
    encryptionKey: int = 0
    encryptionAlgorithm: int = 0


class _Op(BaseModel):
    model_config = ConfigDict(extra="allow")
    opValue: str = ""


class _Milenage(BaseModel):
    model_config = ConfigDict(extra="allow")
    op: _Op = Field(default_factory=_Op)


class _Opc(BaseModel):
    model_config = ConfigDict(extra="allow")
    opcValue: str = ""


class AuthenticationSubscription(BaseModel):
    """Credentials as the webconsole carries them (values in hex)."""

    model_config = ConfigDict(extra="allow")
    authenticationMethod: str = "5G_AKA"
    authenticationManagementField: str = "8000"
    sequenceNumber: str = "000000000000"
    permanentKey: _Key = Field(default_factory=_Key)
    milenage: _Milenage = Field(default_factory=_Milenage)
    opc: _Opc = Field(default_factory=_Opc)


class SubscriberBody(BaseModel):
    """A subscriber document (unknown sections are kept as given)."""

    model_config = ConfigDict(extra="allow")
    plmnID: str
    ueId: str
    AuthenticationSubscription: AuthenticationSubscription


@dataclass(frozen=True)
class Subscriber:
    """What the twin's core holds for one SUPI."""

    supi: str
    plmn_id: str
    has_credentials: bool
    document: dict[str, Any]


def _credentials_ok(auth: AuthenticationSubscription) -> bool:
    key = auth.permanentKey.permanentKeyValue
    op_or_opc = auth.opc.opcValue or auth.milenage.op.opValue
    return bool(HEX32.match(key) and HEX32.match(op_or_opc))


class SubscriberStore:
    """Thread-safe subscriber table; `on_change(provisioned SUPIs)` tells the simulation."""

    def __init__(self, on_change: Callable[[set[str]], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, Subscriber] = {}
        self._on_change = on_change

    def put(self, body: SubscriberBody) -> Subscriber:
        """Create or replace a subscriber."""
        return self.put_many([body])[0]

    def put_many(self, bodies: list[SubscriberBody]) -> list[Subscriber]:
        """Create or replace many subscribers, telling the simulation once."""
        subs = [
            Subscriber(
                b.ueId,
                b.plmnID,
                _credentials_ok(b.AuthenticationSubscription),
                b.model_dump(mode="json"),
            )
            for b in bodies
        ]
        with self._lock:
            self._subs.update((sub.supi, sub) for sub in subs)
        self._notify()
        return subs

    def delete(self, supi: str) -> bool:
        """Remove a subscriber; False when it was not there."""
        with self._lock:
            found = self._subs.pop(supi, None) is not None
        if found:
            self._notify()
        return found

    def get(self, supi: str) -> Subscriber | None:
        """One subscriber."""
        with self._lock:
            return self._subs.get(supi)

    def all(self) -> list[Subscriber]:
        """Every subscriber, by SUPI."""
        with self._lock:
            return [self._subs[k] for k in sorted(self._subs)]

    def provisioned(self) -> set[str]:
        """SUPIs the core can authenticate (credentials present and well-formed)."""
        with self._lock:
            return {s.supi for s in self._subs.values() if s.has_credentials}

    def _notify(self) -> None:
        if self._on_change is not None:
            self._on_change(self.provisioned())


def _summary(sub: Subscriber) -> dict[str, Any]:
    return {"plmnID": sub.plmn_id, "ueId": sub.supi}


def create_provisioning_app(store: SubscriberStore, *, username: str, password: str) -> FastAPI:
    """The webconsole-style API over a store, protected by a login token."""
    app = FastAPI(title="OpenIPN twin core provisioning", docs_url=None, redoc_url=None)
    tokens: set[str] = set()

    def authorised(token: str | None) -> None:
        if token is None or token not in tokens:
            raise HTTPException(401, "missing or invalid Token header; POST /api/login first")

    @app.post("/api/login")
    def login(credentials: dict[str, str]) -> dict[str, str]:
        if (credentials.get("username"), credentials.get("password")) != (username, password):
            raise HTTPException(401, "wrong username or password")
        token = secrets.token_urlsafe(24)
        tokens.add(token)
        return {"access_token": token, "token_type": "Token"}

    app.include_router(_subscriber_router(store, authorised))
    return app


def _subscriber_router(
    store: SubscriberStore, authorised: Callable[[str | None], None]
) -> APIRouter:
    router = APIRouter(prefix="/api/subscriber")

    @router.get("")
    def list_subscribers(token: TokenHeader = None) -> list[dict[str, Any]]:
        authorised(token)
        return [_summary(sub) for sub in store.all()]

    @router.get("/{ue_id}/{plmn_id}")
    def get_subscriber(ue_id: str, plmn_id: str, token: TokenHeader = None) -> dict[str, Any]:
        authorised(token)
        sub = store.get(ue_id)
        if sub is None or sub.plmn_id != plmn_id:
            raise HTTPException(404, f"no subscriber {ue_id} in PLMN {plmn_id}")
        return sub.document

    @router.post("/{ue_id}/{plmn_id}", status_code=201)
    @router.put("/{ue_id}/{plmn_id}", status_code=201)
    async def put_subscriber(
        ue_id: str, plmn_id: str, request: Request, token: TokenHeader = None
    ) -> dict[str, Any]:
        authorised(token)
        body = SubscriberBody.model_validate(await request.json())
        _check_body(body, ue_id, plmn_id)
        return _summary(store.put(body))

    @router.delete("/{ue_id}/{plmn_id}", status_code=204)
    def delete_subscriber(ue_id: str, plmn_id: str, token: TokenHeader = None) -> None:
        authorised(token)
        if not store.delete(ue_id):
            raise HTTPException(404, f"no subscriber {ue_id}")

    return router


def _check_body(body: SubscriberBody, ue_id: str, plmn_id: str) -> None:
    if body.ueId != ue_id or body.plmnID != plmn_id:
        raise HTTPException(400, "ueId and plmnID in the body must match the URL")
    try:
        check_supi(ue_id)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    auth = body.AuthenticationSubscription
    if not HEX32.match(auth.permanentKey.permanentKeyValue):
        raise HTTPException(400, "permanentKeyValue must be 32 hexadecimal digits")
    if not _credentials_ok(auth):
        raise HTTPException(400, "give opc.opcValue or milenage.op.opValue (32 hex digits)")


def subscriber_from_site(
    sub: Subscription, *, plmn_id: str, snssais: list[dict[str, Any]]
) -> SubscriberBody | None:
    """The webconsole document for a site-file subscription that carries credentials."""
    if sub.k is None or (sub.opc is None and sub.op is None):
        return None
    auth = AuthenticationSubscription(
        authenticationMethod=sub.auth_method.value,
        authenticationManagementField=sub.amf,
        sequenceNumber=sub.sqn,
        permanentKey=_Key(permanentKeyValue=sub.k.get_secret_value()),
        milenage=_Milenage(op=_Op(opValue=sub.op.get_secret_value() if sub.op else "")),
        opc=_Opc(opcValue=sub.opc.get_secret_value() if sub.opc else ""),
    )
    return SubscriberBody.model_validate(
        {
            "plmnID": plmn_id,
            "ueId": sub.supi,
            "AuthenticationSubscription": auth.model_dump(),
            "AccessAndMobilitySubscriptionData": {"nssai": {"defaultSingleNssais": snssais}},
        }
    )
