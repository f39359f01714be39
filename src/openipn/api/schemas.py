"""Response models: used to document the API (handlers return plain JSON-ready data)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model

from openipn.model.base import SPACE
from openipn.model.dn import DN_PATTERN
from openipn.model.kinds import BY_KIND
from openipn.model.objref import OBJECT_REF_PATTERN
from openipn.store.versions import VersionInfo


class ProblemItem(BaseModel):
    """One invalid field, named by its path (e.g. `cells[C1].pci`)."""

    path: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemItem] | None = None


PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "Unparseable request",
    401: "Credentials missing or wrong",
    404: "No such object",
    405: "Method not allowed on this path",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    503: "Not available now",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problem responses (RFC 9457 problem details) declared for the given statuses."""
    return {
        status: {"model": Problem, "description": PROBLEM_DESCRIPTIONS[status]}
        for status in statuses
    }


# The `object` query parameter as assure.lookup.find_scope reads it: `site`, `kind:name` or a DN.
OBJECT_PATTERN = rf"^(?:[{SPACE}]*site[{SPACE}]*|{OBJECT_REF_PATTERN}|{DN_PATTERN})$"
# A version filter: an ISO 8601 date or date-time (store.versions.parse_moment); empty: none.
MOMENT_SCHEMA: dict[str, Any] = {
    "type": "string",
    "anyOf": [{"format": "date"}, {"format": "date-time"}, {"enum": [""]}],
}
PROBLEM_RESPONSES = problem_responses(400, 404, 409, 422)
TELEMETRY_RESPONSES = problem_responses(404, 422, 503)  # 503: no telemetry store
TELEMETRY_FAMILY = problem_responses(400, 404, 409, 422, 503)  # model objects and telemetry


class CellDerived(BaseModel):
    """Read-only values computed from a cell and its gNB."""

    nci: int | None = Field(description="36-bit NR Cell Identity (TS 38.300 §8.2)")
    nci_hex: str | None = Field(description="The NCI as 9 hexadecimal digits")
    frequency_dl_mhz: float
    band_edges_mhz: tuple[float, float]
    eirp_dbm: float


class SnpnDerived(BaseModel):
    """Read-only values computed from the SNPN identity."""

    serving_network_name: str
    home_network_domain: str
    nid_assignment: str | None


class SubscriptionDerived(BaseModel):
    """What is known about a subscription's credentials (never the credentials)."""

    has_credentials: bool
    credential_key_id: str | None


class EdgeNodeDerived(BaseModel):
    """What runs on an edge node."""

    applications: list[str] = Field(description="Names of the applications it hosts")


DERIVED: dict[str, type[BaseModel]] = {
    "cell": CellDerived,
    "snpn": SnpnDerived,
    "subscription": SubscriptionDerived,
    "edge_node": EdgeNodeDerived,
}


@cache
def item_model(kind: str) -> type[BaseModel]:
    """The model of one object in a response: the kind's model plus `derived`, if any."""
    model = BY_KIND[kind].model
    derived = DERIVED.get(kind)
    if derived is None:
        return model
    fields: dict[str, Any] = {"derived": (derived, ...)}
    return create_model(f"{model.__name__}Item", __base__=model, **fields)


@cache
def page_model(kind: str) -> type[BaseModel]:
    """The model of a page of one kind's objects."""
    fields: dict[str, Any] = {
        "items": (list[item_model(kind)], ...),  # type: ignore[misc]
        "total": (int, ...),
        "page": (int, ...),
        "page_size": (int, ...),
    }
    return create_model(f"{BY_KIND[kind].model.__name__}Page", **fields)


class FieldChangeOut(BaseModel):
    """One attribute that changes (secrets are only marked)."""

    field: str
    old: Any = None
    new: Any = None


class ChangeOut(BaseModel):
    """One object created, updated or deleted."""

    op: str
    kind: str
    name: str
    fields: list[FieldChangeOut]


class PlanOut(BaseModel):
    """What a change does, object by object."""

    summary: str
    counts: dict[str, int]
    changes: list[ChangeOut]
    warnings: list[ProblemItem] = Field(
        default=[], description="Accepted, but will not work as drawn (e.g. a gNB with no link)"
    )


class WriteResult(BaseModel):
    """The answer to a write, a plan or a restore."""

    version: int | None
    dry_run: bool
    plan: PlanOut


DRY_RUN_RESPONSE: dict[str, Any] = {
    "model": WriteResult,
    "description": "dry_run: the plan of the change; nothing was changed",
}


class VersionList(BaseModel):
    """The versions that match, oldest first (each as the store lists it)."""

    items: list[VersionInfo]
    total: int


class BehindNode(BaseModel):
    """A topology node cut off from the core."""

    name: str
    kind: str | None


class UserPlaneLossOut(BaseModel):
    """A UPF some gNBs can no longer use (no N3 path, or the UPF lost its N4 association)."""

    upf: str
    slices: list[str]
    dnns: list[str]
    gnbs: list[str]
    n4_lost: bool


class DependentOut(BaseModel):
    """A slice, cell, application or terminal losing service, at which gNBs, for which slices."""

    name: str
    gnbs: list[str]
    slices: list[str]


class BehindOut(BaseModel):
    """What a link or node failure takes away.

    `behind`: the nodes that lose every path to an AMF; `control_plane`: the gNBs losing N2;
    `user_plane`: per UPF, the gNBs losing it; then what depends on them.
    """

    link: str | None
    node: str | None
    behind: list[BehindNode]
    count: int
    control_plane: list[str]
    user_plane: list[UserPlaneLossOut]
    slices: list[DependentOut]
    cells: list[DependentOut]
    applications: list[DependentOut]
    terminals: list[DependentOut]


class SummaryOut(BaseModel):
    """How big the stored network is."""

    site: str | None
    counts: dict[str, int]
    total: int
    latest_version: int


class HealthOut(BaseModel):
    """Liveness and database reachability."""

    status: str
    version: str
