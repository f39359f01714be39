#!/usr/bin/env python3
"""Generate the example site files `plant.yaml` and `small.yaml`.

Every random choice comes from a `random.Random` seeded per network, and nothing depends on
set or hash ordering, so running the script twice writes byte-identical files:

    .venv/bin/python examples/generate.py            # writes next to this script
    .venv/bin/python examples/generate.py OUT_DIR    # writes into OUT_DIR

Each network is capacity-planned with the twin's own models (`capacity.py`): gNBs are added at
the hotspots of cells the twin predicts too busy in the busiest hour, or serving a terminal
below its application's target, until none is; then each area's transmit power is set with the
same models (`power_plan`). The script prints the plan's predicted coverage, capacity and SLA.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # capacity.py next to this script

from capacity import UPF_LIMIT, Prediction, predict, summary

from openipn.model.arfcn import mhz_to_arfcn
from openipn.model.document import FORMAT
from openipn.model.identifiers import luhn_digit
from openipn.model.kinds import KINDS

Obj = dict[str, Any]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in local metres
Point2 = tuple[float, float]

EXAMPLES_DIR = Path(__file__).resolve().parent
MCC, MNC = "999", "99"  # MCC 999: reserved for private networks (ITU-T E.212)
LOOPBACK = "127.0.0.1"
NEIGHBOUR_RANGE_M = 115.0  # cells of gNBs closer than this are declared neighbours
PCI_GROUP_BASE = 40  # PCI = 3 * (base + gNB index) + sector: co-sited cells differ mod 3
GNB_ID_LENGTH = 24
ADDED_GNB_CELLS = 2  # a gNB added for capacity serves two sectors


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Carrier:
    """One NR carrier: a centre frequency on the 15 kHz global raster and a bandwidth."""

    centre_mhz: float
    bandwidth_mhz: int

    @property
    def arfcn(self) -> int:
        """The NR-ARFCN of the centre frequency (raises when it is off the raster)."""
        return mhz_to_arfcn(self.centre_mhz)


@dataclass(frozen=True)
class AreaPlan:
    """A floor area and, when it has radio coverage, how its gNBs are laid out."""

    name: str
    kind: str
    description: str
    box: Box
    ceiling_m: float
    tac: int = 0  # 0: no gNBs in this area
    gnb_cells: tuple[int, ...] = ()  # number of cells of each gNB
    slices: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()  # production lines or departments that own terminals
    uplink: str = ""  # transport node the area's gNBs are linked to
    tx_power_dbm: float = 24.0
    gnb_model: str = "ERN-i6100"
    capacity_sites: tuple[Point2, ...] = ()  # gNBs the capacity plan adds at hotspots


@dataclass(frozen=True)
class NodePlan:
    """A switch or TSN bridge of the transport ring."""

    name: str
    type: str
    area: str
    model: str


@dataclass(frozen=True)
class SlicePlan:
    """A network slice and its service level."""

    name: str
    sst: int
    sd: str
    description: str
    latency_budget_ms: float
    reliability_percent: float
    guaranteed_bitrate_mbps: float
    max_terminals: int


@dataclass(frozen=True)
class ProfilePlan:
    """A SIM profile: the slice and DNNs a subscription may use."""

    name: str
    slice: str
    dnns: tuple[str, ...]
    five_qi: int
    ambr_ul_mbps: float
    ambr_dl_mbps: float


@dataclass(frozen=True)
class UpfPlan:
    """A UPF with the DNNs and slices it anchors."""

    name: str
    role: str
    address: str
    dnns: tuple[str, ...]
    slices: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class EdgePlan:
    """An edge (MEC) node and the UPF that breaks traffic out to it."""

    name: str
    upf: str
    cpu_cores: int
    memory_gib: float
    processing_latency_ms: float
    description: str


@dataclass(frozen=True)
class AppPlan:
    """An industrial application."""

    name: str
    app_class: str
    slice: str
    edge_node: str
    latency_budget_ms: float
    reliability_percent: float
    bitrate_ul_mbps: float
    bitrate_dl_mbps: float
    areas: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class FleetPlan:
    """A fleet of terminals of one type running one application, counted per area."""

    type: str
    prefix: str
    application: str
    profile: str
    imei_tac: str  # 8-digit type allocation code (fictitious)
    counts: tuple[tuple[str, int], ...]
    descriptions: tuple[str, ...]


@dataclass(frozen=True)
class NetworkPlan:
    """Everything that distinguishes one example network from another."""

    file_name: str
    title: str
    seed: int
    site_name: str
    site_description: str
    latitude: float
    longitude: float
    permit_number: str
    holder: str
    max_eirp_dbm: float
    carriers: tuple[Carrier, ...]
    areas: tuple[AreaPlan, ...]
    dc_area: str  # where the core, UPFs, edge nodes and grandmaster stand
    ring: tuple[NodePlan, ...]  # in ring order; the last node links back to the first
    dc_switches: tuple[str, ...]  # every data-room server is linked to each of these
    slices: tuple[SlicePlan, ...]
    profiles: tuple[ProfilePlan, ...]
    upfs: tuple[UpfPlan, ...]
    edges: tuple[EdgePlan, ...]
    apps: tuple[AppPlan, ...]
    fleets: tuple[FleetPlan, ...]
    gnb_id_base: int
    msin_base: int
    iccid_base: int
    op_every: int  # every op_every-th SIM carries the operator's OP instead of its own OPc


@dataclass(frozen=True)
class GnbSite:
    """A planned gNB: where it stands and how many cells it serves."""

    index: int
    name: str
    area: AreaPlan
    position: Point2
    cells: int


# --------------------------------------------------------------------------- shared data

PERMIT_BAND = (5925.0, 6125.0)  # industrial band, MHz
CARRIER_A = Carrier(5975.01, 100)  # 798334: 5925.01-6025.01 MHz
CARRIER_B = Carrier(6075.0, 90)  # 805000: 6030.00-6120.00 MHz

CORE_FUNCTIONS: tuple[tuple[str, str, str], ...] = (
    # name, type, loopback address (Open5GS-style defaults)
    ("nrf-1", "NRF", "127.0.0.10"),
    ("amf-1", "AMF", "127.0.0.5"),
    ("smf-1", "SMF", "127.0.0.4"),
    ("ausf-1", "AUSF", "127.0.0.11"),
    ("udm-1", "UDM", "127.0.0.12"),
    ("pcf-1", "PCF", "127.0.0.13"),
)
METRICS_TYPES = ("AMF", "SMF")

SLICE_URLLC = SlicePlan(
    "urllc-control", 2, "000001", "URLLC: AGV and motion control", 2.0, 99.999, 50.0, 500
)
SLICE_EMBB = SlicePlan(
    "embb-vision", 1, "000002", "eMBB: machine vision and AR", 20.0, 99.9, 1000.0, 200
)
SLICE_MIOT = SlicePlan(
    "miot-sensors", 3, "000003", "Massive IoT: condition monitoring", 100.0, 99.9, 0.0, 5000
)

PROFILE_URLLC = ProfilePlan("prof-urllc", "urllc-control", ("factory",), 82, 20.0, 20.0)
PROFILE_EMBB = ProfilePlan("prof-embb", "embb-vision", ("factory", "internet"), 80, 200.0, 200.0)
PROFILE_MIOT = ProfilePlan("prof-miot", "miot-sensors", ("factory",), 9, 1.0, 1.0)

APP_AGV = "agv-control"
APP_MOTION = "motion-control"
APP_VISION = "machine-vision-qc"
APP_AR = "ar-maintenance"
APP_SENSORS = "sensors"

SENSOR_KINDS = (
    "vibration sensor",
    "temperature sensor",
    "energy meter",
    "compressed-air pressure sensor",
    "humidity sensor",
    "coolant level sensor",
)


# --------------------------------------------------------------------------- the plant


def plant_areas() -> tuple[AreaPlan, ...]:
    """Floor plan of plant 1: a 400 m x 250 m site with three workshops and a warehouse."""
    all_slices = (SLICE_URLLC.name, SLICE_EMBB.name, SLICE_MIOT.name)
    # name, kind, description, box (x0, y0, x1, y1), ceiling height; then the radio plan
    return (
        AreaPlan(
            "WS1", "workshop", "Workshop 1: CNC machining", (0, 0, 160, 120), 12.0,
            tac=101, gnb_cells=(3, 2, 2, 3), slices=all_slices, uplink="tsn-ws1",
            owners=("WS1 line 1", "WS1 line 2", "WS1 line 3", "WS1 line 4"),
        ),
        AreaPlan(
            "WS2", "workshop", "Workshop 2: final assembly", (160, 0, 320, 120), 12.0,
            tac=102, gnb_cells=(2, 2, 2), slices=all_slices, uplink="tsn-ws2",
            owners=("WS2 line 1", "WS2 line 2", "WS2 line 3"),
        ),
        AreaPlan(
            "WS3", "workshop", "Workshop 3: painting and quality control", (0, 130, 140, 250),
            10.0, tac=103, gnb_cells=(2, 2), slices=all_slices, uplink="tsn-ws3",
            owners=("WS3 paint line", "WS3 QC line"),
        ),
        AreaPlan(
            "WH1", "warehouse", "Warehouse: raw material and finished goods", (150, 130, 320, 250),
            14.0, tac=104, gnb_cells=(1, 2), slices=all_slices, uplink="tsn-wh1",
            owners=("WH1 logistics",), tx_power_dbm=26.0,
        ),
        AreaPlan(
            "OFFICE", "office", "Office building and maintenance department", (330, 0, 400, 170),
            4.0, tac=105, gnb_cells=(1,), slices=(SLICE_EMBB.name, SLICE_MIOT.name),
            uplink="cs-2", owners=("Maintenance dept",), tx_power_dbm=20.0,
            gnb_model="ERN-i6050",
        ),
        AreaPlan(
            "DATA-ROOM", "data_room", "Data room: 5G core, UPFs, edge servers, grandmaster",
            (330, 180, 400, 250), 4.0,
        ),
    )  # fmt: skip


def plant_ring() -> tuple[NodePlan, ...]:
    """The transport ring: two core switches and one TSN bridge per workshop and warehouse."""
    return (
        NodePlan("cs-1", "switch", "DATA-ROOM", "EIN-CS4800"),
        NodePlan("tsn-ws2", "tsn_bridge", "WS2", "EIN-TSN2400"),
        NodePlan("tsn-ws1", "tsn_bridge", "WS1", "EIN-TSN2400"),
        NodePlan("tsn-ws3", "tsn_bridge", "WS3", "EIN-TSN2400"),
        NodePlan("tsn-wh1", "tsn_bridge", "WH1", "EIN-TSN2400"),
        NodePlan("cs-2", "switch", "DATA-ROOM", "EIN-CS4800"),
    )


def plant_upfs() -> tuple[UpfPlan, ...]:
    """A central UPF for the internet and the factory LAN, an edge UPF for low latency."""
    # name, role, N3/N4 address, DNNs, slices, description
    return (
        UpfPlan(
            "upf-central", "central", "127.0.0.7", ("internet", "factory"),
            (SLICE_EMBB.name, SLICE_MIOT.name), "Central UPF: internet and factory DNNs",
        ),
        UpfPlan(
            "upf-edge", "edge", "127.0.0.8", ("factory",),
            (SLICE_URLLC.name, SLICE_EMBB.name), "Edge UPF: low-latency local breakout",
        ),
    )  # fmt: skip


def plant_apps() -> tuple[AppPlan, ...]:
    """The plant's industrial applications."""
    # name, class, slice, edge node, latency ms, reliability %, UL Mbit/s, DL Mbit/s, areas
    return (
        AppPlan(
            APP_AGV, "agv_control", SLICE_URLLC.name, "mec-1", 10.0, 99.999, 2.0, 1.0,
            ("WS1", "WS2", "WH1"), "AGV fleet management and navigation",
        ),
        AppPlan(
            APP_MOTION, "motion_control", SLICE_URLLC.name, "mec-1", 2.0, 99.999, 1.0, 1.0,
            ("WS1", "WS2", "WS3"), "Robot cell and PLC motion control (virtual PLC on MEC)",
        ),
        AppPlan(
            APP_VISION, "machine_vision_qc", SLICE_EMBB.name, "mec-1", 20.0, 99.9, 40.0, 2.0,
            ("WS1", "WS3"), "Machine-vision surface and dimension inspection",
        ),
        AppPlan(
            APP_AR, "ar_maintenance", SLICE_EMBB.name, "mec-2", 20.0, 99.9, 10.0, 20.0,
            ("WS1", "WS2", "WS3", "WH1", "OFFICE"), "AR remote maintenance assistance",
        ),
        AppPlan(
            APP_SENSORS, "sensors", SLICE_MIOT.name, "mec-2", 100.0, 99.9, 0.1, 0.01,
            ("WS1", "WS2", "WS3", "WH1", "OFFICE"), "Condition monitoring and energy metering",
        ),
    )  # fmt: skip


