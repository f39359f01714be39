"""`GET /metrics`: the platform's own health and KPIs, and the Grafana dashboard over them."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.core import Metric

from assure.kpi_kit import future_sample, healthy_hour, small_site
from openipn.api.metrics import metrics_router
from openipn.assure.kpi_export import KpiExporter
from openipn.codecs.prom_text import MetricFamily, decode, encode
from openipn.collect.platform_metrics import (
    DASHBOARD_STATS,
    ComponentStats,
    KpiGauges,
    MetricsSource,
    ScrapeHealth,
)
from openipn.collect.prom_scrape import TargetHealth
from openipn.store.telemetry.api import Source
from openipn.store.telemetry.parquet_store import open_telemetry_store
from promtool_kit import promtool_check

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "docs" / "grafana-dashboard.json"
DN = "ManagedElement=me-core-1,AMFFunction=amf-1"


def _health() -> list[TargetHealth]:
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    return [
        TargetHealth("amf-1", "http://a/metrics", DN, "AMF", True, 4, 1, 120, 0.02, now, None),
        TargetHealth("upf-1", "http://u/metrics", "A=b", "UPF", False, 3, 3, 0, 5.0, None, "x"),
        TargetHealth("smf-1", "http://s/metrics", "A=c", "SMF", None, 0, 0, 0, None, None, None),
    ]


def _kpis() -> list[tuple[str, str, str, float]]:
    return [
        ("RSR", "slice-urllc", "NetworkSlice", 99.5),
        ("PDUEstTime", "slice-urllc", "NetworkSlice", 42.0),
        ("RSR", "slice-urllc", "NetworkSlice", 98.0),  # a later value of the same series
        ("AMFMeanRegNbr", 'odd "name"\n', "SubNetwork", 12),
    ]


def _sources(
    stats: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, MetricsSource]:
    counts = stats or {c: dict.fromkeys(keys, 3.0) for c, keys in DASHBOARD_STATS.items()}
    sources: dict[str, MetricsSource] = {
        name: ComponentStats(name, lambda values=values: values) for name, values in counts.items()
    }
    return {**sources, "scrape": ScrapeHealth(_health), "kpi": KpiGauges(_kpis)}


def _client(sources: Mapping[str, MetricsSource]) -> TestClient:
    app = FastAPI()
    app.include_router(metrics_router(sources))
    return TestClient(app)


def _families(text: str) -> dict[str, MetricFamily]:
    return {f.name: f for f in decode(text)}


def test_metrics_page_parses_round_trips_and_passes_promtool() -> None:
    response = _client(_sources()).get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = decode(response.text)
    assert decode(encode(families)) == families
    assert promtool_check(response.text) == (0, [])
    by_name = _families(response.text)
    kpi = {(s.labels["kpi"], s.labels["object"]): s.value for s in by_name["openipn_kpi"].samples}
    assert kpi == {
        ("RSR", "slice-urllc"): 98.0,
        ("PDUEstTime", "slice-urllc"): 42.0,
        ("AMFMeanRegNbr", 'odd "name"\n'): 12,
    }
    up = {s.labels["target"]: s.value for s in by_name["openipn_scrape_up"].samples}
    assert up == {"amf-1": 1, "upf-1": 0}  # never scraped: no `up` yet
    failures = by_name["openipn_scrape_failures_total"]
    assert failures.type == "counter"
    assert {s.labels["target"]: s.value for s in failures.samples}["upf-1"] == 3
    assert by_name["openipn_ves_queue_depth"].type == "gauge"
    assert by_name["openipn_ves_events_total"].samples[0].value == 3


def test_a_failing_source_is_reported_not_fatal() -> None:
    def broken() -> Mapping[str, float]:
        raise RuntimeError("journal unreadable")

    class Partial:
        def collect(self) -> Iterable[Metric]:
            yield from ComponentStats("half", lambda: {"done_total": 1}).collect()
            raise RuntimeError("gave up half way")

    sources = {**_sources(), "ves": ComponentStats("ves", broken), "half": Partial()}
    response = _client(sources).get("/metrics")
    assert response.status_code == 200
    by_name = _families(response.text)
    source_up = {s.labels["source"]: s.value for s in by_name["openipn_metrics_source_up"].samples}
    assert source_up["ves"] == 0 and source_up["half"] == 0 and source_up["kpi"] == 1
    assert "openipn_ves_queue_depth" not in by_name
    assert "openipn_half_done_total" not in by_name  # all of a source or none of it


def test_each_app_has_its_own_registry() -> None:
    first = _client({"kpi": KpiGauges(lambda: [("RSR", "a", "NetworkSlice", 1.0)])})
    second = _client({"kpi": KpiGauges(lambda: [("RSR", "b", "NetworkSlice", 2.0)])})
    objects = [
        {s.labels["object"] for s in _families(c.get("/metrics").text)["openipn_kpi"].samples}
        for c in (first, second)
    ]
    assert objects == [{"a"}, {"b"}]


def test_bad_stat_name_is_a_source_failure() -> None:
    response = _client({"odd": ComponentStats("odd", lambda: {"bad-name": 1})}).get("/metrics")
    source_up = _families(response.text)["openipn_metrics_source_up"].samples
    assert {s.labels["source"]: s.value for s in source_up}["odd"] == 0


# PromQL words that are not metric names.
_PROMQL = {
    "sum", "rate", "increase", "count", "by", "without", "avg", "max", "min", "irate",
    "label_values", "topk", "bottomk", "on", "ignoring", "group_left", "group_right",
}  # fmt: skip
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACES = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without)\s*\([^)]*\)")
_WORD = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def _metric_names(expr: str) -> set[str]:
    bare = _BRACES.sub(" ", _STRINGS.sub('""', expr))
    return {w for w in _WORD.findall(bare) if w not in _PROMQL}


_LABEL_VALUES = re.compile(r"label_values\((.+),\s*([a-zA-Z_]\w*)\)")


def _exprs(dashboard: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(PromQL expression, label a variable lists) of every panel target and variable."""
    exprs: list[tuple[str, str | None]] = []
    for panel in dashboard["panels"]:
        exprs.extend((target["expr"], None) for target in panel.get("targets", []))
    for var in dashboard["templating"]["list"]:
        if var["type"] == "query":
            match = _LABEL_VALUES.fullmatch(var["query"]["query"])
            assert match, var["query"]
            exprs.append((match[1], match[2]))
    return exprs


