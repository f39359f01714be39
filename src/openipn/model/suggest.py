"""Nearest known names for a misspelt field or reference ("did you mean 'gnb-ws1-02'?")."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

CUTOFF = 0.6  # difflib's similarity ratio below which a name is not offered
MAX_SUGGESTIONS = 3  # equally close names offered together


def nearest(word: str, known: Iterable[str]) -> list[str]:
    """The known names closest to `word` (several only when they are equally close)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word.casefold())  # difflib caches details of the second sequence
    scored = []
    for name in sorted(set(known) - {word}):
        matcher.set_seq1(name.casefold())  # `gnb1` is near `GNB1`
        quick = matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF
        if quick and (ratio := matcher.ratio()) >= CUTOFF:
            scored.append((ratio, name))
    if not scored:
        return []
    best = max(ratio for ratio, _ in scored)
    return [name for ratio, name in scored if ratio == best][:MAX_SUGGESTIONS]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """ "; did you mean 'x'?" (or "'x' or 'y'" on a tie), or "" when nothing is close."""
    found = nearest(word, known)
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(name) for name in found) + "?"


def field_names(model: type[BaseModel]) -> list[str]:
    """The names a site file may use for the model's fields (aliases included)."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        names.append(name)
        if isinstance(info.alias, str):
            names.append(info.alias)
    return names


def model_at(model: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class of the object found at `loc` inside `model` (None when not a model)."""
    current: object = model
    for part in loc:
        if isinstance(part, int):
            current = _item_type(current)
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part) or _by_alias(current, part)
        if info is None:
            return None
        current = _model_in(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _by_alias(model: type[BaseModel], alias: str) -> typing.Any:
    return next((i for i in model.model_fields.values() if i.alias == alias), None)


def _model_in(annotation: object) -> object:
    """The model inside `X | None`; a list's annotation is kept for the next index."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else annotation
    return annotation


def _item_type(annotation: object) -> object:
    if typing.get_origin(annotation) in (list, tuple):
        args = typing.get_args(annotation)
        return _model_in(args[0]) if args else None
    return None


def unknown_field_message(model: type[BaseModel], loc: Sequence[int | str]) -> str:
    """ "unknown field" plus the nearest field of the object at `loc[:-1]`, if one is close."""
    owner = model_at(model, loc[:-1]) if loc else None
    if owner is None or not loc:
        return "unknown field"
    return "unknown field" + did_you_mean(str(loc[-1]), field_names(owner))