def plant_fleets() -> tuple[FleetPlan, ...]:
    """The plant's 600 terminals by type, application and area."""
    # type, name prefix, application, SIM profile, IMEI TAC, (area, count)..., descriptions
    return (
        FleetPlan(
            "agv", "agv", APP_AGV, PROFILE_URLLC.name, "86451203",
            (("WS1", 20), ("WS2", 16), ("WH1", 32)), ("latent AGV", "forklift AGV", "tugger AGV"),
        ),
        FleetPlan(
            "robot_cell", "robot", APP_MOTION, PROFILE_URLLC.name, "86532907",
            (("WS1", 48), ("WS2", 28), ("WS3", 12)),
            ("6-axis machine-tending robot", "SCARA assembly robot", "painting robot"),
        ),
        FleetPlan(
            "plc", "plc", APP_MOTION, PROFILE_URLLC.name, "86610455",
            (("WS1", 24), ("WS2", 20), ("WS3", 12)), ("line PLC", "safety PLC"),
        ),
        FleetPlan(
            "qc_camera", "qccam", APP_VISION, PROFILE_EMBB.name, "86774310",
            (("WS1", 24), ("WS3", 36)), ("surface inspection camera", "3D measurement camera"),
        ),
        FleetPlan(
            "ar_headset", "ar", APP_AR, PROFILE_EMBB.name, "86813366",
            (("WS1", 8), ("WS2", 8), ("WS3", 4), ("WH1", 4), ("OFFICE", 6)), ("AR headset",),
        ),
        FleetPlan(
            "sensor", "sensor", APP_SENSORS, PROFILE_MIOT.name, "86905521",
            (("WS1", 110), ("WS2", 80), ("WS3", 50), ("WH1", 50), ("OFFICE", 8)), SENSOR_KINDS,
        ),
    )  # fmt: skip


