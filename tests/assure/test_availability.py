"""Cell availability over measured time only (TS 28.554 6.3.x: available time ÷ measured time)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from kpi_kit import CELL_DNS, healthy_hour, small_site

from openipn.assure.kpis import Granularity, KpiRow, compute, kpi_by_name
from openipn.assure.scopes import resolve
from openipn.store.telemetry.api import Source, TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store

END = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)  # healthy_hour covers [10:00, 11:00)
KPI = kpi_by_name("CellAvailability")


def _store(root: Path, drop_after: dt.datetime | None = None) -> TelemetryStore:
    """Every cell reporting for [10:00, 11:00); the first cell silent from `drop_after` on."""
    batch = healthy_hour(END)
    if drop_after is not None:
        keep = ~((batch.object_index == 0) & (batch.starts >= int(drop_after.timestamp())))
        batch = dataclasses.replace(
            batch,
            object_index=batch.object_index[keep],
            measurement_index=batch.measurement_index[keep],
            starts=batch.starts[keep],
            seconds=batch.seconds[keep],
            values=batch.values[keep],
        )
    store = open_telemetry_store(root)
    store.append(batch, source=Source.PM_FILE, key="hour", name="hour")
    return store


def _rows(
    store: TelemetryStore, obj: str, g: Granularity, start: dt.datetime, end: dt.datetime
) -> list[KpiRow]:
    return compute(store, KPI, resolve(small_site(), obj), start, end, g, now=END).rows


def test_time_without_reports_is_not_downtime(tmp_path: Path) -> None:
    with _store(tmp_path / "t") as store:
        # the day bucket holds one measured hour: the other 23 are not measured, not down
        (day,) = _rows(store, "site", Granularity.DAY, END - dt.timedelta(hours=5), END)
        hours = _rows(store, "site", Granularity.HOUR, END - dt.timedelta(hours=2), END)
    assert day.value == pytest.approx(100.0)
    assert day.inputs["measured_s(RRU.PrbAvailDl)"] == 3600
    assert [h.value for h in hours] == [None, pytest.approx(100.0)]


def test_a_cell_silent_while_its_siblings_report_is_down(tmp_path: Path) -> None:
    with _store(tmp_path / "t", drop_after=END - dt.timedelta(minutes=30)) as store:
        (cell,) = _rows(
            store, "cell:gnb-ws1-01-c1", Granularity.ALL, END - dt.timedelta(hours=1), END
        )
        (site,) = _rows(store, "site", Granularity.ALL, END - dt.timedelta(hours=1), END)
    assert CELL_DNS[0].endswith("NRCellDU=1")
    assert cell.value == pytest.approx(50.0)
    assert site.value == pytest.approx(100 * (len(CELL_DNS) - 0.5) / len(CELL_DNS))


def test_the_unfinished_bucket_is_flagged(tmp_path: Path) -> None:
    with _store(tmp_path / "t") as store:
        rows = compute(
            store, KPI, resolve(small_site(), "site"), END - dt.timedelta(hours=1),
            END + dt.timedelta(hours=1), Granularity.HOUR, now=END + dt.timedelta(minutes=20),
        ).rows  # fmt: skip
    assert [r.complete for r in rows] == [True, False]
    # nothing reported after 11:00 yet: not measured, not 0 %
    assert rows[1].value is None and rows[0].value == pytest.approx(100.0)
