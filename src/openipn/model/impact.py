"""What one link or node failure takes away: control plane, user plane and what depends on them.

Control plane: the gNBs that lose N2 to every AMF. User plane: per UPF, the gNBs whose sessions
can no longer run through it (no N3 path, or the UPF lost its N4 association or failed). From
these follow the slices lost at each gNB (no UPF serving the slice is left), the cells that
lose some or all of their slices, and the applications and terminals served there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from openipn.model.base import point_in_polygon
from openipn.model.core import Upf
from openipn.model.document import SiteDocument
from openipn.model.radio import Cell, Gnb
from openipn.model.reach import Reach, anchor_upf, reach
from openipn.model.services import Application, Slice
from openipn.model.site import Area
from openipn.model.subscribers import SimProfile, Subscription, Terminal
from openipn.model.topology import behind, build_graph, failed_graph, node_kind


@dataclass(frozen=True)
class UserPlaneLoss:
    """One UPF that some gNBs can no longer use, and why."""

    upf: str
    slices: tuple[str, ...]
    dnns: tuple[str, ...]
    gnbs: tuple[str, ...]  # gNBs that used it before the failure and cannot now
    n4_lost: bool  # the UPF itself is out of use (failed, or no SMF holds its N4)


@dataclass(frozen=True)
class Dependent:
    """A cell, slice, application or terminal that loses service, and at which gNBs."""

    name: str
    gnbs: tuple[str, ...]
    slices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Impact:
    """Everything one failure takes away."""

    control_plane: tuple[str, ...]  # gNBs without N2 to any AMF
    user_plane: tuple[UserPlaneLoss, ...]
    slices: tuple[Dependent, ...]
    cells: tuple[Dependent, ...]
    applications: tuple[Dependent, ...]
    terminals: tuple[Dependent, ...]


def _served(doc: SiteDocument, state: Reach, gnb: str, slice_name: str, edge: str | None) -> bool:
    upf = anchor_upf(doc, slice_name, edge)
    if upf is None or not state.user_plane(gnb, upf):
        return False
    return edge is None or edge in state.edges


def _slices_at(doc: SiteDocument, state: Reach, gnb: str, slices: Iterable[str]) -> set[str]:
    """The slices a gNB can carry: some UPF serving the slice is usable from it."""
    usable = {u.name for u in doc.typed("upfs", Upf) if state.user_plane(gnb, u.name)}
    return {
        s for s in slices if any(s in u.slices and u.name in usable for u in doc.typed("upfs", Upf))
    }


def _every_slice(doc: SiteDocument) -> set[str]:
    """A cell that lists no slices carries every slice of the site."""
    return {s.name for s in doc.typed("slices", Slice)}


def _gnb_slices(doc: SiteDocument) -> dict[str, set[str]]:
    every = _every_slice(doc)
    table: dict[str, set[str]] = {g.name: set() for g in doc.typed("gnbs", Gnb)}
    for cell in doc.typed("cells", Cell):
        table.setdefault(cell.gnb, set()).update(cell.slices or every)
    return table


def _area_gnbs(doc: SiteDocument, areas: Iterable[str]) -> set[str]:
    """gNBs in the areas: by their `area`, else by their position inside the polygon."""
    wanted = set(areas)
    polygons = [a.polygon for a in doc.typed("areas", Area) if a.name in wanted]
    found = set()
    for gnb in doc.typed("gnbs", Gnb):
        inside = gnb.position is not None and any(
            point_in_polygon(gnb.position.x, gnb.position.y, p) for p in polygons
        )
        if gnb.area in wanted or inside:
            found.add(gnb.name)
    return found


def _lost(
    doc: SiteDocument, before: Reach, after: Reach, gnbs: Iterable[str], slice_name: str,
    edge: str | None,
) -> tuple[str, ...]:  # fmt: skip
    """gNBs that served a slice (towards an edge node) before the failure and cannot now."""
    return tuple(
        sorted(
            g
            for g in gnbs
            if _served(doc, before, g, slice_name, edge)
            and not _served(doc, after, g, slice_name, edge)
        )
    )


def _user_plane(doc: SiteDocument, before: Reach, after: Reach) -> tuple[UserPlaneLoss, ...]:
    """Per UPF, the gNBs carrying one of its slices that could use it and now cannot."""
    losses = []
    gnb_slices = _gnb_slices(doc)
    for upf in doc.typed("upfs", Upf):
        lost = [
            g
            for g, slices in gnb_slices.items()
            if slices & set(upf.slices)
            and before.user_plane(g, upf.name)
            and not after.user_plane(g, upf.name)
        ]
        if lost:
            n4_lost = upf.name in before.n4 and upf.name not in after.n4
            losses.append(
                UserPlaneLoss(
                    upf.name, tuple(upf.slices), tuple(upf.dnns), tuple(sorted(lost)), n4_lost
                )
            )
    return tuple(losses)


def _slice_losses(
    doc: SiteDocument, before: Reach, after: Reach
) -> tuple[tuple[Dependent, ...], tuple[Dependent, ...]]:
    """Slices lost per gNB, and cells that lose some of their slices."""
    gnb_slices = _gnb_slices(doc)
    lost_at = {
        g: _slices_at(doc, before, g, s) - _slices_at(doc, after, g, s)
        for g, s in gnb_slices.items()
    }
    slices = []
    for s in sorted({s for lost in lost_at.values() for s in lost}):
        slices.append(Dependent(s, tuple(sorted(g for g, lost in lost_at.items() if s in lost))))
    cells = []
    every = _every_slice(doc)
    for cell in doc.typed("cells", Cell):
        gone = lost_at.get(cell.gnb, set()) & set(cell.slices or every)
        if gone:
            cells.append(Dependent(cell.name, (cell.gnb,), tuple(sorted(gone))))
    return tuple(slices), tuple(cells)


def _applications(doc: SiteDocument, before: Reach, after: Reach) -> tuple[Dependent, ...]:
    found = []
    for app in doc.typed("applications", Application):
        lost = _lost(doc, before, after, _app_gnbs(doc, app), app.slice, app.edge_node)
        if lost:
            found.append(Dependent(app.name, lost, (app.slice,)))
    return tuple(found)


def _every_gnb(doc: SiteDocument) -> set[str]:
    return {g.name for g in doc.typed("gnbs", Gnb)}


def _app_gnbs(doc: SiteDocument, app: Application) -> set[str]:
    """The gNBs of the application's areas (every gNB when none is in them)."""
    return _area_gnbs(doc, app.areas) or _every_gnb(doc)


