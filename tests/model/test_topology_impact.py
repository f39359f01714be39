"""What a failure takes away: control plane (N2 to an AMF) apart from user plane (N3 to each
UPF, per slice), and the cells, slices, applications and terminals that depend on them.

amf, smf, upf-c ── cs ── l-uplink ── sw-ws ── gnb1, gnb2 (WS1), upf-ws ── l-upf-ws, mec ── l-mec
                   cs ── l-yard ── gnb3 (YARD, embb only)
"""

from __future__ import annotations

import functools

import pytest

from openipn.model.document import SiteDocument
from openipn.model.impact import Dependent, impact
from openipn.model.topology import behind
from openipn.sitefile import check_site_text

SITE = """
site: {name: impact, anchor: {latitude: 48.1, longitude: 11.5}, timezone: UTC}
snpn: {plmn: {mcc: "999", mnc: "99"}, nid: "10000000001"}
areas:
  - {name: WS1, polygon: [[0,0],[100,0],[100,50],[0,50]]}
  - {name: YARD, kind: yard, polygon: [[300,0],[400,0],[400,100],[300,100]]}
permits:
  - {name: P1, number: "X-1", holder: Demo, valid_from: 2026-01-01, valid_until: 2030-12-31,
     ranges: [{start_mhz: 3700, end_mhz: 3800}], max_eirp_dbm: 40,
     area: [[-10,-10],[500,-10],[500,500],[-10,500]]}
managed_elements:
  - {name: me-core, role: core, vendor: Acme}
  - {name: me-upf-c, role: upf, vendor: Acme}
  - {name: upf-ws, role: upf, vendor: Acme}
  - {name: me-mec, role: edge, vendor: Acme}
  - {name: me-cs, role: transport, vendor: Acme}
  - {name: me-sw-ws, role: transport, vendor: Acme}
  - {name: me-gnb, role: gnb, vendor: Acme}
gnbs:
  - {name: gnb1, managed_element: me-gnb, gnb_id: 1, position: {x: 30, y: 25}}
  - {name: gnb2, managed_element: me-gnb, gnb_id: 2, position: {x: 70, y: 25}}
  - {name: gnb3, managed_element: me-gnb, gnb_id: 3, position: {x: 350, y: 50}}
cells:
  - {name: c1, gnb: gnb1, cell_local_id: 1, pci: 1, tac: 1, arfcn_dl: 650000,
     slices: [urllc, embb]}
  - {name: c2, gnb: gnb2, cell_local_id: 1, pci: 2, tac: 1, arfcn_dl: 650000,
     slices: [urllc, embb]}
  - {name: c3, gnb: gnb3, cell_local_id: 1, pci: 3, tac: 1, arfcn_dl: 650000, slices: [embb]}
core_functions:
  - {name: amf, type: AMF, managed_element: me-core}
  - {name: smf, type: SMF, managed_element: me-core}
upfs:
  - {name: upf-c, managed_element: me-upf-c, dnns: [internet], slices: [embb]}
  - {name: upf-ws, role: edge, managed_element: upf-ws, dnns: [factory], slices: [urllc],
     area: WS1}
edge_nodes:
  - {name: mec, managed_element: me-mec, upf: upf-ws, area: WS1}
transport_nodes:
  - {name: cs, type: switch, managed_element: me-cs}
  - {name: sw-ws, type: switch, managed_element: me-sw-ws, area: WS1}
links:
  - {name: l-amf, a: amf, b: cs, capacity_mbps: 10000}
  - {name: l-smf, a: smf, b: cs, capacity_mbps: 10000}
  - {name: l-upf-c, a: upf-c, b: cs, capacity_mbps: 10000}
  - {name: l-uplink, a: cs, b: sw-ws, capacity_mbps: 10000}
  - {name: l-yard, a: cs, b: gnb3, capacity_mbps: 10000}
  - {name: l-upf-ws, a: sw-ws, b: upf-ws, capacity_mbps: 10000}
  - {name: l-mec, a: sw-ws, b: mec, capacity_mbps: 10000}
  - {name: l-gnb1, a: sw-ws, b: gnb1, capacity_mbps: 10000}
  - {name: l-gnb2, a: sw-ws, b: gnb2, capacity_mbps: 10000}
slices:
  - {name: urllc, sst: 2, sd: "000001"}
  - {name: embb, sst: 1, sd: "000002"}
applications:
  - {name: agv-ctl, class: agv_control, slice: urllc, edge_node: mec, latency_budget_ms: 10,
     areas: [WS1]}
  - {name: cams, class: machine_vision_qc, slice: embb, latency_budget_ms: 50, areas: [WS1]}
  - {name: yard-cams, class: video_surveillance, slice: embb, latency_budget_ms: 200,
     areas: [YARD]}
sim_profiles:
  - {name: prof-urllc, slices: [urllc], dnns: [factory]}
  - {name: prof-embb, slices: [embb], dnns: [internet]}
terminals:
  - {name: agv-1, type: agv, supi: imsi-999990000000001, expected_area: WS1,
     application: agv-ctl}
  - {name: cam-1, type: qc_camera, supi: imsi-999990000000002, expected_area: WS1,
     application: cams}
  - {name: ycam-1, type: qc_camera, supi: imsi-999990000000003, expected_area: YARD,
     application: yard-cams}
  - {name: tab-1, type: handheld, supi: imsi-999990000000004, expected_area: YARD}
subscriptions:
  - {supi: imsi-999990000000001, profile: prof-urllc, k: 465b5ce8b199b49faa5f0a2ee238a6bc,
     opc: cdc202d5123e20f62b6d676ac72cb318}
  - {supi: imsi-999990000000002, profile: prof-embb, k: 465b5ce8b199b49faa5f0a2ee238a6bd,
     opc: cdc202d5123e20f62b6d676ac72cb319}
  - {supi: imsi-999990000000003, profile: prof-embb, k: 465b5ce8b199b49faa5f0a2ee238a6be,
     opc: cdc202d5123e20f62b6d676ac72cb31a}
  - {supi: imsi-999990000000004, profile: prof-embb, k: 465b5ce8b199b49faa5f0a2ee238a6bf,
     opc: cdc202d5123e20f62b6d676ac72cb31b}
"""


