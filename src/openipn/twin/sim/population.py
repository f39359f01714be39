"""The terminal population: SIM, application, slice, anchor UPF and starting position."""

from __future__ import annotations

import numpy as np

from openipn.model.document import SiteDocument
from openipn.model.services import ApplicationClass
from openipn.model.subscribers import SimProfile, Subscription, Terminal, TerminalType
from openipn.twin.sim.entities import Apps, Areas, Slices, Terminals
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray, sample_in_polygon
from openipn.twin.sim.tables import DEFAULT_CLASS_BY_TYPE, TERMINAL_HEIGHT_M

CLASSES: tuple[ApplicationClass, ...] = tuple(ApplicationClass)
MOBILE_TYPES = frozenset({TerminalType.AGV})


def build_terminals(
    document: SiteDocument,
    rng: np.random.Generator,
    areas: Areas,
    apps: Apps,
    slices: Slices,
    upf_slices: BoolArray,
    edge_upf: IntArray,
) -> Terminals:
    """Every terminal of the site file, placed inside its expected area."""
    items = document.typed("terminals", Terminal)
    subs = {s.supi: s for s in document.typed("subscriptions", Subscription)}
    terminals = Terminals([t.name for t in items])
    terminals.type = [t.type.value for t in items]
    terminals.supi = [t.supi for t in items]
    terminals.has_sim = np.array([s is not None for s in terminals.supi], dtype=bool)
    terminals.imei = [t.imei for t in items]
    terminals.bound_imei = [subs[t.supi].imei if t.supi in subs else None for t in items]
    terminals.app = np.array([apps.index.get(t.application or "", -1) for t in items], np.int64)
    terminals.app_class = np.array(
        [
            int(apps.app_class[a]) if a >= 0 else CLASSES.index(DEFAULT_CLASS_BY_TYPE[t.type])
            for t, a in zip(items, terminals.app.tolist(), strict=True)
        ],
        np.int64,
    )
    terminals.slice, terminals.five_qi = _slices_and_qos(
        document, items, terminals.app, apps, slices
    )
    terminals.edge = np.array(
        [int(apps.edge[a]) if a >= 0 else -1 for a in terminals.app], np.int64
    )
    terminals.upf = np.array(
        [
            _anchor(int(s), int(e), upf_slices, edge_upf)
            for s, e in zip(terminals.slice, terminals.edge, strict=True)
        ],
        np.int64,
    )
    terminals.area = np.array(
        [_home_area(t, a, areas, apps) for t, a in zip(items, terminals.app.tolist(), strict=True)],
        np.int64,
    )
    terminals.mobile = np.array([t.type in MOBILE_TYPES for t in items], dtype=bool)
    terminals.pos = _positions(rng, terminals, areas, [TERMINAL_HEIGHT_M[t.type] for t in items])
    return terminals


def _slices_and_qos(
    document: SiteDocument, items: list[Terminal], app: IntArray, apps: Apps, slices: Slices
) -> tuple[IntArray, IntArray]:
    """Each terminal's slice (its application's, else its SIM profile's) and 5QI."""
    subs = {s.supi: s for s in document.typed("subscriptions", Subscription)}
    profiles = {p.name: p for p in document.typed("sim_profiles", SimProfile)}
    slice_idx, five_qi = [], []
    for t, a in zip(items, app.tolist(), strict=True):
        sub = subs.get(t.supi or "")
        profile = profiles.get(sub.profile or "") if sub else None
        slice_idx.append(int(apps.slice[a]) if a >= 0 else _profile_slice(profile, slices))
        five_qi.append(profile.five_qi if profile else 9)
    return np.array(slice_idx, np.int64), np.array(five_qi, np.int64)


def _profile_slice(profile: SimProfile | None, slices: Slices) -> int:
    if profile is not None:
        for name in profile.slices:
            if name in slices.index:
                return slices.index[name]
    return 0


def _anchor(slice_index: int, edge: int, upf_slices: BoolArray, edge_upf: IntArray) -> int:
    """The UPF that anchors a terminal's sessions: its edge node's UPF if it serves the slice."""
    if upf_slices.size == 0:
        return -1
    if edge >= 0 and edge_upf[edge] >= 0 and upf_slices[edge_upf[edge], slice_index]:
        return int(edge_upf[edge])
    serving = np.flatnonzero(upf_slices[:, slice_index])
    return int(serving[0]) if serving.size else -1


def _home_area(terminal: Terminal, app: int, areas: Areas, apps: Apps) -> int:
    """The expected area, else the application's first area, else the first area."""
    if terminal.expected_area in areas.index:
        return areas.index[terminal.expected_area]
    if app >= 0 and apps.areas[app]:
        return apps.areas[app][0]
    return 0 if len(areas) else -1


def _positions(
    rng: np.random.Generator, terminals: Terminals, areas: Areas, heights: list[float]
) -> FloatArray:
    """A starting position inside each terminal's expected area (origin when it has none)."""
    pos = np.zeros((len(terminals), 3))
    pos[:, 2] = heights
    for area in range(len(areas)):
        members = np.flatnonzero(terminals.area == area)
        if members.size:
            pos[members, :2] = sample_in_polygon(rng, areas.polygons[area], members.size)
    return pos
