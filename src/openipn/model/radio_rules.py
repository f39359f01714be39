"""Radio rules: NCI uniqueness, PCI collision/confusion, broadcast NIDs and permit compliance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from openipn.model.base import point_in_polygon
from openipn.model.dn import gnb_ids
from openipn.model.document import Issue, SiteDocument
from openipn.model.identifiers import NCI_BITS
from openipn.model.radio import Cell, Gnb
from openipn.model.site import Permit, Snpn


def _cells(doc: SiteDocument) -> list[tuple[int, Cell]]:
    return [(i, c) for i, c in enumerate(doc.objects("cells")) if isinstance(c, Cell)]


def check_cell_ids(doc: SiteDocument) -> Iterable[Issue]:
    """cellLocalId must fit beside the gNB ID in the 36-bit NCI and be unique per gNB."""
    gnbs = {g.name: g for g in doc.objects("gnbs") if isinstance(g, Gnb)}
    seen: dict[tuple[str, int], int] = {}
    for position, cell in _cells(doc):
        gnb = gnbs.get(cell.gnb)
        bits = NCI_BITS - gnb.gnb_id_length if gnb is not None else NCI_BITS
        if cell.cell_local_id >= 1 << bits:
            yield Issue(
                f"{doc.path('cells', position)}.cell_local_id",
                f"{cell.cell_local_id} does not fit in the {bits} bits that gNB {cell.gnb} "
                f"(gnb_id_length {36 - bits}) leaves in the 36-bit NCI (TS 38.300 §8.2)",
            )
        key = (cell.gnb, cell.cell_local_id)
        if key in seen:
            yield Issue(
                f"{doc.path('cells', position)}.cell_local_id",
                f"duplicate cell_local_id {cell.cell_local_id} on gNB {cell.gnb} "
                f"(also {doc.path('cells', seen[key])}); the NCI would collide",
            )
        seen.setdefault(key, position)


def check_gnb_function_ids(doc: SiteDocument) -> Iterable[Issue]:
    """The gNBs of one element need distinct function ids, or their DNs would collide."""
    ids = gnb_ids(doc)
    seen: dict[tuple[str, str, str], str] = {}
    for position, gnb in enumerate(doc.objects("gnbs")):
        if not isinstance(gnb, Gnb) or gnb.name not in ids:
            continue
        for field, cls in (("du", "GNBDUFunction"), ("cucp", "GNBCUCPFunction"),
                           ("cuup", "GNBCUUPFunction")):  # fmt: skip
            key = (gnb.managed_element, cls, getattr(ids[gnb.name], field))
            if key in seen:
                yield Issue(
                    f"{doc.path('gnbs', position)}.{field}_function_id",
                    f"{cls} id {key[2]} on element {gnb.managed_element} is also gNB "
                    f"{seen[key]}'s; give each gNB of an element its own id (TS 28.541)",
                )
                break  # one clash per gNB: the others follow from it
            seen.setdefault(key, gnb.name)


def neighbour_sets(cells: list[tuple[int, Cell]]) -> dict[str, set[str]]:
    """Neighbours of each cell: declared ones (both directions) and cells of the same gNB."""
    result: dict[str, set[str]] = defaultdict(set)
    by_gnb: dict[str, list[str]] = defaultdict(list)
    for _, cell in cells:
        by_gnb[cell.gnb].append(cell.name)
        for other in cell.neighbours:
            result[cell.name].add(other)
            result[other].add(cell.name)
    for names in by_gnb.values():
        for name in names:
            result[name].update(n for n in names if n != name)
    return result


def check_pci(doc: SiteDocument) -> Iterable[Issue]:
    """PCI collision (a neighbour on the same carrier has my PCI) and confusion.

    Confusion: two neighbours of one cell share a PCI on one carrier, so handover targets
    become ambiguous (TS 36.902 §4.1 / TS 38.300 §15.5 describe automatic PCI selection for this).
    """
    cells = _cells(doc)
    by_name = {cell.name: (position, cell) for position, cell in cells}
    neighbours = neighbour_sets(cells)
    for position, cell in cells:
        path = f"{doc.path('cells', position)}.pci"
        seen: dict[tuple[int, int], str] = {}
        for name in sorted(neighbours.get(cell.name, ())):
            if name not in by_name:
                continue
            other = by_name[name][1]
            if other.arfcn_dl != cell.arfcn_dl:
                continue
            if other.pci == cell.pci:
                yield Issue(
                    path, f"PCI {cell.pci} collides with neighbour {name} on ARFCN {cell.arfcn_dl}"
                )
            key = (other.pci, other.arfcn_dl)
            if key in seen and other.pci != cell.pci:
                yield Issue(
                    path,
                    f"PCI confusion: neighbours {seen[key]} and {name} both use PCI {other.pci}",
                )
            seen.setdefault(key, name)


def check_broadcast_nids(doc: SiteDocument) -> Iterable[Issue]:
    """A cell that lists NIDs must broadcast the SNPN's own NID, or no UE can select it."""
    snpn = doc.singleton("snpn")
    if not isinstance(snpn, Snpn):
        return
    for position, cell in _cells(doc):
        if cell.broadcast_nids and snpn.nid not in cell.broadcast_nids:
            yield Issue(
                f"{doc.path('cells', position)}.broadcast_nids",
                f"does not include the SNPN's NID {snpn.nid}",
            )


