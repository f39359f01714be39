"""Objects asked for by people: `kind:name`, a DN in any form, or the LDN a file used.

A model object resolves through the scopes; a DN resolves through the model's resolver to its
canonical DN, and when that is not stored, to what was stored as seen: the DN itself, or the
one stored DN that ends with the LDN as a file wrote it. Nothing found is an
`UnknownObjectError` naming the object (404 at the API); a malformed text a `ScopeError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openipn.assure.kpi_catalog import ScopeKind
from openipn.assure.scopes import Scope, ScopeError, UnknownObjectError, dn_scope, resolve
from openipn.model.document import SiteDocument
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


def find_scope(document: SiteDocument, store: TelemetryStore, text: str) -> Scope:
    """The scope a text names, checked against the model and, for a DN, the store."""
    scope = resolve(document, text)
    if scope.kind is not ScopeKind.DN or store.stored("object", objects=[scope.label]):
        return scope
    raw = text.strip()
    if raw != scope.label and store.stored("object", objects=[raw]):
        return dn_scope(document, raw)
    ending = [s.name for s in store.stored("object") if s.name.endswith("," + raw)]
    if len(ending) == 1:
        return dn_scope(document, ending[0])
    if ending:
        shown = ", ".join(ending[:MAX_SHOWN])
        raise ScopeError(f"{raw!r} ends {len(ending)} stored DNs ({shown}); give the full DN")
    seen = f" (as {scope.label!r})" if scope.label != raw else ""
    raise UnknownObjectError(
        f"no object {raw!r}{seen} is modelled or stored; see /api/v1/measurements/objects"
    )
