"""One collection per object kind: list, get, create, replace, merge-patch, delete.

No `from __future__ import annotations` here: request bodies are typed with each kind's model
at runtime, which FastAPI reads from the closures' annotations.
"""

import math
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel

from openipn.api.deps import (
    PageQuery,
    PageSizeQuery,
    ServicesDep,
    WriteDep,
    WriteOptions,
    write_result,
)
from openipn.api.paths import name_param, name_segment
from openipn.api.present import present_items, present_one, public_data
from openipn.api.problems import ProblemError
from openipn.api.schemas import (
    DRY_RUN_RESPONSE,
    PROBLEM_RESPONSES,
    WriteResult,
    item_model,
    page_model,
)
from openipn.app import Services
from openipn.model.document import Issue, SiteFileError, parse_object
from openipn.model.kinds import SINGLETON_KEY, KindSpec, object_key
from openipn.store import queries

API = "/api/v1"
RESERVED_QUERY = frozenset({"page", "page_size", "name_contains"})
MERGE_PATCH = "application/merge-patch+json"
# The store compares integer fields as SQL BIGINT (store/queries.py): a wider filter value is an
# error there, so it is refused here.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def edit(services: Services, options: WriteOptions, what: str, **changes: Any) -> dict[str, Any]:
    """Write through the inventory (validated against the whole network)."""
    result = services.inventory.edit(
        **changes,
        author=options.author,
        reason=options.reason or f"api: {what}",
        dry_run=options.dry_run,
    )
    return write_result(result)


def stored(services: Services, spec: KindSpec, name: str) -> dict[str, Any]:
    """The stored data of an object, or a 404 problem."""
    data = queries.get_object(services.engine, spec.kind, name)
    if data is None:
        what = spec.kind if spec.singleton else f"{spec.kind} named {name!r}"
        raise ProblemError(404, f"no {what}")
    return data


def a_kind(spec: KindSpec) -> str:
    """'a cell', 'an area': the kind with its indefinite article, for summaries."""
    article = "an" if spec.kind[0] in "aeiou" else "a"
    return f"{article} {spec.kind.replace('_', ' ')}"


def check_key(spec: KindSpec, obj: BaseModel, name: str) -> None:
    """The object's key must be the name in the URL (renames are delete + create)."""
    key = object_key(spec, obj)
    if key != name:
        message = f"{key!r} does not match {name!r} in the URL"
        path = f"{spec.section}[{name}].{spec.key_field}"
        raise SiteFileError([Issue(path, message)])


def filter_schema(json_type: str) -> dict[str, Any]:
    """The schema of a filter's value: integers within what the database can bind."""
    schema: dict[str, Any] = {"type": json_type}
    if json_type == "integer":
        schema |= {"format": "int64", "minimum": INT_MIN, "maximum": INT_MAX}
    return schema


def merge_patch_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A merge patch (RFC 7396) of the model: its fields only; null removes an optional one."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    null = {"type": "null"}
    properties = {
        name: prop if name in required or null in prop.get("anyOf", ()) else {"anyOf": [prop, null]}
        for name, prop in schema["properties"].items()
    }
    return {"properties": properties, "additionalProperties": False}


def filter_parameters(spec: KindSpec) -> list[dict[str, Any]]:
    """OpenAPI descriptions of the equality filters a collection accepts."""
    fields = queries.filter_fields(spec.kind)
    names = [info.alias or name for name, info in spec.model.model_fields.items()]
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"Only objects whose {name} equals this value.",
            "schema": filter_schema(fields[name].json_type),
        }
        for name in names
        if name in fields and name not in RESERVED_QUERY
    ]


def unbindable(json_type: str, text: str) -> str | None:
    """Why a filter value cannot be handed to the database, or None when it can."""
    try:
        if json_type == "integer" and not INT_MIN <= int(text) <= INT_MAX:
            return f"{text} is outside {INT_MIN}..{INT_MAX}, the integers a filter compares"
        if json_type == "number" and not math.isfinite(float(text)):
            return f"{text} is not a finite number"
    except ValueError:
        return None  # not a number at all: the store names the expected type
    return None


