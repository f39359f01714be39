"""The table of object kinds: section name in the site file, singular name, model class."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from openipn.model.core import CoreFunction, EdgeNode, Upf
from openipn.model.radio import Cell, Gnb, ManagedElement
from openipn.model.services import Application, Slice
from openipn.model.site import Area, Permit, Site, Snpn
from openipn.model.subscribers import SimProfile, Subscription, Terminal
from openipn.model.suggest import did_you_mean
from openipn.model.transport import Link, PtpGrandmaster, TransportNode


@dataclass(frozen=True)
class KindSpec:
    """How one kind of object appears in the site file, the store and the API."""

    kind: str  # singular, used in the store, CLI and plans: "cell"
    section: str  # site-file key and API collection: "cells"
    model: type[BaseModel]
    key_field: str = "name"
    singleton: bool = False
    topology_node: bool = False  # may be an endpoint of a transport link


# Order matters: it is the order of sections in an exported site file.
KINDS: tuple[KindSpec, ...] = (
    KindSpec("site", "site", Site, singleton=True),
    KindSpec("snpn", "snpn", Snpn, key_field="", singleton=True),
    KindSpec("area", "areas", Area),
    KindSpec("permit", "permits", Permit),
    KindSpec("managed_element", "managed_elements", ManagedElement),
    KindSpec("gnb", "gnbs", Gnb, topology_node=True),
    KindSpec("cell", "cells", Cell),
    KindSpec("core_function", "core_functions", CoreFunction, topology_node=True),
    KindSpec("upf", "upfs", Upf, topology_node=True),
    KindSpec("edge_node", "edge_nodes", EdgeNode, topology_node=True),
    KindSpec("transport_node", "transport_nodes", TransportNode, topology_node=True),
    KindSpec("ptp_grandmaster", "ptp_grandmasters", PtpGrandmaster, topology_node=True),
    KindSpec("link", "links", Link),
    KindSpec("slice", "slices", Slice),
    KindSpec("application", "applications", Application),
    KindSpec("sim_profile", "sim_profiles", SimProfile),
    KindSpec("terminal", "terminals", Terminal),
    KindSpec("subscription", "subscriptions", Subscription, key_field="supi"),
)

BY_KIND: dict[str, KindSpec] = {spec.kind: spec for spec in KINDS}
BY_SECTION: dict[str, KindSpec] = {spec.section: spec for spec in KINDS}
SINGLETON_KEY = "_"


def kind_spec(name: str) -> KindSpec:
    """Look a kind up by singular or section name ('cell' or 'cells')."""
    spec = BY_KIND.get(name) or BY_SECTION.get(name)
    if spec is None:
        known = ", ".join(spec.kind for spec in KINDS)
        near = did_you_mean(name, [*BY_KIND, *BY_SECTION])
        raise KeyError(f"unknown kind {name!r}{near or f'; known kinds: {known}'}")
    return spec


def object_key(spec: KindSpec, obj: BaseModel) -> str:
    """The key that names an object within its kind."""
    if spec.singleton:
        return SINGLETON_KEY
    return str(getattr(obj, spec.key_field))
