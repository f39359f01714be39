"""Small sites of the twin tests' own (not the example plant): an edge UPF in a workshop."""

from __future__ import annotations

import functools

from openipn.model.document import SiteDocument
from openipn.sitefile import check_site_text

# The workshop's UPF and its MEC run on elements that share their names (the validator allows
# it); the core switch `cs` joins the AMF, SMF and the central UPF to the workshop switch.
EDGE_SITE = """
site: {name: edge-demo, anchor: {latitude: 31.3, longitude: 120.6}, timezone: UTC}
snpn: {plmn: {mcc: "999", mnc: "99"}, nid: "10000000001"}
areas:
  - {name: WS1, kind: workshop, polygon: [[0,0],[120,0],[120,60],[0,60]]}
  - {name: DATA, polygon: [[200,0],[230,0],[230,30],[200,30]]}
  - {name: YARD, polygon: [[400,400],[500,400],[500,500],[400,500]]}
permits:
  - {name: P1, number: "X-1", holder: Demo, valid_from: 2026-01-01, valid_until: 2030-12-31,
     ranges: [{start_mhz: 3700, end_mhz: 3800}], max_eirp_dbm: 40,
     area: [[-10,-10],[600,-10],[600,600],[-10,600]]}
managed_elements:
  - {name: me-core, role: core, vendor: Acme}
  - {name: me-upf-c, role: upf, vendor: Acme}
  - {name: upf-ws, role: upf, vendor: Acme}
  - {name: mec-ws, role: edge, vendor: Acme}
  - {name: me-cs, role: transport, vendor: Acme}
  - {name: me-sw-ws, role: transport, vendor: Acme}
  - {name: me-gnb1, role: gnb, vendor: Acme}
  - {name: me-gnb2, role: gnb, vendor: Acme}
gnbs:
  - {name: gnb1, managed_element: me-gnb1, gnb_id: 1, position: {x: 30, y: 30}}
  - {name: gnb2, managed_element: me-gnb2, gnb_id: 2, position: {x: 90, y: 30}}
cells:
  - {name: c1, gnb: gnb1, cell_local_id: 1, pci: 10, tac: 1, arfcn_dl: 650000,
     slices: [urllc, embb]}
  - {name: c2, gnb: gnb2, cell_local_id: 1, pci: 11, tac: 1, arfcn_dl: 650000,
     slices: [urllc, embb]}
core_functions:
  - {name: amf-1, type: AMF, managed_element: me-core}
  - {name: smf-1, type: SMF, managed_element: me-core}
  - {name: pcf-1, type: PCF, managed_element: me-core}
upfs:
  - {name: upf-c, role: central, managed_element: me-upf-c, dnns: [internet], slices: [embb],
     area: DATA}
  - {name: upf-ws, role: edge, managed_element: upf-ws, dnns: [factory], slices: [urllc],
     area: WS1}
edge_nodes:
  - {name: mec-ws, managed_element: mec-ws, upf: upf-ws, area: WS1}
transport_nodes:
  - {name: cs, type: switch, managed_element: me-cs, area: DATA}
  - {name: sw-ws, type: switch, managed_element: me-sw-ws, area: WS1}
links:
  - {name: l-amf, a: amf-1, b: cs, capacity_mbps: 10000, latency_us: 2}
  - {name: l-smf, a: smf-1, b: cs, capacity_mbps: 10000, latency_us: 2}
  - {name: l-pcf, a: pcf-1, b: cs, capacity_mbps: 10000, latency_us: 2}
  - {name: l-upf-c, a: upf-c, b: cs, capacity_mbps: 10000, latency_us: 2}
  - {name: l-uplink, a: cs, b: sw-ws, capacity_mbps: 10000, latency_us: 5}
  - {name: l-upf-ws, a: sw-ws, b: upf-ws, capacity_mbps: 10000, latency_us: 2}
  - {name: l-mec-ws, a: sw-ws, b: mec-ws, capacity_mbps: 10000, latency_us: 2}
  - {name: l-gnb1, a: sw-ws, b: gnb1, capacity_mbps: 10000, latency_us: 2}
  - {name: l-gnb2, a: sw-ws, b: gnb2, capacity_mbps: 10000, latency_us: 2}
slices:
  - {name: urllc, sst: 2, sd: "000001"}
  - {name: embb, sst: 1, sd: "000002"}
applications:
  - {name: agv-ctl, class: agv_control, slice: urllc, edge_node: mec-ws, latency_budget_ms: 10,
     areas: [WS1]}
  - {name: cams, class: machine_vision_qc, slice: embb, latency_budget_ms: 50, areas: [WS1]}
sim_profiles:
  - {name: prof-urllc, slices: [urllc], dnns: [factory], five_qi: 82}
  - {name: prof-embb, slices: [embb], dnns: [internet], five_qi: 9}
terminals:
  - {name: agv-1, type: agv, supi: imsi-999990000000001, expected_area: WS1,
     application: agv-ctl}
  - {name: agv-2, type: agv, supi: imsi-999990000000002, expected_area: WS1,
     application: agv-ctl}
  - {name: cam-1, type: qc_camera, supi: imsi-999990000000003, expected_area: WS1,
     application: cams}
subscriptions:
  - {supi: imsi-999990000000001, profile: prof-urllc, k: 465b5ce8b199b49faa5f0a2ee238a6bc,
     opc: cdc202d5123e20f62b6d676ac72cb318}
  - {supi: imsi-999990000000002, profile: prof-urllc, k: 465b5ce8b199b49faa5f0a2ee238a6bd,
     opc: cdc202d5123e20f62b6d676ac72cb319}
  - {supi: imsi-999990000000003, profile: prof-embb, k: 465b5ce8b199b49faa5f0a2ee238a6be,
     opc: cdc202d5123e20f62b6d676ac72cb31a}
"""