def plant_plan() -> NetworkPlan:
    """Example Precision Machinery Co., plant 1: a mid-size discrete-manufacturing plant."""
    return NetworkPlan(
        file_name="plant.yaml",
        title="Example Precision Machinery Co., plant 1",
        seed=20260101,
        site_name="epm-plant-1",
        site_description="Example Precision Machinery Co., plant 1 (Suzhou Industrial Park)",
        latitude=31.3161,
        longitude=120.7289,
        permit_number="MIIT-IWN-2026-0123",
        holder="Example Precision Machinery Co., Ltd.",
        max_eirp_dbm=40.0,
        carriers=(CARRIER_A, CARRIER_B),
        areas=plant_areas(),
        dc_area="DATA-ROOM",
        ring=plant_ring(),
        dc_switches=("cs-1", "cs-2"),
        slices=(SLICE_URLLC, SLICE_EMBB, SLICE_MIOT),
        profiles=(PROFILE_URLLC, PROFILE_EMBB, PROFILE_MIOT),
        upfs=plant_upfs(),
        edges=(
            EdgePlan("mec-1", "upf-edge", 32, 128.0, 0.1, "Real-time MEC: AGV, vPLC, vision"),
            EdgePlan("mec-2", "upf-central", 16, 64.0, 0.5, "General MEC: AR, IoT platform"),
        ),
        apps=plant_apps(),
        fleets=plant_fleets(),
        gnb_id_base=0x01A000,
        msin_base=1_000_001,
        iccid_base=1_000_001,
        op_every=10,
    )


# --------------------------------------------------------------------------- the small network


def small_areas() -> tuple[AreaPlan, ...]:
    """One pilot workshop with two gNBs (three cells) and a small data room."""
    return (
        AreaPlan(
            "WS1", "workshop", "Pilot workshop", (0, 0, 80, 60), 10.0, tac=1,
            gnb_cells=(2, 1), slices=(SLICE_URLLC.name, SLICE_EMBB.name), uplink="tsn-ws1",
            owners=("Pilot line",),
        ),
        AreaPlan("DATA-ROOM", "data_room", "Data room", (85, 0, 105, 20), 4.0),
    )  # fmt: skip


