"""Read-side queries over stored objects: pages with filters, single objects, counts.

Filters compare top-level scalar fields inside the stored JSON in SQL, so they work the same on
SQLite and PostgreSQL. Subscriber credentials are only ever reported as present or absent with
the id of the key that sealed them; the sealed tokens never leave the database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Engine, cast, func, select
from sqlalchemy.orm import Session

from openipn.model.kinds import kind_spec
from openipn.secure.secrets import TOKEN_PREFIX
from openipn.store.schema import InventoryRow

SCALAR_TYPES = ("string", "integer", "number", "boolean")
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})
KEY_ID_START = len(TOKEN_PREFIX) + 2  # 1-based position after "sm4gcm1:"
KEY_ID_LENGTH = 8


@dataclass(frozen=True)
class CredentialInfo:
    """Whether a subscription has sealed credentials, and which key sealed them."""

    stored: bool
    key_id: str | None


@dataclass
class Page:
    """One page of a kind's objects (stored data), ordered by name."""

    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    credentials: dict[str, CredentialInfo] = field(default_factory=dict)


class FilterError(ValueError):
    """A filter that names no filterable field or whose value has the wrong type."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class FilterField:
    """A filterable field: its key in the stored JSON and its JSON-schema type."""

    key: str
    json_type: str


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow $ref, single allOf and nullable anyOf down to one schema."""
    if "$ref" in schema:
        return _resolve(defs[str(schema["$ref"]).rsplit("/", 1)[-1]], defs)
    for combo in ("anyOf", "oneOf", "allOf"):
        options = [s for s in schema.get(combo, ()) if s.get("type") != "null"]
        if combo in schema and len(options) == 1:
            return _resolve(options[0], defs)
    return schema


def _scalar_type(schema: Mapping[str, Any]) -> str | None:
    json_type = schema.get("type")
    if json_type in SCALAR_TYPES:
        return str(json_type)
    values = schema.get("enum")
    if values and all(isinstance(v, str) for v in values):
        return "string"
    return None


@cache
def filter_fields(kind: str) -> dict[str, FilterField]:
    """Query names (field names and aliases) of a kind's scalar top-level fields."""
    model = kind_spec(kind).model
    schema = model.model_json_schema()
    properties, defs = schema.get("properties", {}), schema.get("$defs", {})
    result: dict[str, FilterField] = {}
    for name, info in model.model_fields.items():
        prop = properties.get(info.alias or name)
        if info.exclude or prop is None:
            continue
        json_type = _scalar_type(_resolve(prop, defs))
        if json_type is not None:
            result[name] = FilterField(name, json_type)
            if info.alias:
                result[info.alias] = FilterField(name, json_type)
    return result


def _convert(name: str, json_type: str, text: str) -> str | int | float | bool:
    try:
        if json_type == "integer":
            return int(text)
        if json_type == "number":
            return float(text)
    except ValueError:
        article = "an" if json_type == "integer" else "a"
        message = f"filter {name!r} expects {article} {json_type}, got {text!r}"
        raise FilterError(name, message) from None
    if json_type == "boolean":
        if text.lower() in TRUE_WORDS | FALSE_WORDS:
            return text.lower() in TRUE_WORDS
        raise FilterError(name, f"filter {name!r} expects true or false, got {text!r}")
    return text


def _condition(kind: str, name: str, text: str) -> ColumnElement[bool]:
    fields = filter_fields(kind)
    spec = fields.get(name)
    if spec is None:
        allowed = ", ".join(sorted(fields))
        raise FilterError(name, f"cannot filter {kind} by {name!r}; filterable fields: {allowed}")
    value = _convert(name, spec.json_type, text)
    element = InventoryRow.data[spec.key]
    extracted: ColumnElement[Any]
    if spec.json_type == "integer":  # BIGINT: IDs such as gnb_id reach 2**32 - 1 (TS 38.413)
        extracted = cast(element.as_string(), BigInteger)
    elif spec.json_type == "number":
        extracted = element.as_float()
    elif spec.json_type == "boolean":
        extracted = element.as_boolean()
    else:
        extracted = element.as_string()
    return extracted == value


