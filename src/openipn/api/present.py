"""Stored objects as the API shows them: site-file field names plus read-only `derived` values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine

from openipn.model.identifiers import nci
from openipn.model.kinds import KindSpec
from openipn.model.radio import Cell
from openipn.model.site import Snpn
from openipn.store import queries
from openipn.store.queries import CredentialInfo


def as_model(spec: KindSpec, data: Mapping[str, Any]) -> BaseModel | None:
    """The typed object, or None when stored data no longer fits the model."""
    try:
        return spec.model.model_validate(data)
    except ValidationError:
        return None


def public_data(spec: KindSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """The object's fields as in a site file (aliases, no secrets), defaults included."""
    obj = as_model(spec, data)
    if obj is None:
        return dict(data)
    return obj.model_dump(mode="json", by_alias=True)


def cell_derived(cell: Cell, gnb: Mapping[str, Any] | None) -> dict[str, Any]:
    """NCI (from the cell's gNB), DL centre frequency, channel edges and EIRP."""
    value: int | None = None
    if gnb is not None:
        try:
            value = nci(int(gnb["gnb_id"]), int(gnb.get("gnb_id_length", 22)), cell.cell_local_id)
        except (KeyError, TypeError, ValueError):
            value = None
    low, high = cell.band_edges_mhz
    return {
        "nci": value,
        "nci_hex": None if value is None else f"{value:09x}",
        "frequency_dl_mhz": cell.frequency_dl_mhz,
        "band_edges_mhz": [low, high],
        "eirp_dbm": cell.eirp_dbm,
    }


def snpn_derived(snpn: Snpn) -> dict[str, Any]:
    """Serving network name, home network domain and NID assignment mode."""
    mode = snpn.nid_assignment
    return {
        "serving_network_name": snpn.serving_network_name,
        "home_network_domain": snpn.home_network_domain,
        "nid_assignment": None if mode is None else mode.value,
    }


def credentials_derived(info: CredentialInfo | None) -> dict[str, Any]:
    """Whether credentials are stored, and the id of the key that sealed them."""
    if info is None:
        return {"has_credentials": False, "credential_key_id": None}
    return {"has_credentials": info.stored, "credential_key_id": info.key_id}


def applications_by_edge_node(engine: Engine) -> dict[str, list[str]]:
    """Names of the applications running on each edge node."""
    result: dict[str, list[str]] = {}
    page = queries.list_objects(engine, "application", filters={}, page=1, page_size=100_000)
    for app in page.items:
        if app.get("edge_node"):
            result.setdefault(str(app["edge_node"]), []).append(str(app["name"]))
    return result


def present_items(
    engine: Engine,
    spec: KindSpec,
    items: Sequence[Mapping[str, Any]],
    credentials: Mapping[str, CredentialInfo] | None = None,
) -> list[dict[str, Any]]:
    """Objects of one kind as the API returns them."""
    typed = [as_model(spec, data) for data in items]
    gnbs: dict[str, dict[str, Any]] = {}
    if spec.kind == "cell":
        names = {obj.gnb for obj in typed if isinstance(obj, Cell)}
        gnbs = queries.get_objects(engine, "gnb", names)
    apps = applications_by_edge_node(engine) if spec.kind == "edge_node" else {}
    result = []
    for data, obj in zip(items, typed, strict=True):
        out = dict(data) if obj is None else obj.model_dump(mode="json", by_alias=True)
        if isinstance(obj, Cell):
            out["derived"] = cell_derived(obj, gnbs.get(obj.gnb))
        elif isinstance(obj, Snpn):
            out["derived"] = snpn_derived(obj)
        elif spec.kind == "subscription":
            out["derived"] = credentials_derived((credentials or {}).get(str(data.get("supi"))))
        elif spec.kind == "edge_node":
            out["derived"] = {"applications": apps.get(str(data.get("name")), [])}
        result.append(out)
    return result


def present_one(
    engine: Engine, spec: KindSpec, name: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """One object as the API returns it."""
    credentials: dict[str, CredentialInfo] = {}
    if spec.kind == "subscription":
        info = queries.get_credential_info(engine, name)
        if info is not None:
            credentials[str(data.get("supi"))] = info
    return present_items(engine, spec, [data], credentials)[0]
