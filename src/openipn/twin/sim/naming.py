"""DNs of the twin's measured and alarmed objects: the model's one DN builder (`model/dn.py`).

Examples: `ManagedElement=me-gnb-1,GNBDUFunction=1,NRCellDU=3`,
`ManagedElement=me-core-1,AMFFunction=amf-1`, `ManagedElement=me-cs-1,EP_RP=ring-cs-1-cs-2`.
"""

from __future__ import annotations

from openipn.model.dn import (
    CELL_CU,
    CLOCK_CLASS,
    CUCP,
    CUUP,
    DU,
    ME,
    PORT_CLASS,
    join_dn,
    split_dn,
)
from openipn.model.objref import ObjectRef
from openipn.twin.sim.world import World

# The twin's function kinds (entities.kind) -> model kinds; other kinds are core functions.
FUNCTION_KIND = {"upf": "upf", "edge": "edge_node", "ptp": "ptp_grandmaster"}


def element_ldn(world: World, element: int) -> str:
    """The managed element's DN."""
    return world.dns.element_dn(world.elements.names[element])


def du_ldn(world: World, gnb: int) -> str:
    """The gNB's DU function."""
    return world.dns.gnb_function_dn(world.gnbs.names[gnb], DU)


def cucp_ldn(world: World, gnb: int) -> str:
    """The gNB's CU-CP function."""
    return world.dns.gnb_function_dn(world.gnbs.names[gnb], CUCP)


def cuup_ldn(world: World, gnb: int) -> str:
    """The gNB's CU-UP function."""
    return world.dns.gnb_function_dn(world.gnbs.names[gnb], CUUP)


def cell_du_ldn(world: World, cell: int) -> str:
    """`...,GNBDUFunction=n,NRCellDU=<cellLocalId>`."""
    return world.dns.cell_dn(world.cells.names[cell])


def cell_cu_ldn(world: World, cell: int) -> str:
    """`...,GNBCUCPFunction=n,NRCellCU=<cellLocalId>`."""
    return world.dns.cell_dn(world.cells.names[cell], CELL_CU)


def function_ldn(world: World, kind: str, name: str) -> str:
    """A core function, UPF or edge node (on its element)."""
    dn = world.dns.dn(ObjectRef(FUNCTION_KIND.get(kind, "core_function"), name))
    if dn is None:
        raise KeyError(f"{kind} {name!r} runs on no managed element, so it has no DN")
    return dn


def n3_ldn(world: World, upf: str) -> str:
    """The UPF's N3 end point, where the GTP counters live."""
    dn = world.dns.n3_dn(upf)
    if dn is None:
        raise KeyError(f"UPF {upf!r} runs on no managed element, so it has no DN")
    return dn


def port_ldn(world: World, element: str, link: str) -> str:
    """One end of a transport link on an element."""
    return world.dns.hosted_dn(element, PORT_CLASS, link)


def clock_ldn(world: World, element: str, node: str) -> str:
    """The PTP clock of a grandmaster, bridge or gNB."""
    return world.dns.hosted_dn(element, CLOCK_CLASS, node)


def below_element(dn: str) -> str:
    """The part of a DN below its ManagedElement RDN (`GNBDUFunction=1,NRCellDU=3`)."""
    rdns = split_dn(dn)
    classes = [cls for cls, _ in rdns]
    at = classes.index(ME) if ME in classes else -1
    return join_dn(rdns[at + 1 :])


def configurable_objects(world: World) -> dict[tuple[str, str], str]:
    """(element, DN below it) -> name of every object NETCONF can configure or show."""
    found: dict[tuple[str, str], str] = {}
    for c, cell in enumerate(world.cells.names):
        element = world.elements.names[int(world.gnbs.me[world.cells.gnb[c]])]
        found[(element, below_element(world.dns.cell_dn(cell)))] = cell
    for group, kind in ((world.upfs, "upf"), (world.edges, "edge")):
        for i, name in enumerate(group.names):
            if int(group.me[i]) >= 0:
                found[
                    (
                        world.elements.names[int(group.me[i])],
                        below_element(function_ldn(world, kind, name)),
                    )
                ] = name
    for link, owner in world.dns.owners.items():
        found[(owner, below_element(world.dns.dn(ObjectRef("link", link)) or ""))] = link
    return found