def small_plan() -> NetworkPlan:
    """A small network for quick tests: one workshop, a data room, two gNBs, 20 terminals."""
    apps = {app.name: replace(app, areas=("WS1",)) for app in plant_apps()}
    fleets = {fleet.type: fleet for fleet in plant_fleets()}
    return NetworkPlan(
        file_name="small.yaml",
        title="Example Precision Machinery Co., pilot line",
        seed=20260102,
        site_name="epm-pilot",
        site_description="Example Precision Machinery Co., 5G pilot line",
        latitude=31.3150,
        longitude=120.7262,
        permit_number="MIIT-IWN-2026-0124",
        holder="Example Precision Machinery Co., Ltd.",
        max_eirp_dbm=40.0,
        carriers=(CARRIER_A,),
        areas=small_areas(),
        dc_area="DATA-ROOM",
        ring=(
            NodePlan("cs-1", "switch", "DATA-ROOM", "EIN-CS4800"),
            NodePlan("tsn-ws1", "tsn_bridge", "WS1", "EIN-TSN2400"),
            NodePlan("cs-2", "switch", "DATA-ROOM", "EIN-CS4800"),
        ),
        dc_switches=("cs-1",),
        slices=(SLICE_URLLC, SLICE_EMBB),
        profiles=(PROFILE_URLLC, PROFILE_EMBB),
        upfs=(
            UpfPlan(
                "upf-1",
                "central",
                "127.0.0.7",
                ("factory", "internet"),
                (SLICE_URLLC.name, SLICE_EMBB.name),
                "The only UPF: anchors both slices",
            ),
        ),
        edges=(EdgePlan("mec-1", "upf-1", 16, 64.0, 0.2, "MEC server"),),
        apps=(apps[APP_AGV], apps[APP_MOTION], apps[APP_VISION]),  # all on mec-1 already
        fleets=(
            replace(fleets["agv"], counts=(("WS1", 6),)),
            replace(fleets["robot_cell"], counts=(("WS1", 6),)),
            replace(fleets["qc_camera"], counts=(("WS1", 8),)),
        ),
        gnb_id_base=0x02B000,
        msin_base=9_000_001,
        iccid_base=9_000_001,
        op_every=10,
    )


# --------------------------------------------------------------------------- helpers


def hex128(rng: random.Random) -> str:
    """128 random bits as 32 lower-case hexadecimal digits."""
    return f"{rng.getrandbits(128):032x}"


def serial(rng: random.Random, prefix: str) -> str:
    """A vendor-style serial number."""
    return f"{prefix}{rng.randrange(10**8):08d}"


def box_polygon(box: Box) -> list[list[float]]:
    """The corners of an axis-aligned box, counter-clockwise."""
    x0, y0, x1, y1 = (float(v) for v in box)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def box_centre(box: Box) -> Point2:
    """The centre of a box."""
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def area_by_name(plan: NetworkPlan, name: str) -> AreaPlan:
    """The area plan with this name."""
    return next(area for area in plan.areas if area.name == name)


def point(xy: Point2, z: float) -> Obj:
    """A Point mapping, rounded to 0.1 m."""
    return {"x": round(xy[0], 1), "y": round(xy[1], 1), "z": round(z, 1)}


def element(
    name: str,
    role: str,
    vendor: str,
    model: str,
    version: str,
    serial_no: str,
    area: str,
    port: int,
) -> Obj:
    """A managed element reachable over NETCONF on the loopback address."""
    return {
        "name": name,
        "role": role,
        "vendor": vendor,
        "model": model,
        "software_version": version,
        "serial": serial_no,
        "location_area": area,
        "management": {
            "netconf_host": LOOPBACK,
            "netconf_port": port,
            "ves_source_name": name.removeprefix("me-"),
        },
    }


def link(name: str, a: str, b: str, capacity: float, latency: float, group: str = "") -> Obj:
    """A transport link; `group` names its redundancy group."""
    obj: Obj = {"name": name, "a": a, "b": b, "capacity_mbps": capacity, "latency_us": latency}
    if group:
        obj["redundancy_group"] = group
    return obj


def fibre_latency_us(a: Point2, b: Point2) -> float:
    """Store-and-forward plus fibre delay (5 µs/km) along a Manhattan cable route."""
    route_m = abs(a[0] - b[0]) + abs(a[1] - b[1])
    return round(2.0 + route_m * 0.005, 1)


# --------------------------------------------------------------------------- site sections


def build_site(plan: NetworkPlan, rng: random.Random) -> tuple[Obj, Obj]:
    """The site (geo-anchored floor origin) and the SNPN identity with a self-assigned NID."""
    site = {
        "name": plan.site_name,
        "description": plan.site_description,
        "timezone": "Asia/Shanghai",
        "anchor": {"latitude": plan.latitude, "longitude": plan.longitude, "altitude_m": 4.0},
    }
    nid = "1" + f"{rng.getrandbits(40):010x}"  # first digit 1: self-assigned (TS 23.003 §12.7)
    snpn = {"plmn": {"mcc": MCC, "mnc": MNC}, "nid": nid}
    return site, snpn


def build_areas(plan: NetworkPlan) -> list[Obj]:
    """Floor areas as polygons in local metres."""
    return [
        {
            "name": area.name,
            "description": area.description,
            "kind": area.kind,
            "polygon": box_polygon(area.box),
            "ceiling_height_m": area.ceiling_m,
        }
        for area in plan.areas
    ]


def build_permits(plan: NetworkPlan) -> list[Obj]:
    """The frequency permit for the industrial band, covering the whole site plus a margin."""
    x0 = min(a.box[0] for a in plan.areas) - 20
    y0 = min(a.box[1] for a in plan.areas) - 20
    x1 = max(a.box[2] for a in plan.areas) + 20
    y1 = max(a.box[3] for a in plan.areas) + 20
    return [
        {
            "name": "permit-iwn-6ghz",
            "description": "Industrial wireless network frequency permit",
            "number": plan.permit_number,
            "holder": plan.holder,
            "valid_from": dt.date(2026, 1, 1),
            "valid_until": dt.date(2030, 12, 31),
            "ranges": [{"start_mhz": PERMIT_BAND[0], "end_mhz": PERMIT_BAND[1]}],
            "max_eirp_dbm": plan.max_eirp_dbm,
            "area": box_polygon((x0, y0, x1, y1)),
        }
    ]


