"""Configuration changes (from NETCONF) applied to the running world.

Attribute names are the site model's (`tx_power_dbm`, `pci` ...); the TS 28.541 spellings the
YANG module uses (`administrativeState`, `nRPCI`, `nRTAC` ...) are accepted as aliases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from openipn.model.radio import AdministrativeState
from openipn.twin.sim.naming import below_element, configurable_objects
from openipn.twin.sim.world import World

Value = str | int | float


class ConfigError(ValueError):
    """A change that names an unknown object or attribute, or a value out of range."""


@dataclass(frozen=True)
class ConfigChange:
    """One applied change, for the element's change notification."""

    element: str
    object: str
    attribute: str
    old: Value
    new: Value


class ChangeLike(Protocol):
    """A NETCONF change as the datastore reports it: object DN, changed leaf, new value."""

    @property
    def dn(self) -> str:
        """`ManagedElement=me,GNBDUFunction=gnb,NRCellDU=cell`."""

    @property
    def attribute(self) -> str | None:
        """The changed leaf (None: a whole object was created or deleted)."""

    @property
    def new(self) -> Any:
        """The new value."""


Changes = Mapping[str, Mapping[str, Value]] | Iterable[ChangeLike]


def normalise(
    changes: Changes, names: Mapping[str, str] | None = None
) -> dict[str, dict[str, Value]]:
    """{object name: {attribute: value}} from either form.

    A NETCONF change names its object by DN; `names` maps the DN below the element (the keys
    are the model's RDN values, e.g. `GNBDUFunction=1,NRCellDU=3`) to the object's name, and a
    DN not in it is taken to end in the object's name.
    """
    if isinstance(changes, Mapping):
        return {obj: dict(attrs) for obj, attrs in changes.items()}
    out: dict[str, dict[str, Value]] = {}
    for change in changes:
        if change.attribute is None or isinstance(change.new, dict) or change.new is None:
            raise ConfigError(f"{change.dn}: only attribute changes can be applied")
        below = below_element(change.dn)
        name = (names or {}).get(below) or below.rsplit(",", 1)[-1].partition("=")[2]
        out.setdefault(name, {})[change.attribute] = change.new
    return out


ALIASES = {
    "administrativeState": "administrative_state",
    "nRPCI": "pci",
    "nrPci": "pci",
    "nRTAC": "tac",
    "nrTac": "tac",
    "configuredMaxTxPower": "tx_power_dbm",
    "txPower": "tx_power_dbm",
    "cellIndividualOffset": "cell_individual_offset_db",
    "tilt": "tilt_deg",
    "antennaTilt": "tilt_deg",
}

CELL_RANGES: dict[str, tuple[float, float, type]] = {
    "tx_power_dbm": (-30.0, 60.0, float),
    "pci": (0, 1007, int),
    "tac": (0, 16_777_215, int),
    "cell_individual_offset_db": (-24.0, 24.0, float),
    "tilt_deg": (-90.0, 90.0, float),
}
CELL_ARRAYS = {
    "tx_power_dbm": "tx_dbm",
    "pci": "pci",
    "tac": "tac",
    "cell_individual_offset_db": "cio",
    "tilt_deg": "tilt",
}
RADIO_SHAPING = frozenset({"tx_power_dbm", "tilt_deg"})  # these change which cells are candidates


def _state(value: Value) -> AdministrativeState:
    try:
        return AdministrativeState(str(value).upper())
    except ValueError:
        allowed = ", ".join(s.value for s in AdministrativeState)
        raise ConfigError(f"administrative_state {value!r} is not one of {allowed}") from None


