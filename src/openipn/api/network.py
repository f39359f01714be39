"""Whole-network endpoints: plan, apply, export, versions, restore, topology and summary."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import WithJsonSchema

from openipn.api.deps import ServicesDep, VersionPath, WriteDep, write_result
from openipn.api.problems import ProblemError
from openipn.api.schemas import (
    MOMENT_SCHEMA,
    PROBLEM_RESPONSES,
    BehindOut,
    SummaryOut,
    VersionList,
    WriteResult,
    problem_responses,
)
from openipn.app import Services
from openipn.model.document import FORMAT, Issue, SiteDocument, SiteFileError, parse_document
from openipn.model.impact import failure_report
from openipn.model.kinds import KINDS, SINGLETON_KEY
from openipn.sitefile import dump_site_text, read_yaml
from openipn.store import queries
from openipn.store.versions import MomentError, VersionInfo, VersionQuery

API = "/api/v1"
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
BODY_SOURCE = "(body)"
SINCE_HELP = "Only versions from this ISO 8601 date or date-time on (UTC when no offset)."
UNTIL_HELP = "Only versions up to this ISO 8601 date (the whole day) or date-time (UTC)."
Moment = Annotated[str, WithJsonSchema(MOMENT_SCHEMA)]
MAX_NESTING = 100  # a site file nests a handful of levels; deeper is refused unread


def site_file_schema() -> dict[str, Any]:
    """A site file (openipn-site/v1): its sections, each a list of objects or one object."""
    sections: dict[str, Any] = {"format": {"type": "string", "enum": [FORMAT]}}
    for spec in KINDS:
        one = {"$ref": f"#/components/schemas/{spec.model.__name__}"}
        many = {"anyOf": [{"type": "array", "items": one}, {"type": "null"}]}
        sections[spec.section] = one if spec.singleton else many
    return {"type": "object", "properties": sections, "additionalProperties": False}


SITE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A site file (openipn-site/v1) as YAML, or the same structure as JSON.",
        "content": {
            media: {"schema": site_file_schema()}
            for media in ("application/yaml", "text/yaml", "application/json")
        },
    }
}


def _bad_body(kind: str, message: str) -> ProblemError:
    return ProblemError(
        400, f"the request body is not valid {kind}", errors=[Issue(BODY_SOURCE, message)]
    )


def too_deep(value: object, limit: int = MAX_NESTING) -> bool:
    """Whether lists and mappings nest more than `limit` levels (walked without recursion)."""
    stack, seen = [(value, 1)], set()
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list) or id(item) in seen:
            continue
        if depth > limit:
            return True
        seen.add(id(item))  # a YAML alias is walked once
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return False


def _read_json(text: str) -> object:
    try:  # RFC 8259 JSON; orjson refuses NaN, Infinity and nesting deeper than 1024
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise _bad_body("JSON", message) from None


def _read_yaml(text: str) -> object:
    try:
        return read_yaml(text, source=BODY_SOURCE)
    except SiteFileError as exc:
        raise ProblemError(400, "the request body is not valid YAML", errors=exc.issues) from None
    except RecursionError:  # the YAML composer recurses once per level of nesting
        raise _bad_body("YAML", f"nested more than {MAX_NESTING} levels") from None


def _load_body(text: str, media_type: str) -> object:
    """Parse the body as JSON or YAML; a 400 problem when it cannot be read."""
    is_json = media_type == "application/json" or media_type.endswith("+json")
    if not is_json and media_type and media_type not in YAML_TYPES | {"text/plain"}:
        raise ProblemError(
            415, f"send the site file as application/yaml or application/json, not {media_type}"
        )
    body = _read_json(text) if is_json else _read_yaml(text)
    if too_deep(body):
        kind = "JSON" if is_json else "YAML"
        raise _bad_body(kind, f"nested more than {MAX_NESTING} levels")
    return body


async def site_document(request: Request) -> SiteDocument:
    """The site file in the request body, parsed; its field-level issues ride on the document.

    Planning or applying it reports them together with the cross-object issues.
    """
    raw = await request.body()
    if not raw.strip():
        raise ProblemError(400, "the request body is empty; send a site file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemError(400, "the request body is not UTF-8 text") from None
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    document, _ = parse_document(_load_body(text, media_type))
    return document


SiteBody = Annotated[SiteDocument, Depends(site_document)]


def _version_out(info: VersionInfo) -> dict[str, Any]:
    out = dataclasses.asdict(info)
    out["created_at"] = info.created_at.isoformat()
    return out


def add_change_routes(router: APIRouter) -> None:
    """Plan and apply a site file."""

    @router.post(
        "/plan",
        summary="Plan a site file",
        response_model=None,
        responses={200: {"model": WriteResult}, **problem_responses(415)},
        openapi_extra=SITE_BODY,
    )
    def plan(document: SiteBody, services: ServicesDep) -> dict[str, Any]:
        """What applying the site file would change; nothing is changed."""
        return {
            "version": None,
            "dry_run": True,
            "plan": services.inventory.plan(document).as_dict(),
        }

    @router.post(
        "/apply",
        summary="Apply a site file",
        response_model=None,
        responses={200: {"model": WriteResult}, **problem_responses(415)},
        openapi_extra=SITE_BODY,
    )
    def apply(document: SiteBody, services: ServicesDep, options: WriteDep) -> dict[str, Any]:
        """Apply the site file in one transaction: the sections it names replace stored ones."""
        result = services.inventory.apply(
            document,
            author=options.author,
            reason=options.reason or "api: apply site file",
            dry_run=options.dry_run,
        )
        return write_result(result)


def add_export_route(router: APIRouter) -> None:
    """GET the stored network as a site file."""

    @router.get(
        "/export",
        summary="Export the network as a site file",
        response_class=Response,
        responses={200: {"content": {"application/yaml": {}}}},
    )
    def export(services: ServicesDep) -> Response:
        """The stored network as YAML (subscriber credentials are never part of it)."""
        text = dump_site_text(services.inventory.export())
        return Response(
            text,
            media_type="application/yaml",
            headers={"Content-Disposition": 'inline; filename="site.yaml"'},
        )


def add_version_routes(router: APIRouter) -> None:
    """List versions and restore one."""

    @router.get(
        "/versions",
        summary="List versions",
        response_model=None,
        responses={200: {"model": VersionList}, **problem_responses(422)},
    )
    def versions(
        services: ServicesDep,
        since: Annotated[Moment | None, Query(description=SINCE_HELP)] = None,
        until: Annotated[Moment | None, Query(description=UNTIL_HELP)] = None,
        author: Annotated[str | None, Query(description="Only versions by this author.")] = None,
    ) -> dict[str, Any]:
        """The versions that match the filters (all by default), oldest first."""
        try:
            query = VersionQuery.parse(since, until, author)
        except MomentError as exc:
            issue = Issue(f"query.{exc.option}", str(exc))
            raise ProblemError(422, str(exc), errors=[issue]) from None
        items = [_version_out(info) for info in services.inventory.versions(query)]
        return {"items": items, "total": len(items)}

    @router.post(
        "/versions/{number}/restore",
        summary="Restore a version",
        response_model=None,
        responses={200: {"model": WriteResult}},
    )
    def restore(number: VersionPath, services: ServicesDep, options: WriteDep) -> dict[str, Any]:
        """Make the network as it was at a version, recorded as a new version."""
        try:
            result = services.inventory.restore(
                number, author=options.author, reason=options.reason or "", dry_run=options.dry_run
            )
        except KeyError as exc:
            raise ProblemError(404, str(exc.args[0])) from None
        return write_result(result)


def behind_view(services: Services, link: str | None, node: str | None) -> dict[str, Any]:
    """What the failure of one link or node takes away (control and user plane, dependents)."""
    if (link is None) == (node is None):
        message = "give exactly one of link and node"
        raise ProblemError(422, message, errors=[Issue("query.link", message)])
    document = services.inventory.export()
    try:
        return failure_report(document, link=link, node=node)
    except KeyError as exc:
        raise ProblemError(404, str(exc.args[0])) from None


def summary_view(services: Services) -> dict[str, Any]:
    """Objects per kind (every kind listed), the site's name and the latest version."""
    counted = queries.count_by_kind(services.engine)
    counts = {spec.kind: counted.get(spec.kind, 0) for spec in KINDS}
    site = queries.get_object(services.engine, "site", SINGLETON_KEY)
    return {
        "site": None if site is None else site.get("name"),
        "counts": counts,
        "total": sum(counts.values()),
        "latest_version": services.inventory.latest_version(),
    }


def add_view_routes(router: APIRouter) -> None:
    """Topology and summary views."""

    @router.get(
        "/topology/behind",
        summary="What a failure cuts off",
        response_model=None,
        responses={200: {"model": BehindOut}},
    )
    def topology_behind(
        services: ServicesDep,
        link: Annotated[str | None, Query(description="A link that fails")] = None,
        node: Annotated[str | None, Query(description="A node that fails")] = None,
    ) -> dict[str, Any]:
        """Nodes cut off from every AMF, gNBs losing N2, per UPF the gNBs losing N3, and the
        slices, cells, applications and terminals that depend on them."""
        return behind_view(services, link, node)

    @router.get(
        "/summary",
        summary="Counts per kind and the latest version",
        response_model=None,
        responses={200: {"model": SummaryOut}},
    )
    def summary(services: ServicesDep) -> dict[str, Any]:
        """How many objects of each kind are stored, and the latest version."""
        return summary_view(services)


def network_router() -> APIRouter:
    """The whole-network routes."""
    router = APIRouter(prefix=API, tags=["network"], responses=PROBLEM_RESPONSES)
    add_change_routes(router)
    add_export_route(router)
    add_version_routes(router)
    add_view_routes(router)
    return router