# --------------------------------------------------------------------------- radio


def grid_positions(box: Box, count: int) -> list[Point2]:
    """Spread `count` points over a box in rows; the last row is centred."""
    width, height = box[2] - box[0], box[3] - box[1]
    cols = max(1, round(math.sqrt(count * width / height)))
    rows = math.ceil(count / cols)
    points: list[Point2] = []
    for row in range(rows):
        in_row = min(cols, count - row * cols)
        y = box[1] + height * (row + 0.5) / rows
        points.extend((box[0] + width * (col + 0.5) / in_row, y) for col in range(in_row))
    return points


def plan_gnbs(plan: NetworkPlan, rng: random.Random) -> list[GnbSite]:
    """Place every area's gNBs on a grid with a little jitter (ceiling mounting points)."""
    sites: list[GnbSite] = []
    for area in plan.areas:
        for number, (xy, cells) in enumerate(
            zip(grid_positions(area.box, len(area.gnb_cells)), area.gnb_cells, strict=True),
            start=1,
        ):
            jittered = (xy[0] + rng.uniform(-3, 3), xy[1] + rng.uniform(-3, 3))
            name = f"gnb-{area.name.lower()}-{number:02d}"
            sites.append(GnbSite(len(sites), name, area, jittered, cells))
        for number, xy in enumerate(area.capacity_sites, start=len(area.gnb_cells) + 1):
            name = f"gnb-{area.name.lower()}-{number:02d}"
            sites.append(GnbSite(len(sites), name, area, xy, ADDED_GNB_CELLS))
    return sites


def gnb_element(gnb: GnbSite, rng: random.Random) -> Obj:
    """The managed element (radio unit + DU/CU box) hosting one gNB."""
    version = rng.choice(("22.4.1", "22.4.1", "22.4.3"))
    return element(
        f"me-{gnb.name}", "gnb", "Example Radio Networks", gnb.area.gnb_model, version,
        serial(rng, "ERN"), gnb.area.name, 8301 + gnb.index,
    )  # fmt: skip


def gnb_object(plan: NetworkPlan, gnb: GnbSite) -> Obj:
    """The gNB function."""
    return {
        "name": gnb.name,
        "managed_element": f"me-{gnb.name}",
        "gnb_id": plan.gnb_id_base + gnb.index + 1,
        "gnb_id_length": GNB_ID_LENGTH,
        "position": point(gnb.position, gnb.area.ceiling_m - 1.0),
        "area": gnb.area.name,
    }


def sector_azimuths(cells: int) -> list[float]:
    """Antenna azimuths for 1 (omni), 2 or 3 sectors."""
    return [round(360.0 * i / cells + (90.0 if cells == 2 else 0.0), 1) % 360 for i in range(cells)]


def cell_objects(plan: NetworkPlan, gnb: GnbSite, nid: str) -> list[Obj]:
    """The cells of one gNB: sector j on carrier j mod N, PCI 3*(base+gNB)+j."""
    cells: list[Obj] = []
    for sector, azimuth in enumerate(sector_azimuths(gnb.cells)):
        carrier = plan.carriers[sector % len(plan.carriers)]
        omni = gnb.cells == 1
        cells.append(
            {
                "name": f"{gnb.name}-c{sector + 1}",
                "gnb": gnb.name,
                "cell_local_id": sector + 1,
                "pci": 3 * (PCI_GROUP_BASE + gnb.index) + sector,
                "tac": gnb.area.tac,
                "arfcn_dl": carrier.arfcn,
                "bandwidth_mhz": carrier.bandwidth_mhz,
                "tx_power_dbm": gnb.area.tx_power_dbm,
                "antenna_gain_dbi": 5.0 if omni else 8.0,
                "azimuth_deg": azimuth,
                "tilt_deg": 0.0 if omni else 10.0,
                "position": point(gnb.position, gnb.area.ceiling_m - 1.0),
                "area": gnb.area.name,
                "slices": list(gnb.area.slices),
                "broadcast_nids": [nid],
                "neighbours": [],
            }
        )
    return cells


def declare_neighbours(gnbs: Sequence[GnbSite], cells: list[Obj]) -> None:
    """Give each cell every cell of the gNBs within NEIGHBOUR_RANGE_M as a neighbour."""
    by_gnb: dict[str, list[str]] = {}
    for cell in cells:
        by_gnb.setdefault(cell["gnb"], []).append(cell["name"])
    near: dict[str, list[str]] = {
        gnb.name: sorted(
            name
            for other in gnbs
            if other.name != gnb.name
            and math.dist(gnb.position, other.position) <= NEIGHBOUR_RANGE_M
            for name in by_gnb[other.name]
        )
        for gnb in gnbs
    }
    for cell in cells:
        cell["neighbours"] = list(near[cell["gnb"]])  # a copy: no YAML anchors
        if not cell["neighbours"]:
            del cell["neighbours"]


def build_radio(
    plan: NetworkPlan, rng: random.Random, nid: str
) -> tuple[list[GnbSite], list[Obj], list[Obj], list[Obj]]:
    """gNB sites, their managed elements, the gNB functions and the cells."""
    gnbs = plan_gnbs(plan, rng)
    elements = [gnb_element(gnb, rng) for gnb in gnbs]
    functions = [gnb_object(plan, gnb) for gnb in gnbs]
    cells = [cell for gnb in gnbs for cell in cell_objects(plan, gnb, nid)]
    declare_neighbours(gnbs, cells)
    return gnbs, elements, functions, cells


# --------------------------------------------------------------------------- core and edge