def query_filters(spec: KindSpec, request: Request) -> dict[str, str]:
    """Query parameters other than paging: field equality filters (422 when unbindable)."""
    fields = queries.filter_fields(spec.kind)
    filters = {k: v for k, v in request.query_params.items() if k not in RESERVED_QUERY}
    for name, text in filters.items():
        reason = unbindable(fields[name].json_type, text) if name in fields else None
        if reason is not None:
            message = f"filter {name!r}: {reason}"
            raise ProblemError(422, message, errors=[Issue(f"query.{name}", message)])
    return filters


def list_page(
    services: Services,
    spec: KindSpec,
    filters: dict[str, str],
    page: int,
    page_size: int,
    name_contains: str | None,
) -> dict[str, Any]:
    """One page of a collection, presented."""
    try:
        result = queries.list_objects(
            services.engine,
            spec.kind,
            filters=filters,
            page=page,
            page_size=page_size,
            name_contains=name_contains,
        )
    except queries.FilterError as exc:
        raise ProblemError(422, str(exc), errors=[Issue(f"query.{exc.field}", str(exc))]) from None
    items = present_items(services.engine, spec, result.items, result.credentials)
    return {"items": items, "total": result.total, "page": page, "page_size": page_size}


def add_read_routes(router: APIRouter, spec: KindSpec) -> None:
    """GET of the collection (paged, filtered) and of one object."""

    @router.get(
        "",
        name=f"list_{spec.section}",
        summary=f"List {spec.section}",
        response_model=None,
        responses={200: {"model": page_model(spec.kind)}},
        openapi_extra={"parameters": filter_parameters(spec)},
    )
    def list_objects(
        request: Request,
        services: ServicesDep,
        page: PageQuery = 1,
        page_size: PageSizeQuery = 100,
        name_contains: Annotated[str | None, Query(description="Substring of the name")] = None,
    ) -> dict[str, Any]:
        """A page of objects ordered by name, with equality filters on scalar fields."""
        filters = query_filters(spec, request)
        return list_page(services, spec, filters, page, page_size, name_contains)

    @router.get(
        f"/{name_segment(spec.section)}",
        name=f"get_{spec.kind}",
        summary=f"Get one {spec.kind}",
        response_model=None,
        responses={200: {"model": item_model(spec.kind)}},
    )
    def get_object(
        name: Annotated[str, name_param(spec.section)], services: ServicesDep
    ) -> dict[str, Any]:
        """One object with its derived values."""
        return present_one(services.engine, spec, name, stored(services, spec, name))


def add_create_route(router: APIRouter, spec: KindSpec) -> None:
    """POST a new object (409 when one with its name exists)."""
    model = spec.model

    @router.post(
        "",
        name=f"create_{spec.kind}",
        summary=f"Create {a_kind(spec)}",
        status_code=201,
        response_model=None,
        responses={201: {"model": WriteResult}, 200: DRY_RUN_RESPONSE},
    )
    def create_object(
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        services: ServicesDep,
        options: WriteDep,
        response: Response,
    ) -> dict[str, Any]:
        """Create an object; the whole network is validated first."""
        name = object_key(spec, body)
        if queries.get_object(services.engine, spec.kind, name) is not None:
            raise ProblemError(409, f"{spec.kind} {name!r} already exists; PUT replaces it")
        result = edit(
            services,
            options,
            f"create {spec.kind} {name}",
            upserts={spec.section: [body]},
            create_only={spec.section: [name]},
        )
        if options.dry_run:
            response.status_code = 200
        else:
            response.headers["Location"] = f"{API}/{spec.section}/{quote(name, safe='/:+@')}"
        return result


