"""Path parameters that name model objects: only the model's name characters, never a sub-route.

An object name may hold `/` (model/base.py NAME_RE), so a collection route reads the rest of
the path as the name; these converters keep that read to what a name can be, and keep the
terminal sub-resources (`/terminals/<name>/status`, `/history`) out of a terminal's name, so a
request meant for them is answered by them (404 or 405), never by the collection.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from starlette.convertors import Convertor, register_url_convertor

from openipn.model.base import NAME_RE
from openipn.model.subscribers import TERMINAL_NAME_RE

NAME_PATTERN = NAME_RE.pattern.removeprefix("^").removesuffix("$")
TERMINAL_PATTERN = TERMINAL_NAME_RE.pattern.removeprefix("^").removesuffix("$")
OBJECT_NAME = "object_name"  # converter of any kind's object name
TERMINAL_NAME = "terminal_name"  # converter of a terminal's name in its collection's routes


class ObjectNameConvertor(Convertor[str]):
    """An object name: a letter or digit, then up to 127 of letters, digits and . _ / : + -."""

    regex = NAME_PATTERN

    def convert(self, value: str) -> str:
        """The name as it is."""
        return value

    def to_string(self, value: str) -> str:
        """The name in a URL path."""
        return value


class TerminalNameConvertor(ObjectNameConvertor):
    """A terminal name that does not end in one of the terminal sub-resources."""

    regex = TERMINAL_PATTERN


register_url_convertor(OBJECT_NAME, ObjectNameConvertor())
register_url_convertor(TERMINAL_NAME, TerminalNameConvertor())


def name_param(section: str) -> Any:
    """The path parameter naming one object of a collection (a terminal's is narrower)."""
    if section == "terminals":  # a look-ahead: pydantic-core's regex has none; the route has
        return Path(
            max_length=128,
            description="The terminal's name (never ending in /status or /history).",
            json_schema_extra={"pattern": TERMINAL_NAME_RE.pattern},
        )
    return Path(
        pattern=NAME_RE.pattern,
        max_length=128,
        description="The object's name (letters, digits and . _ / : + -).",
    )


NamePath = Annotated[str, name_param("")]
TerminalNamePath = Annotated[str, name_param("terminals")]


def name_segment(section: str) -> str:
    """The path segment of one object of a collection: `{name:<converter>}`."""
    convertor = TERMINAL_NAME if section == "terminals" else OBJECT_NAME
    return f"{{name:{convertor}}}"
