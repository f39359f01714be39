"""Plans: the difference between two states of the model, object by object and field by field."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openipn.model.document import Issue
from openipn.model.kinds import KINDS

KIND_ORDER = {spec.kind: index for index, spec in enumerate(KINDS)}
SECRET_MARK = "(secret)"
NEW_SECRET_MARK = "(new secret)"


class ChangeOp(StrEnum):
    """What a change does to an object."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class Stored:
    """An object as stored: its attributes and its encrypted secrets (tokens), if any."""

    data: dict[str, Any]
    secrets: dict[str, str] | None = None


Key = tuple[str, str]  # (kind, name)
State = dict[Key, Stored]


@dataclass(frozen=True)
class FieldChange:
    """One attribute that changes; secret values are never shown."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    """One object created, updated or deleted, with before and after images."""

    op: ChangeOp
    kind: str
    name: str
    before: Stored | None
    after: Stored | None
    fields: tuple[FieldChange, ...] = ()

    def describe(self) -> str:
        """One line a person reads in a plan."""
        mark = {ChangeOp.CREATE: "+", ChangeOp.UPDATE: "~", ChangeOp.DELETE: "-"}[self.op]
        line = f"{mark} {self.kind} {self.name}"
        if self.op == ChangeOp.UPDATE:
            parts = [f"{f.field}: {show_value(f.old)} -> {show_value(f.new)}" for f in self.fields]
            line += "  (" + "; ".join(parts) + ")"
        return line


def show_value(value: Any) -> str:
    """A value as a plan shows it: text as is, `(none)` for nothing, others as Python shows them."""
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else repr(value)


@dataclass
class Plan:
    """An ordered list of changes; empty means 'no changes'. Warnings do not stop it."""

    changes: list[Change] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when applying would change nothing."""
        return not self.changes

    def credential_deletes(self) -> list[Change]:
        """Deletions of objects that hold sealed SIM credentials (K, OPc): not recoverable."""
        return [
            c
            for c in self.changes
            if c.op == ChangeOp.DELETE and c.before is not None and c.before.secrets
        ]

    def counts(self) -> dict[str, int]:
        """How many objects each operation touches."""
        counted = Counter(change.op for change in self.changes)
        return {op.value: counted.get(op, 0) for op in ChangeOp}

    def summary(self) -> str:
        """'no changes' or 'N to create, N to change, N to delete'."""
        if self.empty:
            return "no changes"
        c = self.counts()
        return f"{c['create']} to create, {c['update']} to change, {c['delete']} to delete"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the API (secrets are only ever marked, never shown)."""
        return {
            "summary": self.summary(),
            "counts": self.counts(),
            "changes": [
                {
                    "op": c.op.value,
                    "kind": c.kind,
                    "name": c.name,
                    "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in c.fields],
                }
                for c in self.changes
            ],
            "warnings": [{"path": w.path, "message": w.message} for w in self.warnings],
        }


def field_changes(before: Stored, after: Stored) -> tuple[FieldChange, ...]:
    """Attribute-level differences; secret changes are named but never shown."""
    names = sorted(set(before.data) | set(after.data))
    result = [
        FieldChange(name, before.data.get(name), after.data.get(name))
        for name in names
        if before.data.get(name) != after.data.get(name)
    ]
    old_secrets, new_secrets = before.secrets or {}, after.secrets or {}
    for name in sorted(set(old_secrets) | set(new_secrets)):
        if old_secrets.get(name) != new_secrets.get(name):
            old = SECRET_MARK if name in old_secrets else None
            result.append(FieldChange(name, old, NEW_SECRET_MARK if name in new_secrets else None))
    return tuple(result)


NOTHING = Stored({})


def diff_states(
    current: Mapping[Key, Stored],
    desired: Mapping[Key, Stored],
    kinds: Iterable[str],
    *,
    every_field: bool = False,
) -> Plan:
    """Changes that turn `current` into `desired` for the given kinds (others untouched).

    With `every_field`, created and deleted objects list their attributes too (a version diff).
    """
    scope = set(kinds)
    changes: list[Change] = []
    for key, after in desired.items():
        if key[0] not in scope:
            continue
        before = current.get(key)
        if before is None:
            fields = field_changes(NOTHING, after) if every_field else ()
            changes.append(Change(ChangeOp.CREATE, key[0], key[1], None, after, fields))
            continue
        fields = field_changes(before, after)
        if fields:
            changes.append(Change(ChangeOp.UPDATE, key[0], key[1], before, after, fields))
    for key, before in current.items():
        if key[0] in scope and key not in desired:
            fields = field_changes(before, NOTHING) if every_field else ()
            changes.append(Change(ChangeOp.DELETE, key[0], key[1], before, None, fields))
    changes.sort(key=lambda c: (KIND_ORDER.get(c.kind, 99), c.name))
    return Plan(changes)


def undo(state: State, changes: Iterable[Change]) -> None:
    """Revert changes (newest first) in place: how an earlier version is reconstructed."""
    for change in changes:
        key = (change.kind, change.name)
        if change.before is None:
            state.pop(key, None)
        else:
            state[key] = change.before