@functools.cache
def site() -> SiteDocument:
    document, issues = check_site_text(SITE, source="impact")
    assert not issues, issues
    return document


def names(items: tuple[Dependent, ...]) -> list[str]:
    return [item.name for item in items]


def test_the_core_switch_takes_every_gnbs_amf_although_an_edge_upf_remains() -> None:
    # The edge UPF is no control-plane anchor: before, behind(cs) listed only the servers.
    assert behind(site(), node="cs") >= {"gnb1", "gnb2", "gnb3", "sw-ws", "upf-ws", "mec"}
    answer = impact(site(), node="cs")
    assert answer.control_plane == ("gnb1", "gnb2", "gnb3")
    assert [(u.upf, u.gnbs, u.n4_lost) for u in answer.user_plane] == [
        ("upf-c", ("gnb1", "gnb2", "gnb3"), True),
        ("upf-ws", ("gnb1", "gnb2"), True),
    ]
    assert names(answer.cells) == ["c1", "c2", "c3"]
    assert names(answer.applications) == ["agv-ctl", "cams", "yard-cams"]
    assert names(answer.terminals) == ["agv-1", "cam-1", "tab-1", "ycam-1"]


def test_the_edge_upf_link_takes_only_the_urllc_user_plane_in_the_workshop() -> None:
    answer = impact(site(), link="l-upf-ws")
    assert answer.control_plane == ()
    [loss] = answer.user_plane
    assert (loss.upf, loss.slices, loss.dnns, loss.gnbs) == (
        "upf-ws", ("urllc",), ("factory",), ("gnb1", "gnb2"),
    )  # fmt: skip
    assert answer.slices == (Dependent("urllc", ("gnb1", "gnb2")),)
    assert answer.cells == (
        Dependent("c1", ("gnb1",), ("urllc",)),
        Dependent("c2", ("gnb2",), ("urllc",)),
    )
    assert answer.applications == (Dependent("agv-ctl", ("gnb1", "gnb2"), ("urllc",)),)
    assert names(answer.terminals) == ["agv-1"]


