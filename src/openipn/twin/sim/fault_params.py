"""Fault parameters: the type of each parameter a fault type declares, checked before a run.

A fault type declares every parameter it reads (`ParamSpec`); anything else is refused, and each
value is parsed by its kind (`PARSERS`), so a run never meets a parameter it cannot use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from openipn.twin.sim.world import World

Param = float | str
Params = dict[str, Param]

NR_PCI_MAX = 1007  # TS 38.211 clause 7.4.2.1: N_ID^cell = 3 N_ID^(1) + N_ID^(2), 0..1007
NR_ARFCN_MAX = 3_279_165  # TS 38.104 clause 5.4.2.1: NR-ARFCN 0..3279165
IMEI = re.compile(r"^\d{15}$")  # TS 23.003 clause 6.2.1: TAC, SNR and check digit


class ParamKind(StrEnum):
    """What a fault parameter's value is."""

    NUMBER = "number"
    PCI = "pci"
    ARFCN = "arfcn"
    CELL = "cell"
    IMEI = "imei"


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter: its kind, its default (None: derived from the site) and range."""

    kind: ParamKind
    default: Param | None = None
    low: float = -math.inf
    high: float = math.inf


def number(default: float, low: float = -math.inf, high: float = math.inf) -> ParamSpec:
    """A numeric parameter with a default and an inclusive range."""
    return ParamSpec(ParamKind.NUMBER, default, low, high)


def optional(kind: ParamKind) -> ParamSpec:
    """A parameter the effect derives from the site when the scenario does not give it."""
    return ParamSpec(kind)


def _finite(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a number")
    try:
        result = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(result):
        raise ValueError(f"{value!r} is not a finite number")
    return result


def _integer(value: object, high: int, what: str) -> float:
    result = _finite(value)
    if result != int(result) or not 0 <= result <= high:
        raise ValueError(f"{value!r} is not {what} (an integer 0..{high})")
    return float(int(result))


def _parse_number(value: object, spec: ParamSpec, world: World) -> Param:
    result = _finite(value)
    if not spec.low <= result <= spec.high:
        raise ValueError(f"{value!r} is outside {spec.low:g}..{spec.high:g}")
    return result


def _parse_pci(value: object, spec: ParamSpec, world: World) -> Param:
    return _integer(value, NR_PCI_MAX, "an NR PCI")


def _parse_arfcn(value: object, spec: ParamSpec, world: World) -> Param:
    return _integer(value, NR_ARFCN_MAX, "an NR-ARFCN")


def _parse_cell(value: object, spec: ParamSpec, world: World) -> Param:
    if str(value) not in world.cells.index:
        raise ValueError(f"no cell named {value!r}")
    return str(value)


def _parse_imei(value: object, spec: ParamSpec, world: World) -> Param:
    if not IMEI.match(str(value)):
        raise ValueError(f"{value!r} is not an IMEI (15 digits)")
    return str(value)


PARSERS: Mapping[ParamKind, Callable[[object, ParamSpec, World], Param]] = {
    ParamKind.NUMBER: _parse_number,
    ParamKind.PCI: _parse_pci,
    ParamKind.ARFCN: _parse_arfcn,
    ParamKind.CELL: _parse_cell,
    ParamKind.IMEI: _parse_imei,
}


def parse_params(
    declared: Mapping[str, ParamSpec], given: Mapping[str, object], world: World
) -> Params:
    """Defaults overridden by the given values, each parsed; ValueError naming the parameter."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        accepted = ", ".join(sorted(declared)) or "none"
        raise ValueError(f"unknown parameter(s) {unknown}; accepted: {accepted}")
    params: Params = {k: spec.default for k, spec in declared.items() if spec.default is not None}
    for key, value in given.items():
        spec = declared[key]
        try:
            params[key] = PARSERS[spec.kind](value, spec, world)
        except ValueError as exc:
            raise ValueError(f"parameter {key!r}: {exc}") from None
    return params