def build_core(plan: NetworkPlan, rng: random.Random) -> tuple[list[Obj], list[Obj]]:
    """The 5GC control plane on one server: its managed element and the core functions."""
    elements = [
        element(
            "me-core-1", "core", "Example Core Software", "5GC-CP on x86 server", "2.7.2",
            serial(rng, "SRV"), plan.dc_area, 8501,
        )
    ]  # fmt: skip
    functions: list[Obj] = []
    for name, nf_type, address in CORE_FUNCTIONS:
        function: Obj = {
            "name": name,
            "type": nf_type,
            "managed_element": "me-core-1",
            "sbi_uri": f"http://{address}:7777",
        }
        if nf_type in METRICS_TYPES:
            function["metrics_url"] = f"http://{address}:9090/metrics"
        if nf_type == "AMF":
            function["ngap_address"] = address
        functions.append(function)
    return elements, functions


def build_upfs(plan: NetworkPlan, rng: random.Random) -> tuple[list[Obj], list[Obj]]:
    """UPFs, each on its own server."""
    elements: list[Obj] = []
    upfs: list[Obj] = []
    for number, upf in enumerate(plan.upfs):
        elements.append(
            element(
                f"me-{upf.name}", "upf", "Example Core Software", "5GC-UP on x86 server",
                "2.7.2", serial(rng, "SRV"), plan.dc_area, 8511 + number,
            )
        )  # fmt: skip
        upfs.append(
            {
                "name": upf.name,
                "description": upf.description,
                "role": upf.role,
                "managed_element": f"me-{upf.name}",
                "n3_address": upf.address,
                "n4_address": upf.address,
                "metrics_url": f"http://{upf.address}:9090/metrics",
                "dnns": list(upf.dnns),
                "slices": list(upf.slices),
                "area": plan.dc_area,
            }
        )
    return elements, upfs


def build_edges(plan: NetworkPlan, rng: random.Random) -> tuple[list[Obj], list[Obj]]:
    """Edge (MEC) servers."""
    elements: list[Obj] = []
    edges: list[Obj] = []
    for number, edge in enumerate(plan.edges):
        elements.append(
            element(
                f"me-{edge.name}", "edge", "Example Edge Systems", "MEC server with GPU",
                "1.9.0", serial(rng, "MEC"), plan.dc_area, 8521 + number,
            )
        )  # fmt: skip
        edges.append(
            {
                "name": edge.name,
                "description": edge.description,
                "managed_element": f"me-{edge.name}",
                "upf": edge.upf,
                "area": plan.dc_area,
                "cpu_cores": edge.cpu_cores,
                "memory_gib": edge.memory_gib,
                "processing_latency_ms": edge.processing_latency_ms,
            }
        )
    return elements, edges


# --------------------------------------------------------------------------- transport


def node_position(plan: NetworkPlan, node: NodePlan) -> Point2:
    """Where a ring node stands: the centre of its area; racks 4 m apart in the data room."""
    x, y = box_centre(area_by_name(plan, node.area).box)
    if node.area != plan.dc_area:
        return (x, y)
    racks = [n.name for n in plan.ring if n.area == plan.dc_area]
    return (x, y + 4.0 * racks.index(node.name) - 2.0)


def build_transport_nodes(plan: NetworkPlan, rng: random.Random) -> tuple[list[Obj], list[Obj]]:
    """Switches and TSN bridges of the ring, each a managed element."""
    elements: list[Obj] = []
    nodes: list[Obj] = []
    for index, node in enumerate(plan.ring):
        elements.append(
            element(
                f"me-{node.name}", "transport", "Example Industrial Networks", node.model,
                "4.2.0", serial(rng, "EIN"), node.area, 8401 + index,
            )
        )  # fmt: skip
        nodes.append(
            {
                "name": node.name,
                "type": node.type,
                "managed_element": f"me-{node.name}",
                "area": node.area,
                "position": point(node_position(plan, node), 3.0),
            }
        )
    return elements, nodes


def build_grandmaster(plan: NetworkPlan, rng: random.Random) -> tuple[list[Obj], list[Obj]]:
    """The GNSS-locked PTP grandmaster (G.8275.1 telecom profile, domain 24)."""
    elements = [
        element(
            "me-gm-1", "timing", "Example Timing", "PTP GM-100", "3.1.4", serial(rng, "GM"),
            plan.dc_area, 8601,
        )
    ]  # fmt: skip
    grandmasters = [
        {
            "name": "gm-1",
            "managed_element": "me-gm-1",
            "domain": 24,
            "clock_class": 6,
            "gnss_locked": True,
            "area": plan.dc_area,
        }
    ]
    return elements, grandmasters


def ring_links(plan: NetworkPlan) -> list[Obj]:
    """The redundant ring: each node to the next, the last back to the first."""
    links: list[Obj] = []
    count = len(plan.ring)
    for index, node in enumerate(plan.ring):
        other = plan.ring[(index + 1) % count]
        both_switches = node.type == "switch" and other.type == "switch"
        latency = fibre_latency_us(node_position(plan, node), node_position(plan, other))
        links.append(
            link(
                f"ring-{node.name}-{other.name}", node.name, other.name,
                25000.0 if both_switches else 10000.0, latency, "ring-1",
            )
        )  # fmt: skip
    return links


def access_links(plan: NetworkPlan, gnbs: Sequence[GnbSite]) -> list[Obj]:
    """Each gNB to its area's TSN bridge (or switch): a single access link."""
    position = {node.name: node_position(plan, node) for node in plan.ring}
    return [
        link(
            f"acc-{gnb.name}", gnb.name, gnb.area.uplink, 10000.0,
            fibre_latency_us(gnb.position, position[gnb.area.uplink]),
        )
        for gnb in gnbs
    ]  # fmt: skip


