"""What active faults do to the simulated network at one instant.

The fault catalogue (`faults.py`) turns active faults into one `Impairments` value per step;
the physics (`engine.py` and friends) reads only this value, never the fault list, so every
effect is physical and propagates through the topology the same way a real failure would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SecurityEventType(StrEnum):
    """Security events the twin can stage (their effects show in signalling and traffic)."""

    ROGUE_GNB = "rogue_gnb"
    SIM_CLONE = "sim_clone"
    REGISTRATION_STORM = "registration_storm"
    DATA_EXFILTRATION = "data_exfiltration"
    IMEI_MISMATCH = "imei_mismatch"


@dataclass(frozen=True)
class SecurityEvent:
    """One staged security event with its target (terminal, cell, SUPI ...) and parameters."""

    type: SecurityEventType
    target: str
    params: tuple[tuple[str, float | str], ...] = ()


@dataclass
class Impairments:
    """The physical state that active faults impose; empty means a healthy network.

    Names are model object names (cells, gNBs, links, transport nodes, UPFs, core functions,
    edge nodes, PTP grandmasters, terminals). Propagation (what sits behind a failed switch or
    link) is the engine's job, from the topology graph, not the fault's.
    """

    nodes_down: set[str] = field(default_factory=set)  # gNB, switch, UPF, AMF, edge node ...
    links_down: set[str] = field(default_factory=set)
    cells_out: set[str] = field(default_factory=set)  # not radiating, alarmed by its gNB
    cells_sleeping: set[str] = field(default_factory=set)  # radiating nothing useful, no alarm
    link_load: dict[str, float] = field(default_factory=dict)  # extra utilisation 0..1+
    interference_db: dict[str, float] = field(default_factory=dict)  # cell -> added I (dB)
    upf_load: dict[str, float] = field(default_factory=dict)  # upf -> load factor (>1 overload)
    ptp_lost: set[str] = field(default_factory=set)  # grandmasters lost (holdover drifts)
    load_factor: dict[str, float] = field(default_factory=dict)  # area name or "*" -> traffic x
    pci_override: dict[str, int] = field(default_factory=dict)  # cell -> PCI set by a change
    certificates_expired: set[str] = field(default_factory=set)  # managed elements
    terminals_faulty: set[str] = field(default_factory=set)
    # Switched off by their users (benign): dropped like faulty ones, but they want no service.
    terminals_off: set[str] = field(default_factory=set)
    security: list[SecurityEvent] = field(default_factory=list)

    def empty(self) -> bool:
        """True when nothing is impaired."""
        return not any(vars(self).values())
