"""The KPIs exported on /metrics: over the latest complete period, never a future one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kpi_kit import END, future_sample, healthy_hour, load_fixture, small_site

from openipn.assure.kpi_export import KpiExporter, window_end
from openipn.store.telemetry.api import Source, TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

GNB = "gnb:gnb-ws1-01"


def exported(store: TelemetryStore, now: dt.datetime) -> dict[tuple[str, str], float]:
    exporter = KpiExporter(store, small_site, clock=lambda: now)
    return {(kpi, obj): value for kpi, obj, _, value in exporter()}


@pytest.fixture
def store(tmp_path: Path) -> TelemetryStore:
    return load_fixture(tmp_path / "telemetry")


def test_window_ends_on_the_latest_complete_period(store: TelemetryStore) -> None:
    assert window_end(store, END + dt.timedelta(minutes=7)) == END
    # the last period ends after "now": only the one before it is complete
    assert window_end(store, END - dt.timedelta(minutes=5)) == END - dt.timedelta(minutes=15)


def test_fixture_availability_counts_only_measured_time(store: TelemetryStore) -> None:
    values = exported(store, END + dt.timedelta(hours=2))
    # the 1 h window [09:30, 10:30) holds 30 min of reports: c1 1800 s + c2 1350 s of 3600
    assert values[("CellAvailability", GNB)] == pytest.approx(100 * 3150 / 3600)
    # gnb-ws1-02-c1 is known and silent while its siblings report: downtime
    assert values[("CellAvailability", "site")] == pytest.approx(100 * 3150 / 5400)


def test_healthy_network_reads_100_percent_between_periods(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    end = now - dt.timedelta(seconds=int(now.timestamp()) % 900)
    with open_telemetry_store(tmp_path / "t") as store:
        store.append(healthy_hour(end), source=Source.PM_FILE, key="h", name="h")
        values = exported(store, now)
    assert values[("CellAvailability", "site")] == pytest.approx(100.0)
    assert values[("CellAvailability", GNB)] == pytest.approx(100.0)


def test_a_future_period_does_not_move_the_window(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    end = now - dt.timedelta(seconds=int(now.timestamp()) % 900)
    with open_telemetry_store(tmp_path / "t") as store:
        store.append(healthy_hour(end), source=Source.PM_FILE, key="h", name="h")
        store.append(future_sample(), source=Source.PM_FILE, key="f", name="f")
        assert window_end(store, now) == end
        values = exported(store, now)
    assert values[("CellAvailability", GNB)] == pytest.approx(100.0)
