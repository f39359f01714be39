"""Vectorised geometry and reproducible per-location randomness."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MIX = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
)


def points_in_polygon(x: FloatArray, y: FloatArray, polygon: FloatArray) -> BoolArray:
    """Ray-casting test for many points against one polygon (edges count as inside enough)."""
    inside = np.zeros(x.shape, dtype=bool)
    count = len(polygon)
    for i in range(count):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % count]
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_at = (x2 - x1) * (y - y1) / (y2 - y1) + x1
        inside ^= crosses & (x < x_at)
    return inside


def sample_in_polygon(rng: np.random.Generator, polygon: FloatArray, count: int) -> FloatArray:
    """`count` points uniformly inside a polygon (rejection sampling in its bounding box)."""
    low, high = polygon.min(axis=0), polygon.max(axis=0)
    found: list[FloatArray] = []
    have = 0
    for _ in range(64):
        batch = rng.uniform(low, high, size=(max(16, 2 * (count - have)), 2))
        keep = batch[points_in_polygon(batch[:, 0], batch[:, 1], polygon)]
        found.append(keep)
        have += len(keep)
        if have >= count:
            break
    points = np.concatenate(found)[:count] if found else np.zeros((0, 2))
    if len(points) < count:  # a degenerate polygon: fall back to its vertices' centre
        fill = np.repeat(polygon.mean(axis=0)[None, :], count - len(points), axis=0)
        points = np.concatenate([points, fill])
    return points


def hash_uniform(salt: int, a: IntArray, b: IntArray, stream: int) -> FloatArray:
    """Uniform [0, 1) values that depend only on (salt, a, b, stream): splitmix64 finaliser.

    Used for quantities that must stay fixed at a place (LOS state, shadow fading per 10 m
    tile and cell) however many steps run, so a parked terminal does not flicker.
    """
    with np.errstate(over="ignore"):
        x = a.astype(np.uint64) * _MIX[0]
        x ^= b.astype(np.uint64) * _MIX[1]
        x ^= np.uint64(salt & 0xFFFFFFFFFFFFFFFF) ^ (np.uint64(stream) * _MIX[2])
        x ^= x >> np.uint64(30)
        x *= _MIX[3]
        x ^= x >> np.uint64(27)
        x *= _MIX[4]
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def hash_normal(salt: int, a: IntArray, b: IntArray, stream: int) -> FloatArray:
    """Standard normal values fixed per (salt, a, b, stream), by the Box-Muller transform."""
    u1 = hash_uniform(salt, a, b, 2 * stream)
    u2 = hash_uniform(salt, a, b, 2 * stream + 1)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def bincount(index: IntArray, weights: FloatArray | None = None, minlength: int = 0) -> FloatArray:
    """np.bincount as float64, with or without weights."""
    return np.bincount(index, weights=weights, minlength=minlength).astype(np.float64)


def wrap_degrees(angle: FloatArray) -> FloatArray:
    """Angles folded into [-180, 180)."""
    return (angle + 180.0) % 360.0 - 180.0
