"""Object identity at intake: wire DNs become the model's DNs; unmodelled ones are listed.

Every intake path (PM files, VES alarms, Prometheus targets) passes what it saw through
`ObjectIdentity`: a DN the model names is stored under its canonical DN (`model/dn.py`), so
a vendor's file with a dnPrefix and numeric ids lines up with the site file; a DN the model
does not name is stored as seen (never dropped) and recorded in `discovered_objects`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from openipn.model.alarms import AlarmReport
from openipn.model.document import SiteDocument
from openipn.model.resolve import Resolution, Resolver
from openipn.store.discovered import DiscoveredBook, Sighting
from openipn.store.inventory import load_state, state_to_document
from openipn.store.schema import VersionRow
from openipn.store.telemetry.api import SampleBatch

# The kinds the resolver needs: everything that has a DN or names one of its RDNs.
NAMED_KINDS = (
    "managed_element",
    "gnb",
    "cell",
    "core_function",
    "upf",
    "edge_node",
    "transport_node",
    "ptp_grandmaster",
    "link",
    "terminal",
    "slice",  # not named by DNs, but KPI scopes resolve against this document too
)
ALARM_SOURCE = "ves"  # how discovered objects name the alarm intake
RECHECK_S = 2.0  # how often the model version is checked for changes
REMEMBER_S = 60.0  # a sighting already recorded this recently is not written again


def load_named_document(engine: Engine) -> SiteDocument:
    """The stored objects the resolver names."""
    with Session(engine) as session:
        return state_to_document(load_state(session, NAMED_KINDS))


def model_version(engine: Engine) -> int:
    """The newest model version number (0 before the first apply)."""
    with Session(engine) as session:
        return int(session.scalar(select(func.max(VersionRow.number))) or 0)


class ObjectIdentity:
    """The model's resolver, rebuilt when the model changes, and the discovered-object book."""

    def __init__(
        self,
        engine: Engine,
        *,
        load_document: Callable[[Engine], SiteDocument] = load_named_document,
        recheck_s: float = RECHECK_S,
    ) -> None:
        self.engine = engine
        self.book = DiscoveredBook(engine)
        self._load = load_document
        self._recheck_s = recheck_s
        self._lock = threading.Lock()
        self._resolver: Resolver | None = None
        self._document = SiteDocument()
        self._version = -1
        self._checked = 0.0
        self._recent: dict[Sighting, float] = {}

    def resolver(self) -> Resolver:
        """The resolver over the current model."""
        with self._lock:
            now = time.monotonic()
            if self._resolver is None or now - self._checked >= self._recheck_s:
                self._checked = now
                version = model_version(self.engine)
                if self._resolver is None or version != self._version:
                    self._document = self._load(self.engine)
                    self._resolver = Resolver(self._document)
                    self._version = version
            return self._resolver

    def document(self) -> SiteDocument:
        """The stored model objects the resolver was built from (no terminals' SIMs)."""
        self.resolver()
        return self._document

    def resolve(self, text: str, *, element: str | None = None) -> Resolution:
        """What a wire DN names (see `Resolver.resolve`)."""
        return self.resolver().resolve(text, element=element)

    def canonical_alarms(self, reports: list[AlarmReport]) -> list[AlarmReport]:
        """Alarm reports under their objects' model DNs; unmodelled objects kept and recorded."""
        resolver, out = self.resolver(), []
        unmodelled: dict[str, set[str]] = {}
        for report in reports:
            found = resolver.resolve(report.object, element=report.source)  # source: sender
            if not found.resolved:
                unmodelled.setdefault(found.dn, set()).add(report.condition)
            moved = found.resolved and "=" in found.dn and found.dn != report.object
            out.append(dataclasses.replace(report, object=found.dn) if moved else report)
        self.discover(Sighting(dn, ALARM_SOURCE, frozenset(c)) for dn, c in unmodelled.items())
        return out

    def discover(self, sightings: Iterable[Sighting]) -> None:
        """Record unmodelled objects (a repeat within `REMEMBER_S` is not written again)."""
        now = time.monotonic()
        with self._lock:
            fresh = [s for s in sightings if now - self._recent.get(s, -REMEMBER_S) >= REMEMBER_S]
            if len(self._recent) > 100_000:
                self._recent.clear()
            self._recent.update(dict.fromkeys(fresh, now))
        if fresh:
            self.book.record(fresh)

    def mapper(self, source: str) -> DnMapper:
        """A picklable mapper of batches to model DNs over the current model."""
        return DnMapper(self.resolver(), source)

    def canonical_batch(self, batch: SampleBatch, source: str) -> SampleBatch:
        """The batch with model DNs; unresolved objects kept as seen and recorded."""
        mapped, sightings = self.mapper(source)(batch)
        self.discover(sightings)
        return mapped


@dataclasses.dataclass
class DnMapper:
    """Maps a batch's objects to model DNs (in any process); returns what was unresolved."""

    resolver: Resolver
    source: str

    def __call__(self, batch: SampleBatch) -> tuple[SampleBatch, list[Sighting]]:
        """The batch with model DNs, and the unmodelled objects with their counters."""
        found = [self.resolver.resolve(dn) for dn in batch.objects]
        unresolved = [i for i, r in enumerate(found) if not r.resolved]
        sightings = _sightings(batch, unresolved, found, self.source) if unresolved else []
        dns = [r.dn for r in found]
        mapped = batch if dns == list(batch.objects) else remap_objects(batch, dns)
        return mapped, sightings


def _sightings(
    batch: SampleBatch, rows: list[int], found: list[Resolution], source: str
) -> list[Sighting]:
    """The unresolved objects with the counters each carried in the batch."""
    wanted = np.zeros(len(batch.objects), bool)
    wanted[rows] = True
    mask = wanted[batch.object_index]
    pairs = np.unique(np.stack([batch.object_index[mask], batch.measurement_index[mask]]), axis=1)
    names: dict[int, set[str]] = {i: set() for i in rows}
    for obj, measurement in pairs.T.tolist():
        names[obj].add(batch.measurements[measurement])
    return [Sighting(found[i].dn, source, frozenset(names[i])) for i in rows]


def remap_objects(batch: SampleBatch, dns: list[str]) -> SampleBatch:
    """Rename the batch's objects (two spellings of one object become one)."""
    objects = sorted(set(dns))
    rank = {dn: i for i, dn in enumerate(objects)}
    mapping = np.fromiter((rank[dn] for dn in dns), np.int64, len(dns))
    return dataclasses.replace(batch, objects=objects, object_index=mapping[batch.object_index])