def _profile_slices(doc: SiteDocument) -> dict[str, str]:
    """SUPI -> the first slice of its SIM profile (what a terminal without an application uses)."""
    profiles = {p.name: p.slices for p in doc.typed("sim_profiles", SimProfile)}
    first: dict[str, str] = {}
    for sub in doc.typed("subscriptions", Subscription):
        slices = profiles.get(sub.profile or "")
        if sub.supi and slices:
            first[sub.supi] = slices[0]
    return first


def _terminals(doc: SiteDocument, before: Reach, after: Reach) -> tuple[Dependent, ...]:
    """Terminals that lose service at one of the gNBs of where they work.

    Where a terminal works: its expected area, else its application's areas, else anywhere.
    """
    apps = {a.name: a for a in doc.typed("applications", Application)}
    first_slice = _profile_slices(doc)
    found = []
    for terminal in doc.typed("terminals", Terminal):
        app = apps.get(terminal.application or "")
        slice_name = app.slice if app is not None else first_slice.get(terminal.supi or "")
        if slice_name is None:
            continue
        gnbs = _area_gnbs(doc, [terminal.expected_area]) if terminal.expected_area else set()
        gnbs = gnbs or (_app_gnbs(doc, app) if app is not None else _every_gnb(doc))
        edge = app.edge_node if app is not None else None
        lost = _lost(doc, before, after, gnbs, slice_name, edge)
        if lost:
            found.append(Dependent(terminal.name, lost, (slice_name,)))
    return tuple(found)


def impact(doc: SiteDocument, *, link: str | None = None, node: str | None = None) -> Impact:
    """What the failure of one link or node takes away; KeyError naming an unknown one."""
    before = reach(doc, build_graph(doc))
    after = reach(doc, failed_graph(doc, link, node))
    slices, cells = _slice_losses(doc, before, after)
    applications = _applications(doc, before, after)
    return Impact(
        control_plane=tuple(sorted(before.n2 - after.n2)),
        user_plane=tuple(sorted(_user_plane(doc, before, after), key=lambda u: u.upf)),
        slices=slices,
        cells=_by_name(cells),
        applications=_by_name(applications),
        terminals=_by_name(_terminals(doc, before, after)),
    )


def _by_name(items: tuple[Dependent, ...]) -> tuple[Dependent, ...]:
    """Sorted by name: the answer does not depend on the order objects are stored in."""
    return tuple(sorted(items, key=lambda item: item.name))


def failure_report(
    doc: SiteDocument, *, link: str | None = None, node: str | None = None
) -> dict[str, Any]:
    """The failure, the nodes it cuts off from every AMF, and its impact, as plain data."""
    cut = sorted(behind(doc, link=link, node=node))
    return {
        "link": link,
        "node": node,
        "behind": [{"name": n, "kind": node_kind(n, doc)} for n in cut],
        "count": len(cut),
        **_plain(asdict(impact(doc, link=link, node=node))),
    }


def _plain(value: Any) -> Any:
    """Tuples as lists, all the way down (the report is JSON data)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
