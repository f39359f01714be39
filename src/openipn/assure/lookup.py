"""Objects asked for by people: `kind:name`, a DN in any form, or the LDN a file used.

A model object resolves through the scopes; a DN resolves through the model's resolver to its
canonical DN, and when that is not stored, to what was stored as seen: the DN itself, or the
one stored DN that ends with the LDN as a file wrote it. Nothing found is an
`UnknownObjectError` naming the object (404 at the API); a malformed text a `ScopeError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openipn.assure.scopes import (
    SCOPE_PARSERS,
    Scope,
    ScopeError,
    UnknownObjectError,
    dn_selects,
    resolve,
)
from openipn.model.dn import is_dn
from openipn.model.document import SiteDocument
from openipn.model.objref import ObjectRef, ObjectRefError
from openipn.model.resolve import Resolver
from openipn.store.telemetry.api import TelemetryStore

MAX_SHOWN = 10


@dataclass(frozen=True)
class StoredSpan:
    """The time range stored for a scope's objects."""

    first_start: dt.datetime
    last_end: dt.datetime


def scope_dns(scope: Scope) -> list[str] | None:
    """Every DN a scope selects (None: every object)."""
    dns: set[str] = set()
    for selected in scope.dns.values():
        if selected is None:
            return None
        dns.update(selected)
    return sorted(dns)


def stored_span(store: TelemetryStore, scope: Scope) -> StoredSpan | None:
    """When the scope's objects have data, from the first period start to the last end."""
    found = store.stored("object", objects=scope_dns(scope))
    if not found:
        return None
    return StoredSpan(min(s.first_start for s in found), max(s.last_end for s in found))


def find_scope(
    document: SiteDocument, store: TelemetryStore, text: str, resolver: Resolver | None = None
) -> Scope:
    """The scope a text names: a model object (with or without data), else what is stored."""
    resolver = resolver or Resolver(document)
    if "=" in text:
        if not is_dn(text):
            raise ScopeError(f"{text!r} is not a distinguished name (Class=id,Class=id,...)")
        found = resolver.resolve(text)
        return dn_selects(found.dn) if found.resolved else _stored_scope(resolver, store, text)
    ref = _ref(text)
    if ref is not None and ref.kind not in SCOPE_PARSERS:
        return _object_scope(resolver, ref)
    return resolve(document, text)


def _ref(text: str) -> ObjectRef | None:
    """The ObjectRef a `kind:name` text names (None for `site` and malformed text)."""
    if text.strip() == "site":
        return None
    try:
        return ObjectRef.parse(text)
    except ObjectRefError:
        return None


def _object_scope(resolver: Resolver, ref: ObjectRef) -> Scope:
    """A model object of a kind without KPI scope rules: what its DN contains."""
    if not resolver.knows(ref):
        raise UnknownObjectError(f"unknown {ref.kind} {ref.name!r}")
    dn = resolver.dn(ref)
    if dn is None:
        raise ScopeError(f"{ref} has no DN of its own (no managed element); query its element")
    return dn_selects(dn, str(ref))


def _stored_scope(resolver: Resolver, store: TelemetryStore, text: str) -> Scope:
    """An unmodelled DN: as stored, or the one stored DN ending with the LDN a file wrote."""
    raw = text.strip()
    for dn in dict.fromkeys((resolver.resolve(raw).dn, raw)):
        if store.stored("object", objects=[dn]):
            return dn_selects(dn)
    ending = [s.name for s in store.stored("object") if s.name.endswith("," + raw)]
    if len(ending) == 1:
        return dn_selects(ending[0])
    if ending:
        shown = ", ".join(ending[:MAX_SHOWN])
        raise ScopeError(f"{raw!r} ends {len(ending)} stored DNs ({shown}); give the full DN")
    raise UnknownObjectError(
        f"no object {raw!r} is modelled or stored; see /api/v1/measurements/objects"
    )