class Configurator:
    """Applies changes to the world; remembers locked UPFs and edge nodes."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.objects = configurable_objects(world)
        self.locked_nodes: set[str] = set()
        self.radio_changed = False
        self.topology_changed = False
        self.pci_applied: dict[int, tuple[int, int]] = {}  # cell -> (original, pushed) PCI

    def pci_overrides(self, pushed: Mapping[str, int]) -> list[ConfigChange]:
        """A PCI pushed by a (faulty) configuration change, and its reversal when it ends."""
        cells, changes = self.world.cells, []
        for name, pci in sorted(pushed.items()):
            c = cells.index.get(name)
            if c is not None and c not in self.pci_applied:
                self.pci_applied[c] = (int(cells.pci[c]), int(pci))
                changes.append(self._set_pci(c, int(pci)))
        for c, (original, new) in list(self.pci_applied.items()):
            if cells.names[c] not in pushed:
                del self.pci_applied[c]
                if int(cells.pci[c]) == new:
                    changes.append(self._set_pci(c, original))
        return changes

    def _set_pci(self, c: int, pci: int) -> ConfigChange:
        cells = self.world.cells
        element = self.world.elements.names[self.world.gnbs.me[cells.gnb[c]]]
        change = ConfigChange(element, cells.names[c], "pci", int(cells.pci[c]), pci)
        cells.pci[c] = pci
        return change

    def apply(self, element: str, changes: Changes) -> list[ConfigChange]:
        """Apply {object: {attribute: value}} (or NETCONF changes) on an element; all or none."""
        plan = self._plan_all(element, changes)
        for do, _ in plan:
            do()
        return [change for _, change in plan]

    def check(self, element: str, changes: Changes) -> list[ConfigChange]:
        """What `apply` would change, or the ConfigError it would raise; nothing is changed."""
        return [change for _, change in self._plan_all(element, changes)]

    def _plan_all(
        self, element: str, changes: Changes
    ) -> list[tuple[Callable[[], None], ConfigChange]]:
        if element not in self.world.elements.index:
            raise ConfigError(f"no managed element named {element!r}")
        plan: list[tuple[Callable[[], None], ConfigChange]] = []
        names = {dn: name for (el, dn), name in self.objects.items() if el == element}
        for obj, attributes in normalise(changes, names).items():
            for raw, value in attributes.items():
                plan.append(self._plan(element, obj, ALIASES.get(raw, raw), value))
        return plan

    def _plan(
        self, element: str, obj: str, attribute: str, value: Value
    ) -> tuple[Callable[[], None], ConfigChange]:
        world = self.world
        if obj in world.cells.index:
            self._owned(element, obj, int(world.gnbs.me[world.cells.gnb[world.cells.index[obj]]]))
            return self._cell(element, world.cells.index[obj], attribute, value)
        if attribute != "administrative_state":
            raise ConfigError(f"{obj}: attribute {attribute!r} cannot be changed")
        if obj in world.links.index:
            i = world.links.index[obj]
            ends = {
                world.node_element.get(world.links.a[i], -1),
                world.node_element.get(world.links.b[i], -1),
            }
            if world.elements.index[element] not in ends:
                raise ConfigError(f"link {obj!r} does not end on element {element!r}")
            return self._link(element, i, value)
        if obj in world.upfs.index or obj in world.edges.index:
            self._owned(element, obj, world.node_element.get(obj, -1))
            return self._node(element, obj, value)
        raise ConfigError(f"element {element!r} has no configurable object {obj!r}")

    def _owned(self, element: str, obj: str, me: int) -> None:
        if me != self.world.elements.index[element]:
            raise ConfigError(f"{obj!r} is not managed by element {element!r}")

    def _cell(
        self, element: str, c: int, attribute: str, value: Value
    ) -> tuple[Callable[[], None], ConfigChange]:
        cells = self.world.cells
        name = cells.names[c]
        if attribute == "administrative_state":
            new_state = _state(value)
            old = "LOCKED" if cells.locked[c] else "UNLOCKED"

            def lock() -> None:
                cells.locked[c] = new_state == AdministrativeState.LOCKED

            return lock, ConfigChange(element, name, attribute, old, new_state.value)
        if attribute not in CELL_RANGES:
            raise ConfigError(f"{name}: attribute {attribute!r} cannot be changed")
        low, high, kind = CELL_RANGES[attribute]
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}.{attribute}: {value!r} is not a number") from None
        if not low <= number <= high:
            raise ConfigError(f"{name}.{attribute}: {number} is outside {low}..{high}")
        array = getattr(cells, CELL_ARRAYS[attribute])
        old_value = array[c].item()

        def setter() -> None:
            array[c] = number
            if attribute in RADIO_SHAPING:
                self.radio_changed = True

        return setter, ConfigChange(element, name, attribute, old_value, number)

    def _link(self, element: str, i: int, value: Value) -> tuple[Callable[[], None], ConfigChange]:
        links = self.world.links
        new_state = _state(value)
        old = "LOCKED" if links.locked[i] else "UNLOCKED"

        def lock() -> None:
            links.locked[i] = new_state == AdministrativeState.LOCKED
            self.topology_changed = True

        return lock, ConfigChange(
            element, links.names[i], "administrative_state", old, new_state.value
        )

    def _node(
        self, element: str, name: str, value: Value
    ) -> tuple[Callable[[], None], ConfigChange]:
        new_state = _state(value)
        old = "LOCKED" if name in self.locked_nodes else "UNLOCKED"

        def lock() -> None:
            if new_state == AdministrativeState.LOCKED:
                self.locked_nodes.add(name)
            else:
                self.locked_nodes.discard(name)

        return lock, ConfigChange(element, name, "administrative_state", old, new_state.value)
