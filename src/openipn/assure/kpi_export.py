"""The latest KPI values of the site and its gNBs, for `/metrics` (and dashboards).

The window ends at the end of the latest complete 15-minute period (TS 28.550 granularity
period) stored, never after the wall clock: a period still being reported, or one stamped in
the future by a clock gone wrong, is never exported as if it were complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from openipn.assure.kpi_catalog import parse, terms
from openipn.assure.kpis import Granularity, KpiError, compute, kpi_by_name
from openipn.assure.scopes import Scope, ScopeError, resolve
from openipn.model.document import SiteDocument
from openipn.model.radio import Gnb
from openipn.store.telemetry.api import AggregateQuery, TelemetryStore

# What a plant dashboard shows first (TS 28.554 names where the KPI has one).
EXPORTED_KPIS = (
    "RRCSetupSR",
    "RSR",
    "PDUSessionEstabSR",
    "HOSR",
    "PRBUtilDl",
    "PRBUtilUl",
    "UEThpDl",
    "DLDelayGnb",
    "CellAvailability",
    "N3ThpDownstream",
)
DEFAULT_WINDOW = dt.timedelta(hours=1)
PERIOD_S = 900  # windows end on a 15-minute boundary
LOOKBACK = dt.timedelta(days=1)  # how far before now to look when the newest period is ahead


def _floor(moment: dt.datetime) -> dt.datetime:
    epoch = int(moment.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % PERIOD_S, dt.UTC)


def exported_counters() -> list[str]:
    """The counters the exported KPIs read (to find the newest complete period)."""
    names = (t.counter for k in EXPORTED_KPIS for t in terms(parse(kpi_by_name(k).formula)))
    return sorted(set(names))


def window_end(store: TelemetryStore, now: dt.datetime) -> dt.datetime | None:
    """End of the latest complete 15-minute period with data, not after `now`; None: no data."""
    latest = store.latest_end()
    if latest is None:
        return None
    if latest <= now:
        return _floor(latest)
    # A stored period ends after now: find the newest period of the KPIs' counters before now.
    query = AggregateQuery(exported_counters(), now - LOOKBACK, now, bucket_s=PERIOD_S)
    ends = [
        r.bucket_start + dt.timedelta(seconds=PERIOD_S)
        for r in store.aggregate(query)
        if r.bucket_start + dt.timedelta(seconds=PERIOD_S) <= now
    ]
    return max(ends, default=None)


@dataclass(frozen=True)
class KpiExporter:
    """Computes the exported KPIs over the last `window` of stored event time."""

    store: TelemetryStore
    document: Callable[[], SiteDocument]  # the network model, read afresh on each call
    window: dt.timedelta = DEFAULT_WINDOW
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def __call__(self) -> Iterator[tuple[str, str, str, float]]:
        """(kpi, object, object class, value) for the site and every gNB with data."""
        now = self.clock()
        end = window_end(self.store, now)
        if end is None:
            return
        document = self.document()
        for scope in self._scopes(document):
            for name in EXPORTED_KPIS:
                value = self._value(name, scope, end, now)
                if value is not None:
                    yield name, scope.label, str(scope.kind), value

    def _scopes(self, document: SiteDocument) -> list[Scope]:
        names = [g.name for g in document.objects("gnbs") if isinstance(g, Gnb)]
        scopes = [resolve(document, "site")]
        for name in names:
            try:
                scopes.append(resolve(document, f"gnb:{name}"))
            except ScopeError:
                continue
        return scopes

    def _value(self, name: str, scope: Scope, end: dt.datetime, now: dt.datetime) -> float | None:
        try:
            result = compute(
                self.store, kpi_by_name(name), scope, end - self.window, end, Granularity.ALL, now
            )
        except KpiError:  # the KPI does not apply to this kind of object
            return None
        complete = [row for row in result.rows if row.complete]
        return complete[0].value if complete else None
