"""The platform's own metric families: component counts, scrape health and KPI gauges.

Components register a `MetricsSource` at composition (runtime.py); each has the shape of a
prometheus_client collector, so the `/metrics` router (api/metrics.py) exposes them without
knowing what they measure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from openipn.collect.prom_scrape import TargetHealth

KpiRow = tuple[str, str, str, float]  # (TS 28.554 KPI name, object, object class, value)
_NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# Component stats the Grafana dashboard (docs/grafana-dashboard.json) charts; keys ending in
# `_total` are counters, the rest gauges. The family is `openipn_<component>_<key>`.
DASHBOARD_STATS: Mapping[str, tuple[str, ...]] = {
    "ves": ("events_total", "rejected_total", "queue_depth", "journal_lag"),
    "pm": ("files_total", "values_total", "failures_total"),
}


class MetricsSource(Protocol):
    """Anything that yields prometheus_client metric families on each scrape of /metrics."""

    def collect(self) -> Iterable[Metric]:
        """The families as they are now."""
        ...


@dataclass(frozen=True)
class ComponentStats:
    """A component's counts as a callable returning {stat: number}.

    Each key becomes `openipn_<component>_<key>`: a counter when it ends in `_total`, else a
    gauge (e.g. `ves` with `events_total` and `queue_depth`).
    """

    component: str
    stats: Callable[[], Mapping[str, float]]
    help: Mapping[str, str] | None = None

    def collect(self) -> Iterable[Metric]:
        """One family per stat."""
        for key, value in sorted(self.stats().items()):
            name = f"openipn_{self.component}_{key}"
            if not _NAME_RE.fullmatch(name):
                raise ValueError(f"{self.component}: {key!r} makes no valid metric name")
            text = (self.help or {}).get(key, f"{self.component} {key.replace('_', ' ')}")
            if key.endswith("_total"):
                yield CounterMetricFamily(name.removesuffix("_total"), text, value=value)
            else:
                yield GaugeMetricFamily(name, text, value=value)


@dataclass(frozen=True)
class ScrapeHealth:
    """Per-target health of the Prometheus scraper (`PromScraper.health`)."""

    health: Callable[[], Iterable[TargetHealth]]

    def collect(self) -> Iterable[Metric]:
        """up, scrape counts, failures, values stored, duration, last success."""
        labels = ["target", "dn", "nf_type"]
        up = GaugeMetricFamily("openipn_scrape_up", "1 when the last scrape worked", labels=labels)
        scrapes = CounterMetricFamily("openipn_scrapes", "Scrapes attempted", labels=labels)
        failures = CounterMetricFamily("openipn_scrape_failures", "Scrapes failed", labels=labels)
        stored = CounterMetricFamily(
            "openipn_scrape_values_stored", "Values appended to the store", labels=labels
        )
        duration = GaugeMetricFamily(
            "openipn_scrape_duration_seconds", "Duration of the last scrape", labels=labels
        )
        success = GaugeMetricFamily(
            "openipn_scrape_last_success_timestamp_seconds",
            "Time of the last successful scrape (Unix seconds)",
            labels=labels,
        )
        for h in self.health():
            key = [h.name, h.dn, h.nf_type]
            if h.up is not None:
                up.add_metric(key, 1.0 if h.up else 0.0)
            scrapes.add_metric(key, h.scrapes)
            failures.add_metric(key, h.failures)
            stored.add_metric(key, h.values_stored)
            if h.last_duration_s is not None:
                duration.add_metric(key, h.last_duration_s)
            if h.last_success is not None:
                success.add_metric(key, h.last_success.timestamp())
        return [up, scrapes, failures, stored, duration, success]


@dataclass(frozen=True)
class KpiGauges:
    """The latest TS 28.554 KPI values as `openipn_kpi{kpi, object, object_class}`."""

    latest_kpis: Callable[[], Iterable[KpiRow]]

    def collect(self) -> Iterable[Metric]:
        """One gauge family; a repeated (kpi, object, class) keeps its last value."""
        family = GaugeMetricFamily(
            "openipn_kpi",
            "Latest value of a TS 28.554 KPI of one measured object",
            labels=["kpi", "object", "object_class"],
        )
        latest: dict[tuple[str, str, str], float] = {}
        for kpi, obj, cls, value in self.latest_kpis():
            latest[(kpi, obj, cls)] = float(value)
        for (kpi, obj, cls), value in sorted(latest.items()):
            family.add_metric([kpi, obj, cls], value)
        return [family]