@functools.cache
def edge_site() -> SiteDocument:
    """The edge-UPF site, checked like any site file (a test fails on any issue)."""
    document, issues = check_site_text(EDGE_SITE, source="edge-site")
    assert not issues, issues
    return document


def _cameras(count: int) -> tuple[str, str]:
    """Terminal and subscription lines of `count` QC cameras in WS1."""
    terminals, subscriptions = [], []
    for i in range(1, count + 1):
        supi = f"imsi-9999900000{i:05d}"
        terminals.append(
            f"  - {{name: cam-{i}, type: qc_camera, supi: {supi}, expected_area: WS1, "
            "application: qc}"
        )
        subscriptions.append(
            f"  - {{supi: {supi}, profile: prof, k: 465b5ce8b199b49faa5f0a2ee238{i:04x}, "
            f"opc: cdc202d5123e20f62b6d676ac72c{i:04x}}}"
        )
    return "\n".join(terminals), "\n".join(subscriptions)


# Two halls 140 m apart on one carrier; WS1's gNB hangs off its own switch. Cut WS1 off and its
# cameras reach for the far hall's cell at high power, right beside WS1's barred cell.
TWO_HALLS_SITE = """
site: {name: two-halls, anchor: {latitude: 31.3, longitude: 120.6}, timezone: UTC}
snpn: {plmn: {mcc: "999", mnc: "99"}, nid: "10000000001"}
areas:
  - {name: WS1, kind: workshop, polygon: [[0,0],[60,0],[60,40],[0,40]]}
  - {name: WS2, kind: workshop, polygon: [[140,0],[200,0],[200,40],[140,40]]}
permits:
  - {name: P1, number: "X-1", holder: Demo, valid_from: 2026-01-01, valid_until: 2030-12-31,
     ranges: [{start_mhz: 3700, end_mhz: 3800}], max_eirp_dbm: 40,
     area: [[-10,-10],[300,-10],[300,300],[-10,300]]}
managed_elements:
  - {name: me-core, role: core, vendor: Acme}
  - {name: me-upf, role: upf, vendor: Acme}
  - {name: me-sw, role: transport, vendor: Acme}
  - {name: me-sw-ws1, role: transport, vendor: Acme}
  - {name: me-gnb1, role: gnb, vendor: Acme}
  - {name: me-gnb2, role: gnb, vendor: Acme}
gnbs:
  - {name: gnb1, managed_element: me-gnb1, gnb_id: 1, position: {x: 30, y: 20}}
  - {name: gnb2, managed_element: me-gnb2, gnb_id: 2, position: {x: 170, y: 20}}
cells:
  - {name: c1, gnb: gnb1, cell_local_id: 1, pci: 10, tac: 1, arfcn_dl: 650000, slices: [embb]}
  - {name: c2, gnb: gnb2, cell_local_id: 1, pci: 11, tac: 1, arfcn_dl: 650000, slices: [embb]}
core_functions:
  - {name: amf-1, type: AMF, managed_element: me-core}
  - {name: smf-1, type: SMF, managed_element: me-core}
upfs:
  - {name: upf-1, role: central, managed_element: me-upf, dnns: [internet], slices: [embb]}
transport_nodes:
  - {name: sw, type: switch, managed_element: me-sw}
  - {name: sw-ws1, type: switch, managed_element: me-sw-ws1, area: WS1}
links:
  - {name: l-amf, a: amf-1, b: sw, capacity_mbps: 10000, latency_us: 2}
  - {name: l-smf, a: smf-1, b: sw, capacity_mbps: 10000, latency_us: 2}
  - {name: l-upf, a: upf-1, b: sw, capacity_mbps: 10000, latency_us: 2}
  - {name: l-ws1, a: sw, b: sw-ws1, capacity_mbps: 10000, latency_us: 2}
  - {name: l-gnb1, a: sw-ws1, b: gnb1, capacity_mbps: 10000, latency_us: 2}
  - {name: l-gnb2, a: sw, b: gnb2, capacity_mbps: 10000, latency_us: 2}
slices:
  - {name: embb, sst: 1, sd: "000002"}
applications:
  - {name: qc, class: machine_vision_qc, slice: embb, latency_budget_ms: 50, areas: [WS1]}
sim_profiles:
  - {name: prof, slices: [embb], dnns: [internet], five_qi: 9}
terminals:
TERMINALS
subscriptions:
SUBSCRIPTIONS
"""


@functools.cache
def two_halls_site(cameras: int = 16) -> SiteDocument:
    """Two halls on one carrier, `cameras` cameras in WS1; checked like any site file."""
    terminals, subscriptions = _cameras(cameras)
    text = TWO_HALLS_SITE.replace("TERMINALS", terminals).replace("SUBSCRIPTIONS", subscriptions)
    document, issues = check_site_text(text, source="two-halls")
    assert not issues, issues
    return document