def data_room_links(plan: NetworkPlan) -> list[Obj]:
    """Core functions, UPFs and edge nodes to the data-room switch(es); the GM to cs-1."""
    servers = [name for name, _, _ in CORE_FUNCTIONS]
    servers += [upf.name for upf in plan.upfs] + [edge.name for edge in plan.edges]
    group = "dc-dual-homing" if len(plan.dc_switches) > 1 else ""
    links = [
        link(f"dc-{server}-{switch}", server, switch, 25000.0, 1.0, group)
        for server in servers
        for switch in plan.dc_switches
    ]
    links.append(link("ptp-gm-1-cs-1", "gm-1", "cs-1", 1000.0, 1.0))
    return links


# --------------------------------------------------------------------------- services


def build_slices(plan: NetworkPlan) -> list[Obj]:
    """Slices with their S-NSSAI and SLA."""
    return [
        {
            "name": s.name,
            "description": s.description,
            "sst": s.sst,
            "sd": s.sd,
            "sla": {
                "latency_budget_ms": s.latency_budget_ms,
                "reliability_percent": s.reliability_percent,
                "guaranteed_bitrate_mbps": s.guaranteed_bitrate_mbps,
                "max_terminals": s.max_terminals,
            },
        }
        for s in plan.slices
    ]


def build_applications(plan: NetworkPlan) -> list[Obj]:
    """Applications (`class` is the YAML key of Application.app_class)."""
    return [
        {
            "name": app.name,
            "description": app.description,
            "class": app.app_class,
            "slice": app.slice,
            "edge_node": app.edge_node,
            "latency_budget_ms": app.latency_budget_ms,
            "reliability_percent": app.reliability_percent,
            "bitrate_ul_mbps": app.bitrate_ul_mbps,
            "bitrate_dl_mbps": app.bitrate_dl_mbps,
            "areas": list(app.areas),
        }
        for app in plan.apps
    ]


def build_profiles(plan: NetworkPlan) -> list[Obj]:
    """SIM profiles, one per slice."""
    return [
        {
            "name": p.name,
            "slices": [p.slice],
            "dnns": list(p.dnns),
            "five_qi": p.five_qi,
            "ambr_ul_mbps": p.ambr_ul_mbps,
            "ambr_dl_mbps": p.ambr_dl_mbps,
        }
        for p in plan.profiles
    ]


# --------------------------------------------------------------------------- subscribers


def fleet_imeis(fleet: FleetPlan, count: int, rng: random.Random) -> list[str]:
    """Consecutive IMEIs from a random start within the fleet's TAC, with Luhn check digits."""
    start = rng.randrange(100_000, 999_999 - count)
    bodies = [f"{fleet.imei_tac}{start + n:06d}" for n in range(count)]
    return [body + luhn_digit(body) for body in bodies]


def subscription(
    plan: NetworkPlan, number: int, profile: str, imei: str, op: str, rng: random.Random
) -> Obj:
    """SIM number `number`: SUPI, ICCID, example K and OPc (or the network's OP), IMEI lock."""
    iccid_body = f"898699{plan.iccid_base + number:013d}"  # 89 telecom, 86 China, issuer 99
    sub: Obj = {
        "supi": f"imsi-{MCC}{MNC}{plan.msin_base + number:010d}",
        "iccid": iccid_body + luhn_digit(iccid_body),
        "profile": profile,
        "imei": imei,
        "k": hex128(rng),
    }
    if number % plan.op_every == plan.op_every - 1:
        sub["op"] = op  # the operator variant: one value shared by every SIM that uses it
    else:
        sub["opc"] = hex128(rng)
    return sub


def build_subscribers(plan: NetworkPlan, rng: random.Random) -> tuple[list[Obj], list[Obj]]:
    """Terminals of every fleet and one IMEI-bound subscription per terminal."""
    profiles = {p.name for p in plan.profiles}
    op = hex128(rng)
    terminals: list[Obj] = []
    subs: list[Obj] = []
    for fleet in plan.fleets:
        assert fleet.profile in profiles
        total = sum(count for _, count in fleet.counts)
        imeis = iter(fleet_imeis(fleet, total, rng))
        for area_name, count in fleet.counts:
            owners = area_by_name(plan, area_name).owners
            for number in range(count):
                imei = next(imeis)
                sub = subscription(plan, len(subs), fleet.profile, imei, op, rng)
                subs.append(sub)
                terminals.append(
                    {
                        "name": f"{fleet.prefix}-{area_name.lower()}-{number + 1:03d}",
                        "description": rng.choice(fleet.descriptions),
                        "type": fleet.type,
                        "imei": imei,
                        "supi": sub["supi"],
                        "owner": owners[number % len(owners)],
                        "expected_area": area_name,
                        "application": fleet.application,
                    }
                )
    return terminals, subs


# --------------------------------------------------------------------------- assembly


def build_network(plan: NetworkPlan) -> dict[str, Any]:
    """Every section of the site file, in the order of openipn.model.kinds.KINDS."""
    rng = random.Random(plan.seed)
    site, snpn = build_site(plan, rng)
    gnbs, gnb_elements, gnb_functions, cells = build_radio(plan, rng, snpn["nid"])
    core_elements, core_functions = build_core(plan, rng)
    upf_elements, upfs = build_upfs(plan, rng)
    edge_elements, edges = build_edges(plan, rng)
    transport_elements, transport_nodes = build_transport_nodes(plan, rng)
    gm_elements, grandmasters = build_grandmaster(plan, rng)
    terminals, subscriptions = build_subscribers(plan, rng)
    sections: dict[str, Any] = {
        "site": site,
        "snpn": snpn,
        "areas": build_areas(plan),
        "permits": build_permits(plan),
        "managed_elements": gnb_elements + core_elements + upf_elements + edge_elements
        + transport_elements + gm_elements,
        "gnbs": gnb_functions,
        "cells": cells,
        "core_functions": core_functions,
        "upfs": upfs,
        "edge_nodes": edges,
        "transport_nodes": transport_nodes,
        "ptp_grandmasters": grandmasters,
        "links": ring_links(plan) + access_links(plan, gnbs) + data_room_links(plan),
        "slices": build_slices(plan),
        "applications": build_applications(plan),
        "sim_profiles": build_profiles(plan),
        "terminals": terminals,
        "subscriptions": subscriptions,
    }  # fmt: skip
    document: dict[str, Any] = {"format": FORMAT}
    document.update((spec.section, sections[spec.section]) for spec in KINDS)
    return document


