"""Distinguished names (LDNs) of measured and alarmed objects, TS 28.622 / TS 28.541 style.

Examples: `ManagedElement=me-gnb-1,GNBDUFunction=1,NRCellDU=3`,
`ManagedElement=me-core-1,AMFFunction=amf-1`, `ManagedElement=me-cs-1,EP_RP=ring-cs-1-cs-2`.
"""

from __future__ import annotations

from openipn.model.nrm import NF_CLASS
from openipn.twin.sim.world import World

FUNCTION_CLASS = {
    **NF_CLASS,
    "upf": "UPFFunction",
    "edge": "EASFunction",  # TS 28.538 edge application server
}


def element_ldn(world: World, element: int) -> str:
    """`ManagedElement=<name>`."""
    return f"ManagedElement={world.elements.names[element]}"


def _gnb_prefix(world: World, gnb: int) -> str:
    return f"ManagedElement={world.elements.names[world.gnbs.me[gnb]]}"


def du_ldn(world: World, gnb: int) -> str:
    """The gNB's DU function."""
    return f"{_gnb_prefix(world, gnb)},GNBDUFunction={world.gnbs.du_id[gnb]}"


def cucp_ldn(world: World, gnb: int) -> str:
    """The gNB's CU-CP function."""
    return f"{_gnb_prefix(world, gnb)},GNBCUCPFunction={world.gnbs.du_id[gnb]}"


def cuup_ldn(world: World, gnb: int) -> str:
    """The gNB's CU-UP function."""
    return f"{_gnb_prefix(world, gnb)},GNBCUUPFunction={world.gnbs.du_id[gnb]}"


def cell_du_ldn(world: World, cell: int) -> str:
    """`...,GNBDUFunction=n,NRCellDU=<cellLocalId>`."""
    return f"{du_ldn(world, int(world.cells.gnb[cell]))},NRCellDU={world.cells.local_id[cell]}"


def cell_cu_ldn(world: World, cell: int) -> str:
    """`...,GNBCUCPFunction=n,NRCellCU=<cellLocalId>`."""
    return f"{cucp_ldn(world, int(world.cells.gnb[cell]))},NRCellCU={world.cells.local_id[cell]}"


def function_ldn(element: str, kind: str, name: str) -> str:
    """A core function, UPF or edge node on its element."""
    return f"ManagedElement={element},{FUNCTION_CLASS.get(kind, 'ManagedFunction')}={name}"


def n3_ldn(element: str, upf: str) -> str:
    """The UPF's N3 end point, where the GTP counters live."""
    return f"{function_ldn(element, 'upf', upf)},EP_N3=1"


def port_ldn(element: str, link: str) -> str:
    """One end of a transport link on an element."""
    return f"ManagedElement={element},EP_RP={link}"


def clock_ldn(element: str, node: str) -> str:
    """The PTP clock of a grandmaster, bridge or gNB."""
    return f"ManagedElement={element},PtpClock={node}"