def add_replace_route(router: APIRouter, spec: KindSpec) -> None:
    """PUT a whole object in place of the stored one."""
    model = spec.model

    @router.put(
        f"/{name_segment(spec.section)}",
        name=f"replace_{spec.kind}",
        summary=f"Replace {a_kind(spec)}",
        response_model=None,
        responses={200: {"model": WriteResult}},
    )
    def replace_object(
        name: Annotated[str, name_param(spec.section)],
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        services: ServicesDep,
        options: WriteDep,
    ) -> dict[str, Any]:
        """Replace an object; its name in the body must match the URL."""
        check_key(spec, body, name)
        return edit(
            services,
            options,
            f"replace {spec.kind} {name}",
            upserts={spec.section: [body]},
            must_exist={spec.section: [name]},
        )


def add_patch_delete_routes(router: APIRouter, spec: KindSpec) -> None:
    """PATCH (JSON merge patch) and DELETE of one object."""

    @router.patch(
        f"/{name_segment(spec.section)}",
        name=f"patch_{spec.kind}",
        summary=f"Change fields of {a_kind(spec)} (JSON merge patch, RFC 7396)",
        response_model=None,
        responses={200: {"model": WriteResult}},
        openapi_extra={
            "requestBody": {"content": {MERGE_PATCH: {"schema": merge_patch_schema(spec.model)}}}
        },
    )
    def patch_object(
        name: Annotated[str, name_param(spec.section)],
        patch: Annotated[dict[str, Any], Body(media_type=MERGE_PATCH)],
        services: ServicesDep,
        options: WriteDep,
    ) -> dict[str, Any]:
        """Merge the patch into the stored object, re-validate it and write it."""
        current = public_data(spec, stored(services, spec, name))
        obj, issues = parse_object(spec, merge_patch(current, patch), f"{spec.section}[{name}]")
        if obj is None:
            raise SiteFileError(issues)
        check_key(spec, obj, name)
        return edit(
            services,
            options,
            f"patch {spec.kind} {name}",
            upserts={spec.section: [obj]},
            must_exist={spec.section: [name]},
        )

    @router.delete(
        f"/{name_segment(spec.section)}",
        name=f"delete_{spec.kind}",
        summary=f"Delete {a_kind(spec)}",
        response_model=None,
        responses={200: {"model": WriteResult}},
    )
    def delete_object(
        name: Annotated[str, name_param(spec.section)], services: ServicesDep, options: WriteDep
    ) -> dict[str, Any]:
        """Delete an object (refused while others refer to it)."""
        return edit(
            services,
            options,
            f"delete {spec.kind} {name}",
            deletes={spec.section: [name]},
            must_exist={spec.section: [name]},
        )


def add_singleton_routes(router: APIRouter, spec: KindSpec) -> None:
    """GET and PUT of the site or the SNPN identity."""
    model = spec.model

    @router.get(
        "",
        name=f"get_{spec.kind}",
        summary=f"Get the {spec.kind}",
        response_model=None,
        responses={200: {"model": item_model(spec.kind)}},
    )
    def get_singleton(services: ServicesDep) -> dict[str, Any]:
        """The singleton with its derived values."""
        data = stored(services, spec, SINGLETON_KEY)
        return present_one(services.engine, spec, SINGLETON_KEY, data)

    @router.put(
        "",
        name=f"put_{spec.kind}",
        summary=f"Set the {spec.kind}",
        response_model=None,
        responses={200: {"model": WriteResult}},
    )
    def put_singleton(
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        services: ServicesDep,
        options: WriteDep,
    ) -> dict[str, Any]:
        """Create or replace the singleton."""
        return edit(services, options, f"set {spec.kind}", upserts={spec.section: [body]})


def collection_router(spec: KindSpec) -> APIRouter:
    """The routes of one kind, tagged with its section so OpenAPI groups them."""
    router = APIRouter(
        prefix=f"{API}/{spec.section}", tags=[spec.section], responses=PROBLEM_RESPONSES
    )
    if spec.singleton:
        add_singleton_routes(router, spec)
        return router
    add_read_routes(router, spec)
    add_create_route(router, spec)
    add_replace_route(router, spec)
    add_patch_delete_routes(router, spec)
    return router
