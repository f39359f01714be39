"""Subcounters standing in for a plain counter the equipment does not report.

TS 28.552 names a subcounter as the plain name + `.` + a qualifier (an S-NSSAI, a 5QI, a cause
such as `mo-Data`), and the plain counter is the sum of one family of its subcounters; TS 32.405
cause families also carry a `.sum` subcounter that is the total itself. Equipment that reports
only subcounters must give the same KPIs, so when the plain counter has no value, one family's
subcounters (one level below the plain name) are summed instead, never two families (that would
count every event twice).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Qualifier families, tested in this order (an 8-hex S-NSSAI before a cause word).
FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sum", re.compile(r"sum")),  # TS 32.405 cause families: the total itself
    ("<S-NSSAI>", re.compile(r"[0-9A-Fa-f]{8}|[0-9]{1,3}-[0-9A-Fa-f]{6}")),  # SST+SD
    ("<5QI>", re.compile(r"[0-9]{1,3}")),
    ("*", re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")),  # causes (mo-Data, emergency, ...)
)
# The family used when several are stored: the total, then causes, then 5QIs, then slices.
PREFERENCE = ("sum", "*", "<5QI>", "<S-NSSAI>")


@dataclass(frozen=True)
class Subcounters:
    """The stored subcounters that replace a plain counter, and how to show them."""

    plain: str
    names: tuple[str, ...]
    label: str  # e.g. `RRC.ConnEstabAtt.*`, `DRB.EstabAtt.<5QI>`


def family(qualifier: str) -> str | None:
    """The family label of a qualifier (`*` for causes), None when it is no subcounter."""
    for label, pattern in FAMILIES:
        if pattern.fullmatch(qualifier):
            return label
    return None


def choose(plain: str, stored: Sequence[str]) -> Subcounters | None:
    """One family of one-level subcounters of `plain` among the stored names, if any."""
    prefix = plain + "."
    by_family: dict[str, list[str]] = {}
    for name in stored:
        qualifier = name[len(prefix) :] if name.startswith(prefix) else ""
        label = family(qualifier) if qualifier and "." not in qualifier else None
        if label is not None:
            by_family.setdefault(label, []).append(name)
    for label in PREFERENCE:
        if label in by_family:
            return Subcounters(plain, tuple(sorted(by_family[label])), f"{plain}.{label}")
    return None
