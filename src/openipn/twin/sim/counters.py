"""Accumulation of per-step samples into per-period sums, maxima and last values."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from openipn.twin.sim.geometry import FloatArray


@dataclass
class Accumulator:
    """Named arrays summed (or max'ed, or overwritten) step by step until the period closes."""

    sums: dict[str, FloatArray] = field(default_factory=dict)
    maxima: dict[str, FloatArray] = field(default_factory=dict)
    last: dict[str, FloatArray] = field(default_factory=dict)
    steps: int = 0

    def add(
        self,
        sums: dict[str, FloatArray],
        maxima: dict[str, FloatArray] | None = None,
        last: dict[str, FloatArray] | None = None,
    ) -> None:
        """Fold one step in."""
        for name, raw in sums.items():
            value = np.asarray(raw, dtype=np.float64)
            held = self.sums.get(name)
            self.sums[name] = value.copy() if held is None else held + value
        for name, raw in (maxima or {}).items():
            value = np.asarray(raw, dtype=np.float64)
            held = self.maxima.get(name)
            self.maxima[name] = value.copy() if held is None else np.maximum(held, value)
        for name, value in (last or {}).items():
            self.last[name] = np.asarray(value, dtype=np.float64).copy()
        self.steps += 1

    def sum(self, name: str, shape: tuple[int, ...]) -> FloatArray:
        """The summed array (zeros when nothing was added)."""
        return self.sums.get(name, np.zeros(shape))

    def max(self, name: str, shape: tuple[int, ...]) -> FloatArray:
        """The maximum array (zeros when nothing was added)."""
        return self.maxima.get(name, np.zeros(shape))

    def latest(self, name: str, shape: tuple[int, ...]) -> FloatArray:
        """The last value (zeros when nothing was added)."""
        return self.last.get(name, np.zeros(shape))


def mean(total: FloatArray, count: FloatArray) -> list[float | None]:
    """Element-wise total / count, None where the count is zero (value not known)."""
    return [
        None if n <= 0 else float(t / n)
        for t, n in zip(total.tolist(), count.tolist(), strict=True)
    ]