def _permits(doc: SiteDocument) -> list[Permit]:
    return [p for p in doc.objects("permits") if isinstance(p, Permit)]


def check_permits(doc: SiteDocument) -> Iterable[Issue]:
    """Every cell transmits inside a permitted range, under its EIRP limit and in its area."""
    permits = _permits(doc)
    for position, cell in _cells(doc):
        path = doc.path("cells", position)
        low, high = cell.band_edges_mhz
        covering = [p for p in permits if p.covers(low, high)]
        if not covering:
            yield Issue(
                f"{path}.arfcn_dl",
                f"ARFCN {cell.arfcn_dl} ({low:.3f}-{high:.3f} MHz with {cell.bandwidth_mhz} MHz "
                "channel) is outside every range of the site's frequency permits",
            )
            continue
        yield from _check_permit_limits(path, cell, covering)


def _check_permit_limits(path: str, cell: Cell, covering: list[Permit]) -> Iterable[Issue]:
    limit = max(p.max_eirp_dbm for p in covering)
    if cell.eirp_dbm > limit + 1e-9:
        yield Issue(
            f"{path}.tx_power_dbm",
            f"EIRP {cell.eirp_dbm:g} dBm (power {cell.tx_power_dbm:g} + gain "
            f"{cell.antenna_gain_dbi:g}) exceeds the permit's {limit:g} dBm",
        )
    if cell.position is not None and not any(
        point_in_polygon(cell.position.x, cell.position.y, p.area) for p in covering
    ):
        yield Issue(
            f"{path}.position",
            f"({cell.position.x:g}, {cell.position.y:g}) is outside the permitted area",
        )


def check_carrier_overlap(doc: SiteDocument) -> Iterable[Issue]:
    """Carriers on different ARFCNs whose channels overlap interfere with each other."""
    carriers: dict[int, tuple[float, float, int]] = {}
    for position, cell in _cells(doc):
        carriers.setdefault(cell.arfcn_dl, (*cell.band_edges_mhz, position))
    for position, cell in _cells(doc):
        low, high = cell.band_edges_mhz
        for arfcn, (other_low, other_high, first) in carriers.items():
            if arfcn != cell.arfcn_dl and low < other_high and other_low < high:
                yield Issue(
                    f"{doc.path('cells', position)}.arfcn_dl",
                    f"channel {low:.3f}-{high:.3f} MHz overlaps the carrier of "
                    f"{doc.path('cells', first)} ({other_low:.3f}-{other_high:.3f} MHz)",
                )
                break


RADIO_CHECKS: tuple[Callable[[SiteDocument], Iterable[Issue]], ...] = (
    check_cell_ids,
    check_gnb_function_ids,
    check_pci,
    check_broadcast_nids,
    check_permits,
    check_carrier_overlap,
)
