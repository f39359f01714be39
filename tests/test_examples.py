"""The example site files: valid, realistic in shape, redundant and reproducible."""

from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import pytest
from pydantic import BaseModel

from openipn.model.arfcn import arfcn_to_mhz
from openipn.model.base import point_in_polygon
from openipn.model.core import CoreFunction, CoreFunctionType, EdgeNode, Upf
from openipn.model.document import SiteDocument
from openipn.model.identifiers import NidAssignmentMode, luhn_ok
from openipn.model.kinds import KINDS
from openipn.model.radio import Cell, Gnb
from openipn.model.services import Application, Slice
from openipn.model.site import Area, AreaKind, Permit, Snpn
from openipn.model.subscribers import SimProfile, Subscription, Terminal
from openipn.model.topology import behind
from openipn.model.transport import Link
from openipn.sitefile import check_site_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GENERATOR = EXAMPLES / "generate.py"
EXAMPLE_FILES = ("plant.yaml", "small.yaml")
BAND_MHZ = (5925.0, 6125.0)
RING = "ring-1"

T = TypeVar("T", bound=BaseModel)


@functools.cache
def load(name: str) -> SiteDocument:
    """Parse and validate one example file (once per session); any issue fails the test."""
    path = EXAMPLES / name
    document, issues = check_site_text(path.read_text(encoding="utf-8"), source=str(path))
    assert not issues, "\n".join(str(issue) for issue in issues)
    return document


def objects(doc: SiteDocument, section: str, cls: type[T]) -> list[T]:
    """The objects of a section, checked to be of the expected model class."""
    items = doc.objects(section)
    assert all(isinstance(item, cls) for item in items)
    return [item for item in items if isinstance(item, cls)]


@pytest.fixture(scope="module")
def plant() -> SiteDocument:
    """The plant example."""
    return load("plant.yaml")


@pytest.fixture(scope="module")
def small() -> SiteDocument:
    """The small example."""
    return load("small.yaml")


