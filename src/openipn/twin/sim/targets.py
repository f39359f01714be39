"""Fault targets: `kind:name` strings as in scenario files, resolved against the world."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openipn.model.core import CoreFunctionType
from openipn.model.objref import ObjectRefError, canonical_kind, required_type
from openipn.twin.sim.geometry import IntArray, points_in_polygon
from openipn.twin.sim.world import Named, World


class TargetError(ValueError):
    """A target that does not name an object of the world."""


@dataclass(frozen=True)
class Target:
    """A resolved target: canonical kind and the model object's name."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


def _collection(world: World, kind: str) -> Named | None:
    return {
        "cell": world.cells,
        "gnb": world.gnbs,
        "link": world.links,
        "transport_node": world.transport,
        "upf": world.upfs,
        "amf": world.core,
        "core_function": world.core,
        "edge_node": world.edges,
        "ptp_grandmaster": world.grandmasters,
        "area": world.areas,
        "terminal": world.terminals,
        "managed_element": world.elements,
    }.get(kind)


def resolve(world: World, text: str) -> Target:
    """Parse and check `kind:name`; a link may also be named by its ends, `a/b`."""
    kind_text, sep, name = text.partition(":")
    if not sep or not name:
        raise TargetError(f"target {text!r} is not of the form kind:name")
    try:
        kind = canonical_kind(kind_text)  # the model's one table of kind spellings
    except ObjectRefError as exc:
        raise TargetError(f"target {text!r}: {exc}") from None
    nf_type = required_type(text)
    if nf_type is CoreFunctionType.AMF:
        kind = "amf"  # the AMF faults act on the AMF a gNB's N2 reaches
    if kind == "site":
        return Target("site", name)
    if kind == "link" and name not in world.links.index:
        name = _link_by_ends(world, name, text)
    found = _collection(world, kind)
    if found is None or name not in found.index:
        raise TargetError(f"target {text!r}: no {kind} named {name!r}")
    if nf_type is not None and world.core.kind[world.core.index[name]] != nf_type.value:
        raise TargetError(f"target {text!r}: {name!r} is not an {nf_type.value}")
    return Target(kind, name)


def _link_by_ends(world: World, name: str, text: str) -> str:
    a, sep, b = name.partition("/")
    if sep:
        for i, link in enumerate(world.links.names):
            if {world.links.a[i], world.links.b[i]} == {a, b}:
                return link
    raise TargetError(f"target {text!r}: no link named {name!r} or between its two ends")


def cells_of(world: World, target: Target) -> IntArray:
    """The cells a target covers: a cell, a gNB's cells, the cells in an area, or all."""
    cells = world.cells
    if target.kind == "cell":
        return np.array([cells.index[target.name]], dtype=np.int64)
    if target.kind == "gnb":
        return np.flatnonzero(cells.gnb == world.gnbs.index[target.name]).astype(np.int64)
    if target.kind == "area":
        polygon = world.areas.polygons[world.areas.index[target.name]]
        return np.flatnonzero(points_in_polygon(cells.pos[:, 0], cells.pos[:, 1], polygon)).astype(
            np.int64
        )
    return np.arange(len(cells), dtype=np.int64)


def element_of(world: World, target: Target) -> str:
    """The managed element a target is or runs on."""
    if target.kind == "managed_element":
        return target.name
    me = -1
    if target.kind == "gnb":
        me = int(world.gnbs.me[world.gnbs.index[target.name]])
    elif target.kind == "cell":
        me = int(world.gnbs.me[world.cells.gnb[world.cells.index[target.name]]])
    else:
        me = world.node_element.get(target.name, -1)
    if me < 0:
        raise TargetError(f"target {target}: it runs on no managed element")
    return world.elements.names[me]
