"""One object identity: `kind:name`, with one table of accepted spellings of each kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openipn.model.base import SPACE
from openipn.model.core import CoreFunctionType
from openipn.model.kinds import BY_KIND, KINDS, SINGLETON_KEY

# Spellings people and scenario files use -> the canonical kind of `model/kinds.py`.
EXTRA_ALIASES: Mapping[str, str] = {
    "element": "managed_element",
    "me": "managed_element",
    "switch": "transport_node",
    "router": "transport_node",
    "bridge": "transport_node",
    "edge": "edge_node",
    "mec": "edge_node",
    "ptp": "ptp_grandmaster",
    "grandmaster": "ptp_grandmaster",
    "nf": "core_function",
    "sim": "subscription",
    **{nf.value.lower(): "core_function" for nf in CoreFunctionType},  # amf:, smf:, ...
}
KIND_ALIASES: Mapping[str, str] = {
    **{spec.kind: spec.kind for spec in KINDS},
    **{spec.section: spec.kind for spec in KINDS},
    **EXTRA_ALIASES,
}
# Characters whose str.lower() is an ASCII letter other than that letter's capital.
_OTHER_CASES: Mapping[str, str] = {"k": "\u212a"}  # KELVIN SIGN lowers to `k`


def caseless(word: str) -> str:
    """A regular expression matching every text whose lower() is `word` (ASCII, no specials)."""
    return "".join(
        f"[{char}{char.upper()}{_OTHER_CASES.get(char, '')}]" if char.isalpha() else char
        for char in word
    )


# `kind:name` as ObjectRef.parse reads it (the text and the kind stripped, the kind caseless),
# with no `=` (a text with `=` is read as a DN where objects and DNs are both accepted).
OBJECT_REF_PATTERN = (
    rf"[{SPACE}]*(?:"
    + "|".join(caseless(alias) for alias in sorted(KIND_ALIASES, key=len, reverse=True))
    + rf")[{SPACE}]*:[^=]*[^{SPACE}=][^=]*"
)
# An alias that also fixes the core function's type (`amf:x` names an AMF).
TYPE_ALIASES: Mapping[str, CoreFunctionType] = {nf.value.lower(): nf for nf in CoreFunctionType}


class ObjectRefError(ValueError):
    """Text that is not `kind:name` with a known kind."""


def canonical_kind(text: str) -> str:
    """The canonical kind of a spelling ('cells', 'switch', 'amf' ...); ObjectRefError if none."""
    kind = KIND_ALIASES.get(text.strip().lower())
    if kind is None:
        known = ", ".join(spec.kind for spec in KINDS)
        raise ObjectRefError(f"unknown kind {text!r}; known kinds: {known}")
    return kind


@dataclass(frozen=True, order=True)
class ObjectRef:
    """A model object named by its kind and its key, printed `kind:name`."""

    kind: str
    name: str

    def __post_init__(self) -> None:
        if self.kind not in BY_KIND:
            raise ObjectRefError(f"unknown kind {self.kind!r}")
        if not self.name:
            raise ObjectRefError(f"{self.kind}: has no name")

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def section(self) -> str:
        """The site-file section (and API collection) of the kind."""
        return BY_KIND[self.kind].section

    @classmethod
    def parse(cls, text: str) -> ObjectRef:
        """`kind:name` in any accepted spelling of the kind; `site` alone names the site."""
        text = text.strip()
        if text.lower() in ("site", "snpn"):
            return cls(text.lower(), SINGLETON_KEY)
        kind_text, sep, name = text.partition(":")
        if not sep or not name.strip():
            raise ObjectRefError(f"{text!r} is not of the form kind:name")
        return cls(canonical_kind(kind_text), name.strip())


def required_type(text: str) -> CoreFunctionType | None:
    """The core function type an alias fixes (`amf:x` -> AMF), else None."""
    kind_text, _, _ = text.strip().partition(":")
    return TYPE_ALIASES.get(kind_text.strip().lower())
