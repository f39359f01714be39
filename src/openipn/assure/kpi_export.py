"""The latest KPI values of the site and its gNBs, for `/metrics` (and dashboards)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from openipn.assure.kpis import Granularity, KpiError, compute, kpi_by_name
from openipn.assure.scopes import Scope, ScopeError, resolve
from openipn.model.document import SiteDocument
from openipn.model.radio import Gnb
from openipn.store.telemetry.api import TelemetryStore

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


@dataclass(frozen=True)
class KpiExporter:
    """Computes the exported KPIs over the last `window` of stored event time."""

    store: TelemetryStore
    document: Callable[[], SiteDocument]  # the network model, read afresh on each call
    window: dt.timedelta = DEFAULT_WINDOW

    def __call__(self) -> Iterator[tuple[str, str, str, float]]:
        """(kpi, object, object class, value) for the site and every gNB with data."""
        end = self.store.latest_end()
        if end is None:
            return
        document = self.document()
        for scope in self._scopes(document):
            for name in EXPORTED_KPIS:
                value = self._value(name, scope, end)
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

    def _value(self, name: str, scope: Scope, end: dt.datetime) -> float | None:
        try:
            result = compute(
                self.store, kpi_by_name(name), scope, end - self.window, end, Granularity.ALL
            )
        except KpiError:  # the KPI does not apply to this kind of object
            return None
        return result.rows[0].value if result.rows else None
