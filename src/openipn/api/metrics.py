"""`GET /metrics`: the platform's own health and its KPIs in Prometheus text format 0.0.4.

Components register `MetricsSource`s (collect/platform_metrics.py) at composition; the router
builds its own `CollectorRegistry` per app, never the global one. A source that fails is
reported by `openipn_metrics_source_up{source=...} 0` and does not break the page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector

from openipn import __version__
from openipn.codecs.prom_text import CONTENT_TYPE
from openipn.collect.platform_metrics import MetricsSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildInfo:
    """`openipn_build_info{version} 1`."""

    def collect(self) -> Iterable[Metric]:
        """The running version."""
        family = GaugeMetricFamily("openipn_build_info", "OpenIPN version", labels=["version"])
        family.add_metric([__version__], 1.0)
        return [family]


class _Guarded:
    """Runs every source, turning a failure into `openipn_metrics_source_up 0`."""

    def __init__(self, sources: Mapping[str, MetricsSource]) -> None:
        self.sources = dict(sources)

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "openipn_metrics_source_up",
            "1 when the source's metrics could be collected",
            labels=["source"],
        )
        families: list[Metric] = []
        for name, source in self.sources.items():
            try:
                families.extend(list(source.collect()))  # all or nothing
                up.add_metric([name], 1.0)
            except Exception:  # a broken component must not take /metrics down
                log.exception("metrics source %s failed", name)
                up.add_metric([name], 0.0)
        return [*families, up]


def metrics_registry(
    sources: Mapping[str, MetricsSource] | Sequence[MetricsSource],
) -> CollectorRegistry:
    """A fresh registry with the build info, process stats and the given sources."""
    named = (
        dict(sources)
        if isinstance(sources, Mapping)
        else {f"{type(s).__name__.lower()}-{i}": s for i, s in enumerate(sources)}
    )
    registry = CollectorRegistry(auto_describe=False)
    ProcessCollector(registry=registry)
    registry.register(_Guarded({"build": BuildInfo(), **named}))
    return registry


def metrics_router(sources: Mapping[str, MetricsSource] | Sequence[MetricsSource]) -> APIRouter:
    """`GET /metrics` over the given sources (mapping: source name -> source)."""
    registry = metrics_registry(sources)
    router = APIRouter(tags=["health"])

    @router.get(
        "/metrics",
        summary="Prometheus metrics of the platform",
        response_class=Response,
        responses={200: {"content": {"text/plain": {}}}},
    )
    def metrics() -> Response:
        """Platform health, intake counts, scrape health and KPIs (text format 0.0.4)."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE)

    return router
