"""Every KPI of the catalogue has values on twin data.

The twin runs the small example site for a few periods; its TS 32.435 files go through the
platform's PM intake into a real telemetry store, and each KPI is computed for every object of
each kind its scope allows: at least one object of each kind must get a finite value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from openipn.assure.kpi_catalog import KPIS, Kpi, ScopeKind
from openipn.assure.kpis import Granularity, KpiError, compute
from openipn.assure.scopes import ScopeError, resolve
from openipn.codecs.ts32435_pm import encode_meas_collec
from openipn.collect.pm_intake import Outcome, PmIntake
from openipn.model.document import SiteDocument
from openipn.sitefile import parse_site_text
from openipn.store.telemetry.api import TelemetryStore
from openipn.store.telemetry.parquet_store import open_telemetry_store
from openipn.twin import adapters
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.world import World

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # a shift is running at the site
PERIOD_STEPS = 30  # 5-minute granularity periods of 10 s steps
PERIODS = 3


@dataclass
class TwinData:
    """The store holding the twin's PM files, and what to ask it about."""

    store: TelemetryStore
    document: SiteDocument
    world: World
    begin: dt.datetime
    end: dt.datetime


@pytest.fixture(scope="module")
def twin_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinData]:
    document = parse_site_text(SMALL.read_text(encoding="utf-8"))
    sim = Simulation(document, seed=11, start=START)
    root = tmp_path_factory.mktemp("twin-kpis")
    store = open_telemetry_store(root / "store")
    intake = PmIntake(store, root / "quarantine")
    for _ in range(PERIODS):
        for _ in range(PERIOD_STEPS):
            sim.step(Impairments())
        report = sim.collect_period(sim.time)
        for element, measurements in report.elements.items():
            assert measurements is not None, f"{element} unreachable on a healthy site"
            pm = adapters.pm_file(
                element=element, measurements=measurements, begin=report.begin,
                end=report.end, vendor="Acme", sw_version=None,
                element_dn=sim.world.dns.element_dn(element),
            )  # fmt: skip
            name = adapters.pm_name(element, report.begin, report.end)
            done = intake.ingest_bytes(encode_meas_collec(pm), name)
            assert done.outcome is Outcome.STORED, (name, done)
    yield TwinData(store, document, sim.world, START, sim.time)
    intake.close()
    store.close()


def objects(data: TwinData, kind: ScopeKind) -> list[str]:
    """Every object of a scope kind in the site, as the KPI API names it."""
    doc, world = data.document, data.world
    named = {
        ScopeKind.CELL: ("cell", "cells"),
        ScopeKind.GNB: ("gnb", "gnbs"),
        ScopeKind.UPF: ("upf", "upfs"),
        ScopeKind.NF: ("nf", "core_functions"),
        ScopeKind.SLICE: ("slice", "slices"),
    }
    if kind is ScopeKind.SITE:
        return ["site"]
    if kind is ScopeKind.DN:
        return [world.dns.element_dn(name) for name in world.elements.names]
    prefix, section = named[kind]
    return [f"{prefix}:{o.name}" for o in doc.objects(section)]


def values(data: TwinData, kpi: Kpi, kind: ScopeKind) -> dict[str, float | None]:
    """The KPI over the whole run for each object of a kind that it applies to."""
    found: dict[str, float | None] = {}
    for obj in objects(data, kind):
        try:
            scope = resolve(data.document, obj)
            rows = compute(data.store, kpi, scope, data.begin, data.end, Granularity.ALL).rows
        except (KpiError, ScopeError):
            continue  # e.g. an SMF asked for the registration success rate
        found[obj] = rows[0].value if rows else None
    return found


@pytest.mark.parametrize("kpi", KPIS, ids=[k.name for k in KPIS])
def test_every_kpi_has_a_value_for_each_kind_of_object(twin_data: TwinData, kpi: Kpi) -> None:
    for kind in sorted(kpi.scopes):
        got = values(twin_data, kpi, kind)
        assert got, f"{kpi.name}: no {kind} object of the site to compute it for"
        finite = {o: v for o, v in got.items() if v is not None and math.isfinite(v)}
        assert finite, f"{kpi.name} has no value for any {kind}: {got}"


def test_energy_efficiency_divides_volume_by_the_gnbs_energy(twin_data: TwinData) -> None:
    """EE of each gNB: its cells' PDCP volume over its ManagedElement's PEE.Energy."""
    kpi = next(k for k in KPIS if k.name == "EE")
    for gnb in objects(twin_data, ScopeKind.GNB):
        scope = resolve(twin_data.document, gnb)
        (row,) = compute(
            twin_data.store, kpi, scope, twin_data.begin, twin_data.end, Granularity.ALL
        ).rows
        volume = row.inputs["sum(DRB.PdcpSduVolumeDL)"] + row.inputs["sum(DRB.PdcpSduVolumeUL)"]
        energy_j = row.inputs["sum(PEE.Energy)"] * 3.6e6
        assert energy_j > 0 and volume > 0
        assert row.value == pytest.approx(volume * 1e6 / energy_j)
