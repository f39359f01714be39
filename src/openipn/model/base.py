"""Shared building blocks for inventory objects: names, ranges, points and polygons."""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, ValidationError

# The characters str.strip() removes (str.isspace), as a regular-expression class body: written
# out, because `\s` differs between Python (these) and ECMA-262 (which JSON Schema names).
SPACE = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:+-]{0,127}$")


def _check_name(value: str) -> str:
    if not NAME_RE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid name (letters, digits and . _ / : + -, "
            "starting with a letter or digit, at most 128 characters)"
        )
    return value


def _to_text(value: object) -> object:
    """Accept YAML integers where text is meant (e.g. an unquoted NID or serial)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


NAME_SCHEMA = {"type": "string", "pattern": NAME_RE.pattern, "maxLength": 128}
Name = Annotated[str, AfterValidator(_check_name), WithJsonSchema(NAME_SCHEMA)]
Text = Annotated[str, BeforeValidator(_to_text)]


def in_range(low: float, high: float) -> Callable[[float], float]:
    """A validator that names the allowed range, e.g. '1012 is outside 0..1007'."""

    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value

    return check


def IntRange(low: int, high: int) -> type[int]:  # noqa: N802 - reads like a type
    """An int constrained to low..high with a clear error message."""
    schema = WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})
    return Annotated[int, AfterValidator(in_range(low, high)), schema]  # type: ignore[return-value]


def FloatRange(low: float, high: float) -> type[float]:  # noqa: N802 - reads like a type
    """A float constrained to low..high with a clear error message."""
    schema = WithJsonSchema({"type": "number", "minimum": low, "maximum": high})
    return Annotated[float, AfterValidator(in_range(low, high)), schema]  # type: ignore[return-value]


NUMBER_ERRORS: dict[object, str] = {int: "int_type", float: "float_type"}


def _number_error(annotation: object) -> str | None:
    """pydantic's error type for a number field (int, float, optional or annotated), else None."""
    if typing.get_origin(annotation) is Annotated:
        return _number_error(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        parts = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _number_error(parts[0]) if len(parts) == 1 else None
    return NUMBER_ERRORS.get(annotation)


@functools.cache
def _numeric_fields(model: type[BaseModel]) -> dict[str, str]:
    """The names (and aliases) of a model's number fields -> pydantic's error type for them."""
    fields: dict[str, str] = {}
    for name, info in model.model_fields.items():
        error = _number_error(info.annotation)
        if error is not None:
            fields[name] = error
            if isinstance(info.alias, str):
                fields[info.alias] = error
    return fields


class Strict(BaseModel):
    """Base for model values: unknown fields are errors, so typos never pass silently.

    A boolean is no number here (pydantic's lax mode would read true as 1): `pci: true` is an
    error naming the field, as the JSON schema's "type": "integer" says.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_as_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            wrong = [
                InitErrorDetails(type=error, loc=(name,), input=data[name])
                for name, error in _numeric_fields(cls).items()
                if isinstance(data.get(name), bool)
            ]
            if wrong:
                raise ValidationError.from_exception_data(cls.__name__, wrong)
        return data


class InventoryObject(Strict):
    """Base for every named object of the network model."""

    name: Name
    description: str = ""


class Point(Strict):
    """A position on the site floor in local metres (x east, y north, z up)."""

    x: float
    y: float
    z: float = 0.0


Polygon = Annotated[list[tuple[StrictFloat, StrictFloat]], Field(min_length=3)]  # true is no number


def point_in_polygon(x: float, y: float, polygon: list[tuple[float, float]]) -> bool:
    """Ray-casting test; points on an edge count as inside."""
    inside = False
    count = len(polygon)
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[(index + 1) % count]
        if _on_segment(x, y, x1, y1, x2, y2):
            return True
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float) -> bool:
    cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)
    if abs(cross) > 1e-9:
        return False
    return (
        min(x1, x2) - 1e-9 <= x <= max(x1, x2) + 1e-9
        and min(y1, y2) - 1e-9 <= y <= max(y1, y2) + 1e-9
    )
