"""Repository of discovered objects: DNs seen on the wire that the model does not name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openipn.model.times import utc
from openipn.store.schema import DiscoveredRow

MAX_NAMES = 50  # counters or alarm conditions kept per object


@dataclass(frozen=True)
class Sighting:
    """One unmodelled object seen by one interface, with what it carried."""

    dn: str
    source: str  # pm-file, ves, prometheus, netconf
    names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Discovered:
    """A discovered object as listed."""

    dn: str
    source: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    names: tuple[str, ...]
    sightings: int


@dataclass
class DiscoveredPage:
    """One page of discovered objects."""

    items: list[Discovered] = field(default_factory=list)
    total: int = 0


Key = tuple[str, str]  # (DN, source)


def _merged(sightings: Iterable[Sighting]) -> dict[Key, Sighting]:
    merged: dict[Key, Sighting] = {}
    for seen in sightings:
        before = merged.get((seen.dn, seen.source))
        names = seen.names | (before.names if before else frozenset())
        merged[(seen.dn, seen.source)] = Sighting(seen.dn, seen.source, names)
    return merged


class DiscoveredBook:
    """Records sightings (one transaction per call) and lists them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, sightings: Iterable[Sighting], now: dt.datetime | None = None) -> int:
        """Upsert the sightings; returns how many objects were new."""
        merged = _merged(sightings)
        if not merged:
            return 0
        moment = now or dt.datetime.now(dt.UTC)
        for attempt in range(2):  # a concurrent first insert of the same DN: read and retry
            try:
                return self._write(merged, moment)
            except IntegrityError:
                if attempt:
                    raise
        return 0

    def _write(self, merged: dict[Key, Sighting], moment: dt.datetime) -> int:
        dns = {dn for dn, _ in merged}
        with Session(self.engine) as session, session.begin():
            rows = session.scalars(select(DiscoveredRow).where(DiscoveredRow.dn.in_(dns)))
            existing = {(row.dn, row.source): row for row in rows}
            for key, seen in merged.items():
                row = existing.get(key)
                if row is None:
                    session.add(
                        DiscoveredRow(
                            dn=seen.dn,
                            source=seen.source,
                            first_seen=moment,
                            last_seen=moment,
                            names=sorted(seen.names)[:MAX_NAMES],
                            sightings=1,
                        )
                    )
                    continue
                row.last_seen, row.sightings = moment, row.sightings + 1
                if not seen.names <= set(row.names) and len(row.names) < MAX_NAMES:
                    row.names = sorted(set(row.names) | seen.names)[:MAX_NAMES]
            return len(merged) - len(set(merged) & set(existing))

    def page(
        self, *, source: str | None = None, limit: int = 100, offset: int = 0
    ) -> DiscoveredPage:
        """Discovered objects, most recently seen first."""
        query = select(DiscoveredRow)
        counted = select(func.count()).select_from(DiscoveredRow)
        if source:
            query = query.where(DiscoveredRow.source == source)
            counted = counted.where(DiscoveredRow.source == source)
        query = query.order_by(DiscoveredRow.last_seen.desc(), DiscoveredRow.dn)
        with Session(self.engine) as session:
            total = session.scalar(counted) or 0
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            items = [
                Discovered(
                    r.dn,
                    r.source,
                    utc(r.first_seen),
                    utc(r.last_seen),
                    tuple(r.names),
                    r.sightings,
                )
                for r in rows
            ]
        return DiscoveredPage(items, total)