@pytest.fixture(scope="module")
def generator() -> Iterator[ModuleType]:
    """examples/generate.py imported from its file path."""
    spec = importlib.util.spec_from_file_location("openipn_examples_generate", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_has_no_issues(name: str) -> None:
    document = load(name)
    assert document.singleton("site") is not None
    assert document.singleton("snpn") is not None


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_example_header_and_layout(name: str) -> None:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    head = "".join(text.splitlines(keepends=True)[:8])
    assert head.startswith("# ")
    assert "EXAMPLE TEST CREDENTIALS" in head
    assert "not real" in head
    assert "&id" not in text  # no YAML anchors/aliases: every object stands on its own
    sections = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert sections == ["format", *(spec.section for spec in KINDS)]


# --------------------------------------------------------------------------- the plant


def test_plant_floor_plan(plant: SiteDocument) -> None:
    kinds = Counter(area.kind for area in objects(plant, "areas", Area))
    assert kinds[AreaKind.WORKSHOP] >= 3
    assert kinds[AreaKind.WAREHOUSE] >= 1
    assert kinds[AreaKind.DATA_ROOM] >= 1


def test_plant_snpn_identity(plant: SiteDocument) -> None:
    snpn = plant.singleton("snpn")
    assert isinstance(snpn, Snpn)
    assert str(snpn.plmn) == "999-99"
    assert snpn.nid_assignment == NidAssignmentMode.SELF_ASSIGNED


def test_plant_radio(plant: SiteDocument) -> None:
    gnbs = objects(plant, "gnbs", Gnb)
    cells = objects(plant, "cells", Cell)
    assert len(gnbs) >= 12
    assert len(cells) >= 20
    assert len({gnb.gnb_id for gnb in gnbs}) == len(gnbs)
    per_gnb = Counter(cell.gnb for cell in cells)
    assert set(per_gnb) == {gnb.name for gnb in gnbs}
    assert all(1 <= count <= 3 for count in per_gnb.values())
    for cell in cells:
        low, high = cell.band_edges_mhz
        assert BAND_MHZ[0] <= low < high <= BAND_MHZ[1], cell.name
        assert arfcn_to_mhz(cell.arfcn_dl) == cell.frequency_dl_mhz
    assert any(cell.neighbours for cell in cells)


def test_plant_positions_inside_their_areas(plant: SiteDocument) -> None:
    areas = {area.name: area for area in objects(plant, "areas", Area)}
    placed: list[Gnb | Cell] = [*objects(plant, "gnbs", Gnb), *objects(plant, "cells", Cell)]
    for item in placed:
        assert item.position is not None
        assert item.area is not None
        assert point_in_polygon(item.position.x, item.position.y, areas[item.area].polygon)


def test_plant_permit(plant: SiteDocument) -> None:
    (permit,) = objects(plant, "permits", Permit)
    assert permit.covers(*BAND_MHZ)
    assert all(c.eirp_dbm <= permit.max_eirp_dbm for c in objects(plant, "cells", Cell))


def test_plant_core_and_edge(plant: SiteDocument) -> None:
    types = {function.type for function in objects(plant, "core_functions", CoreFunction)}
    assert {"AMF", "SMF", "NRF", "AUSF", "UDM", "PCF"} <= {str(t) for t in types}
    assert CoreFunctionType.AMF in types
    upfs = objects(plant, "upfs", Upf)
    assert sorted(str(upf.role) for upf in upfs) == ["central", "edge"]
    assert len(objects(plant, "edge_nodes", EdgeNode)) == 2


def test_plant_slices_and_applications(plant: SiteDocument) -> None:
    slices = objects(plant, "slices", Slice)
    assert len(slices) == 3
    assert sorted(s.sst for s in slices) == [1, 2, 3]
    urllc = next(s for s in slices if s.sst == 2)
    assert 1 <= urllc.sla.latency_budget_ms <= 4
    anchored = {name for upf in objects(plant, "upfs", Upf) for name in upf.slices}
    assert anchored == {s.name for s in slices}
    profiles = objects(plant, "sim_profiles", SimProfile)
    assert {name for p in profiles for name in p.slices} == {s.name for s in slices}
    classes = {str(app.app_class) for app in objects(plant, "applications", Application)}
    assert {"agv_control", "motion_control", "machine_vision_qc", "ar_maintenance"} <= classes
    assert "sensors" in classes


def test_plant_terminals_and_subscriptions(plant: SiteDocument) -> None:
    terminals = objects(plant, "terminals", Terminal)
    subs = {sub.supi: sub for sub in objects(plant, "subscriptions", Subscription)}
    assert 550 <= len(terminals) <= 650
    assert len(subs) == len(terminals)
    assert sorted(t.supi or "" for t in terminals) == sorted(subs)
    for terminal in terminals:
        assert terminal.supi is not None
        assert terminal.imei is not None
        assert terminal.application is not None
        assert terminal.expected_area is not None
        assert terminal.owner
        assert len(terminal.imei) == 15
        assert luhn_ok(terminal.imei)
        assert subs[terminal.supi].imei == terminal.imei
    types = Counter(str(t.type) for t in terminals)
    for kind in ("agv", "robot_cell", "plc", "qc_camera", "ar_headset", "sensor"):
        assert types[kind] > 0, kind


def test_plant_subscription_credentials(plant: SiteDocument) -> None:
    subs = objects(plant, "subscriptions", Subscription)
    for sub in subs:
        assert sub.supi.startswith("imsi-99999")
        assert len(sub.supi.removeprefix("imsi-")) == 15
        assert sub.iccid is not None
        assert len(sub.iccid) == 20
        assert sub.k is not None
        assert (sub.op is None) != (sub.opc is None), sub.supi
    with_op = [sub for sub in subs if sub.op is not None]
    assert 0.05 <= len(with_op) / len(subs) <= 0.15
    assert len({sub.k.get_secret_value() for sub in subs if sub.k is not None}) == len(subs)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_applications_are_served_where_they_run(name: str) -> None:
    """Every application area has a cell carrying its slice; terminals stay in those areas."""
    document = load(name)
    cells = objects(document, "cells", Cell)
    apps = {app.name: app for app in objects(document, "applications", Application)}
    for app in apps.values():
        for area in app.areas:
            assert any(c.area == area and app.slice in c.slices for c in cells), (app.name, area)
    for terminal in objects(document, "terminals", Terminal):
        assert terminal.application is not None
        assert terminal.expected_area in apps[terminal.application].areas, terminal.name


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_profiles_reach_their_dnns_on_their_slices(name: str) -> None:
    """Each profile's DNNs are served by a UPF that also anchors the profile's slice."""
    document = load(name)
    upfs = objects(document, "upfs", Upf)
    for profile in objects(document, "sim_profiles", SimProfile):
        for slice_name in profile.slices:
            for dnn in profile.dnns:
                assert any(slice_name in u.slices and dnn in u.dnns for u in upfs), (
                    profile.name,
                    slice_name,
                    dnn,
                )


# --------------------------------------------------------------------------- topology


def ring_links(doc: SiteDocument) -> list[Link]:
    """The links of the redundant ring."""
    return [link for link in objects(doc, "links", Link) if link.redundancy_group == RING]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_ring_survives_any_single_link_failure(name: str) -> None:
    document = load(name)
    ring = ring_links(document)
    assert len(ring) >= 3
    assert not behind(document)
    for link in ring:
        assert behind(document, link=link.name) == set(), link.name


def test_plant_ring_visits_every_workshop_bridge(plant: SiteDocument) -> None:
    ends = Counter(end for link in ring_links(plant) for end in (link.a, link.b))
    assert all(count == 2 for count in ends.values())  # a cycle: two ring links per node
    assert len(ends) >= 6  # two core switches and a bridge per workshop and the warehouse


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_gnb_access_link_cuts_off_only_that_gnb(name: str) -> None:
    document = load(name)
    links = objects(document, "links", Link)
    for gnb in objects(document, "gnbs", Gnb):
        (access,) = [link for link in links if gnb.name in (link.a, link.b)]
        assert behind(document, link=access.name) == {gnb.name}


# --------------------------------------------------------------------------- the small network


def test_small_network(small: SiteDocument) -> None:
    assert 1 <= len(objects(small, "gnbs", Gnb)) <= 2
    assert 2 <= len(objects(small, "cells", Cell)) <= 3
    kinds = Counter(area.kind for area in objects(small, "areas", Area))
    assert kinds[AreaKind.WORKSHOP] == 1
    assert len(objects(small, "upfs", Upf)) == 1
    assert len(objects(small, "edge_nodes", EdgeNode)) == 1
    assert len(objects(small, "slices", Slice)) == 2
    terminals = objects(small, "terminals", Terminal)
    subs = {sub.supi: sub for sub in objects(small, "subscriptions", Subscription)}
    assert len(terminals) == 20
    assert sorted(t.supi or "" for t in terminals) == sorted(subs)
    assert any(sub.op is not None for sub in subs.values())


# --------------------------------------------------------------------------- reproducibility


def test_generator_reproduces_committed_files(generator: ModuleType, tmp_path: Path) -> None:
    written = generator.generate(tmp_path)
    assert sorted(path.name for path in written) == sorted(EXAMPLE_FILES)
    for name in EXAMPLE_FILES:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name


def test_generator_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, str(GENERATOR), str(tmp_path)], check=True, env=env, capture_output=True
    )
    for name in EXAMPLE_FILES:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name


def test_plant_file_size() -> None:
    assert (EXAMPLES / "plant.yaml").stat().st_size < 600_000