def header(plan: NetworkPlan) -> str:
    """The comment block at the top of a generated file."""
    return (
        f"# OpenIPN example site file: {plan.title}.\n"
        f"# Generated by examples/generate.py (seed {plan.seed}). Do not edit by hand:\n"
        "# change the generator and run `.venv/bin/python examples/generate.py`.\n"
        "#\n"
        "# The k, op and opc values below are EXAMPLE TEST CREDENTIALS drawn from a fixed\n"
        "# random seed. They are not real SIM keys; never provision them on real SIMs.\n"
    )


def render(plan: NetworkPlan) -> str:
    """The whole site file as text."""
    body = yaml.safe_dump(build_network(plan), sort_keys=False, allow_unicode=True, width=100)
    return header(plan) + body


PLANS = (plant_plan, small_plan)
MAX_ROUNDS = 12
HOTSPOT_MARGIN_M = 2.0  # a capacity gNB stands at least this far inside its area's walls


def area_at(plan: NetworkPlan, xy: Point2, default: str) -> AreaPlan:
    """The radio area containing a point, else the default area."""
    for area in plan.areas:
        x0, y0, x1, y1 = area.box
        if area.tac and x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1:
            return area
    return area_by_name(plan, default)


def add_capacity(plan: NetworkPlan, spots: Sequence[tuple[str, Point2]]) -> NetworkPlan:
    """A two-sector gNB at each hotspot, in the area that contains it (next free name)."""
    added: dict[str, list[Point2]] = {}
    for cell_area, xy in spots:
        area = area_at(plan, xy, cell_area)
        x0, y0, x1, y1 = area.box
        m = HOTSPOT_MARGIN_M
        site = (round(min(max(xy[0], x0 + m), x1 - m)), round(min(max(xy[1], y0 + m), y1 - m)))
        added.setdefault(area.name, []).append((float(site[0]), float(site[1])))
    areas = tuple(
        replace(area, capacity_sites=area.capacity_sites + tuple(added.get(area.name, ())))
        for area in plan.areas
    )
    return replace(plan, areas=areas)


def capacity_plan(plan: NetworkPlan) -> tuple[NetworkPlan, Prediction]:
    """Add gNBs where the twin's models predict busy cells, until every cell is below target."""
    for _ in range(MAX_ROUNDS):
        prediction = predict(render(plan))
        spots = prediction.hotspots()
        if not spots:
            break
        plan = add_capacity(plan, spots)
    else:
        raise SystemExit(f"{plan.file_name}: cells still above target after {MAX_ROUNDS} rounds")
    if np.any(prediction.upf > UPF_LIMIT):
        raise SystemExit(f"{plan.file_name}: a UPF is above {100 * UPF_LIMIT:.0f} %")
    return plan, prediction


POWER_STEP_DB = 2.0
POWER_RANGE_DBM = (10.0, 30.0)  # per-cell transmit power the planner may choose
COVERAGE_TARGET = 0.99  # share of an area's 2 m grid with RSRP and SINR above the minima


def _with_power(plan: NetworkPlan, name: str, dbm: float) -> NetworkPlan:
    areas = tuple(replace(a, tx_power_dbm=dbm) if a.name == name else a for a in plan.areas)
    return replace(plan, areas=areas)


def _holds(prediction: Prediction) -> bool:
    """No cell too busy, every terminal within its SLA, every area covered (loaded network)."""
    covered = all(min(c) >= COVERAGE_TARGET for c in prediction.coverage.values())
    return covered and not prediction.hotspots()


def _area_power(
    plan: NetworkPlan, prediction: Prediction, name: str, step: float
) -> tuple[NetworkPlan, Prediction]:
    """Move one area's power by `step` while the plan holds (lowering) or coverage grows."""
    low, high = POWER_RANGE_DBM
    while low <= area_by_name(plan, name).tx_power_dbm + step <= high:
        trial = _with_power(plan, name, area_by_name(plan, name).tx_power_dbm + step)
        found = predict(render(trial))
        better = min(found.coverage[name]) > min(prediction.coverage[name])
        if not (_holds(found) if step < 0 else better):
            break
        plan, prediction = trial, found
    return plan, prediction


def power_plan(plan: NetworkPlan, prediction: Prediction) -> tuple[NetworkPlan, Prediction]:
    """Each radio area's transmit power set with the twin's models, 2 dB at a time.

    An area short of coverage gets more power while that helps; otherwise its power comes down
    while the whole plan still holds (capacity, every terminal's SLA, coverage of every area,
    on the loaded network, `capacity.predict`): power beyond that only interferes.
    """
    for name in [a.name for a in plan.areas if a.tac and a.name in prediction.coverage]:
        short = min(prediction.coverage[name]) < COVERAGE_TARGET
        plan, prediction = _area_power(
            plan, prediction, name, POWER_STEP_DB if short else -POWER_STEP_DB
        )
    return plan, prediction


def generate(out_dir: Path, report: list[str] | None = None) -> list[Path]:
    """Write every example site file into out_dir; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for make_plan in PLANS:
        plan, prediction = power_plan(*capacity_plan(make_plan()))
        if report is not None:
            report.extend(summary(plan.title, prediction))
        path = out_dir / plan.file_name
        path.write_bytes(render(plan).encode("utf-8"))
        written.append(path)
    return written


def main(argv: Sequence[str]) -> int:
    """Command line: optional output directory (default: this script's directory)."""
    out_dir = Path(argv[0]) if argv else EXAMPLES_DIR
    report: list[str] = []
    generate(out_dir, report)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