def _conditions(
    kind: str, filters: Mapping[str, str], name_contains: str | None
) -> list[ColumnElement[bool]]:
    spec = kind_spec(kind)
    where = [InventoryRow.kind == spec.kind]
    where += [_condition(spec.kind, name, text) for name, text in filters.items()]
    if name_contains:
        where.append(InventoryRow.name.icontains(name_contains, autoescape=True))
    return where


def _has_credentials_column() -> ColumnElement[bool]:
    # Robust to rows written before empty JSON became SQL NULL: look inside.
    token: ColumnElement[str | None] = InventoryRow.secrets["k"].as_string()
    return token.is_not(None)


def _key_id_column() -> ColumnElement[str | None]:
    token = InventoryRow.secrets["k"].as_string()
    return func.substr(token, KEY_ID_START, KEY_ID_LENGTH)


def sealing_key_ids(engine: Engine) -> set[str]:
    """Ids of the keys that sealed the stored subscriber secrets (never the tokens)."""
    query = (
        select(_key_id_column())
        .where(InventoryRow.kind == "subscription", _has_credentials_column())
        .distinct()
    )
    with engine.connect() as connection:
        return {key_id for (key_id,) in connection.execute(query) if key_id}


def list_objects(
    engine: Engine,
    kind: str,
    *,
    filters: Mapping[str, str],
    page: int,
    page_size: int,
    name_contains: str | None = None,
) -> Page:
    """A page of a kind's objects ordered by name; FilterError (a ValueError) names a bad filter."""
    if page < 1 or page_size < 1:
        raise ValueError("page and page_size start at 1")
    spec = kind_spec(kind)
    where = _conditions(spec.kind, filters, name_contains)
    columns = (InventoryRow.name, InventoryRow.data, _has_credentials_column())
    query = select(*columns, _key_id_column()).where(*where).order_by(InventoryRow.name)
    query = query.limit(page_size).offset((page - 1) * page_size)
    with Session(engine) as session:
        count = select(func.count()).select_from(InventoryRow).where(*where)
        total = int(session.scalar(count) or 0)
        rows = session.execute(query).all()
    result = Page([row[1] for row in rows], total, page, page_size)
    if spec.kind == "subscription":
        result.credentials = {row[0]: _credential_info(row[2], row[3]) for row in rows}
    return result


def _credential_info(stored: object, key_id: str | None) -> CredentialInfo:
    valid = key_id is not None and len(key_id) == KEY_ID_LENGTH
    return CredentialInfo(bool(stored), key_id if bool(stored) and valid else None)


def get_object(engine: Engine, kind: str, name: str) -> dict[str, Any] | None:
    """The stored data of one object, or None."""
    spec = kind_spec(kind)
    query = select(InventoryRow.data).where(InventoryRow.kind == spec.kind)
    with Session(engine) as session:
        data = session.scalar(query.where(InventoryRow.name == name))
    return None if data is None else dict(data)


def object_names(engine: Engine, kind: str) -> list[str]:
    """The names of every stored object of one kind (for "did you mean")."""
    query = select(InventoryRow.name).where(InventoryRow.kind == kind_spec(kind).kind)
    with Session(engine) as session:
        return list(session.scalars(query))


def get_objects(engine: Engine, kind: str, names: Collection[str]) -> dict[str, dict[str, Any]]:
    """The stored data of several objects of one kind, by name (missing ones left out)."""
    if not names:
        return {}
    spec = kind_spec(kind)
    query = select(InventoryRow.name, InventoryRow.data).where(
        InventoryRow.kind == spec.kind, InventoryRow.name.in_(sorted(set(names)))
    )
    with Session(engine) as session:
        return {name: dict(data) for name, data in session.execute(query)}


def get_credential_info(engine: Engine, supi: str) -> CredentialInfo | None:
    """Whether a subscription's credentials are stored and their key id (None: no such SUPI)."""
    query = select(_has_credentials_column(), _key_id_column()).where(
        InventoryRow.kind == "subscription", InventoryRow.name == supi
    )
    with Session(engine) as session:
        row = session.execute(query).first()
    return None if row is None else _credential_info(row[0], row[1])


def count_by_kind(engine: Engine) -> dict[str, int]:
    """How many objects of each kind are stored (kinds with none are left out)."""
    query = select(InventoryRow.kind, func.count()).group_by(InventoryRow.kind)
    with Session(engine) as session:
        return {kind: int(count) for kind, count in session.execute(query)}