def test_the_uplink_keeps_the_yard_but_takes_the_workshop() -> None:
    answer = impact(site(), link="l-uplink")
    assert answer.control_plane == ("gnb1", "gnb2")
    assert names(answer.cells) == ["c1", "c2"]
    assert names(answer.applications) == ["agv-ctl", "cams"]  # not yard-cams
    assert names(answer.terminals) == ["agv-1", "cam-1"]  # not ycam-1 nor tab-1


def test_an_unreachable_edge_node_takes_its_application_but_no_slice() -> None:
    answer = impact(site(), link="l-mec")
    assert (answer.control_plane, answer.user_plane, answer.slices, answer.cells) == (
        (), (), (), (),
    )  # fmt: skip
    assert names(answer.applications) == ["agv-ctl"]
    assert names(answer.terminals) == ["agv-1"]


def test_a_terminal_without_application_follows_its_sim_profiles_slice() -> None:
    answer = impact(site(), link="l-yard")
    assert answer.control_plane == ("gnb3",)
    assert names(answer.terminals) == ["tab-1", "ycam-1"]
    assert answer.terminals[0] == Dependent("tab-1", ("gnb3",), ("embb",))


def test_the_smf_link_takes_every_upfs_n4_but_no_n2() -> None:
    answer = impact(site(), link="l-smf")
    assert answer.control_plane == ()
    assert {u.upf for u in answer.user_plane if u.n4_lost} == {"upf-c", "upf-ws"}
    assert names(answer.slices) == ["embb", "urllc"]


@pytest.mark.parametrize(("link", "node"), [("nope", None), (None, "sw-9")])
def test_an_unknown_failure_is_a_key_error(link: str | None, node: str | None) -> None:
    with pytest.raises(KeyError, match=link or node or ""):
        impact(site(), link=link, node=node)


def test_a_terminal_loses_service_only_where_it_works_not_everywhere_its_application_does() -> None:
    spread = SITE.replace(
        "latency_budget_ms: 50, areas: [WS1]", "latency_budget_ms: 50, areas: [WS1, YARD]"
    )
    spread = spread.replace(
        "expected_area: WS1,\n     application: cams",
        "expected_area: YARD,\n     application: cams",
    )
    document, issues = check_site_text(spread, source="spread")
    assert not issues, issues
    answer = impact(document, link="l-uplink")
    assert answer.applications[1] == Dependent("cams", ("gnb1", "gnb2"), ("embb",))
    assert names(answer.terminals) == ["agv-1"]  # cam-1 works in the yard, which keeps its gNB
    assert names(impact(document, link="l-yard").terminals) == ["cam-1", "tab-1", "ycam-1"]


def test_an_unknown_or_locked_failure_names_the_nearest_or_the_lock() -> None:
    with pytest.raises(KeyError, match="did you mean 'l-uplink'"):
        impact(site(), link="l-uplnk")
    with pytest.raises(KeyError, match="did you mean 'sw-ws'"):
        impact(site(), node="sw-wss")
    locked = SITE.replace(
        "{name: l-yard, a: cs, b: gnb3,",
        "{name: l-yard, a: cs, b: gnb3, administrative_state: LOCKED,",
    )
    document, issues = check_site_text(locked, source="locked")
    assert not issues, issues
    with pytest.raises(KeyError, match="link 'l-yard' is locked"):
        impact(document, link="l-yard")
