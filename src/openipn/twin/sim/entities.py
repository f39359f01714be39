"""The arrays the simulation works on, one dataclass per kind of object."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray


@dataclass
class Named:
    """Names of one kind of object and their positions in the arrays."""

    names: list[str]
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {name: i for i, name in enumerate(self.names)}

    def __len__(self) -> int:
        return len(self.names)


@dataclass
class Areas(Named):
    """Floor areas: polygon, whether the clutter is dense (TR 38.901 InF)."""

    polygons: list[FloatArray] = field(default_factory=list)
    dense: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    kind: list[str] = field(default_factory=list)


@dataclass
class Elements(Named):
    """Managed elements and the model objects each hosts, as (kind, name)."""

    role: list[str] = field(default_factory=list)
    hosted: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass
class Gnbs(Named):
    """gNB functions: hosting element and position."""

    me: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    pos: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))


@dataclass
class Cells(Named):
    """NR cells; `pci`, `tx_dbm`, `tilt`, `cio`, `tac` and `locked` change with configuration."""

    gnb: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    local_id: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    pos: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))
    arfcn: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    freq_ghz: FloatArray = field(default_factory=lambda: np.zeros(0))
    bw_mhz: FloatArray = field(default_factory=lambda: np.zeros(0))
    scs_khz: FloatArray = field(default_factory=lambda: np.zeros(0))
    n_prb: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    pci: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    tac: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    tx_dbm: FloatArray = field(default_factory=lambda: np.zeros(0))
    gain_dbi: FloatArray = field(default_factory=lambda: np.zeros(0))
    azimuth: FloatArray = field(default_factory=lambda: np.zeros(0))
    tilt: FloatArray = field(default_factory=lambda: np.zeros(0))
    cio: FloatArray = field(default_factory=lambda: np.zeros(0))
    locked: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    sector: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    neighbours: IntArray = field(default_factory=lambda: np.zeros((0, 0), np.int64))  # -1 pad
    slices: BoolArray = field(default_factory=lambda: np.zeros((0, 0), bool))


@dataclass
class Slices(Named):
    """Slices: S-NSSAI as TS 28.552 subcounter qualifier and as Open5GS label."""

    snssai: list[str] = field(default_factory=list)  # "01000002"
    label: list[str] = field(default_factory=list)  # "1-000002"


@dataclass
class Functions(Named):
    """Core functions, UPFs, edge nodes, transport nodes or grandmasters with their element."""

    me: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    kind: list[str] = field(default_factory=list)  # AMF/SMF/..., "upf", "edge", switch type


@dataclass
class Apps(Named):
    """Applications: class, slice, edge node, latency budget and nominal bitrates."""

    app_class: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    slice: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    edge: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    budget_ms: FloatArray = field(default_factory=lambda: np.zeros(0))
    ul_mbps: FloatArray = field(default_factory=lambda: np.zeros(0))
    dl_mbps: FloatArray = field(default_factory=lambda: np.zeros(0))
    areas: list[list[int]] = field(default_factory=list)


@dataclass
class Terminals(Named):
    """Terminals with their SIM, application, slice, anchor UPF and starting position."""

    type: list[str] = field(default_factory=list)
    supi: list[str | None] = field(default_factory=list)
    imei: list[str | None] = field(default_factory=list)
    bound_imei: list[str | None] = field(default_factory=list)
    app: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    app_class: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    slice: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    area: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    five_qi: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    upf: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    edge: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    mobile: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    pos: FloatArray = field(default_factory=lambda: np.zeros((0, 3)))
    has_sim: BoolArray = field(default_factory=lambda: np.zeros(0, bool))  # a SUPI: it registers


@dataclass
class Links(Named):
    """Transport links: endpoints, capacity, latency; `locked` changes with configuration."""

    a: list[str] = field(default_factory=list)
    b: list[str] = field(default_factory=list)
    capacity_mbps: FloatArray = field(default_factory=lambda: np.zeros(0))
    latency_us: FloatArray = field(default_factory=lambda: np.zeros(0))
    locked: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