def test_expression_scanner_finds_metric_names() -> None:
    assert _metric_names("sum by (nf_type) (rate(a_total[5m])) / b") == {"a_total", "b"}
    assert _metric_names('openipn_kpi{kpi=~"$kpi"}') == {"openipn_kpi"}


def test_dashboard_charts_only_metrics_the_app_exposes() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["schemaVersion"] >= 36 and dashboard["uid"]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    exposed = _families(_client(_sources()).get("/metrics").text)
    used: set[str] = set()
    for expr, label in _exprs(dashboard):
        names = _metric_names(expr)
        used |= names
        for name in names & set(exposed):
            if label is not None and label != "job":  # `job` is added by Prometheus
                assert all(label in s.labels for s in exposed[name].samples), (name, label)
    assert used, "the dashboard charts nothing"
    assert used <= set(exposed), sorted(used - set(exposed))
    titles = {p["title"] for p in dashboard["panels"]}
    assert {"VES events per second", "PM files per hour", "Target up"} <= titles
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]


def test_a_far_future_period_does_not_hide_the_gnb_kpis(tmp_path: Path) -> None:
    """Regression: one stray 2099 period used to move the 1 h window past every real value."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    end = now - dt.timedelta(seconds=int(now.timestamp()) % 900)
    with open_telemetry_store(tmp_path / "telemetry") as store:
        store.append(healthy_hour(end), source=Source.PM_FILE, key="hour", name="hour")
        store.append(future_sample(), source=Source.PM_FILE, key="2099", name="2099")
        page = _client({"kpi": KpiGauges(KpiExporter(store, small_site))}).get("/metrics").text
    kpis = {
        (s.labels["kpi"], s.labels["object"]): s.value
        for s in _families(page)["openipn_kpi"].samples
    }
    assert kpis[("CellAvailability", "gnb:gnb-ws1-01")] == 100.0
    assert kpis[("CellAvailability", "site")] == 100.0
