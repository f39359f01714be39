"""Traffic demand per application class, following a two-shift day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from openipn.model.services import ApplicationClass
from openipn.twin.sim.geometry import FloatArray
from openipn.twin.sim.world import CLASSES, World


class Pattern(StrEnum):
    """How a class sends: always at its rate, in bursts, or now and then."""

    PERIODIC = "periodic"  # small control packets at a fixed period
    STREAM = "stream"  # continuous video
    BURSTY = "bursty"  # on/off bursts (AR downloads)
    SPORADIC = "sporadic"  # occasional tiny reports


@dataclass(frozen=True)
class TrafficProfile:
    """Traffic of one application class; rates apply when the application gives none."""

    pattern: Pattern
    ul_mbps: float
    dl_mbps: float
    ul_packet_bytes: int
    dl_packet_bytes: int
    duty: float  # share of steps a bursty/sporadic terminal is active
    idle_share: float  # rate while not active, as a share of the active rate
    spread: tuple[float, float]  # per-terminal rate multiplier range, drawn once
    shift_weight: float  # 1: follows the shift pattern fully; 0: runs around the clock
    mean_share: float = 1.0  # mean rate as a share of the application's declared (peak) rate


PROFILES: dict[ApplicationClass, TrafficProfile] = {
    ApplicationClass.AGV_CONTROL: TrafficProfile(
        Pattern.PERIODIC, 2.0, 1.0, 256, 256, 1.0, 1.0, (0.8, 1.0), 1.0, 0.5
    ),
    ApplicationClass.MOTION_CONTROL: TrafficProfile(
        Pattern.PERIODIC, 5.0, 5.0, 100, 100, 1.0, 1.0, (0.95, 1.0), 1.0, 0.3
    ),
    ApplicationClass.MACHINE_VISION_QC: TrafficProfile(
        Pattern.STREAM, 40.0, 2.0, 1400, 200, 1.0, 1.0, (0.25, 1.0), 1.0, 0.6
    ),
    ApplicationClass.AR_MAINTENANCE: TrafficProfile(
        Pattern.BURSTY, 20.0, 50.0, 300, 1400, 0.25, 0.02, (0.5, 1.0), 1.0
    ),
    ApplicationClass.SENSORS: TrafficProfile(
        Pattern.SPORADIC, 0.1, 0.01, 120, 80, 0.3, 0.0, (0.5, 1.0), 0.3
    ),
    ApplicationClass.VIDEO_SURVEILLANCE: TrafficProfile(
        Pattern.STREAM, 6.0, 0.1, 1400, 200, 1.0, 1.0, (0.6, 1.0), 0.0
    ),
}

# Shift pattern in site-local time: (start minute, end minute, activity). Two shifts 06:00-14:00
# and 14:00-22:00, a quiet night; changeovers and meal breaks dip.
SHIFT_WINDOWS: tuple[tuple[int, int, float], ...] = (
    (5 * 60 + 45, 6 * 60 + 15, 0.6),
    (6 * 60 + 15, 11 * 60 + 30, 1.0),
    (11 * 60 + 30, 12 * 60, 0.7),
    (12 * 60, 13 * 60 + 45, 1.0),
    (13 * 60 + 45, 14 * 60 + 15, 0.6),
    (14 * 60 + 15, 18 * 60, 1.0),
    (18 * 60, 18 * 60 + 30, 0.7),
    (18 * 60 + 30, 21 * 60 + 45, 1.0),
    (21 * 60 + 45, 22 * 60 + 15, 0.6),
)
NIGHT_ACTIVITY = 0.15


def shift_activity(local: dt.datetime) -> float:
    """Production activity 0..1 at a site-local time."""
    minute = local.hour * 60 + local.minute
    for start, end, activity in SHIFT_WINDOWS:
        if start <= minute < end:
            return activity
    return NIGHT_ACTIVITY


@dataclass
class Demand:
    """Offered traffic per terminal this step: bit/s and packets/s each way."""

    ul_bps: FloatArray
    dl_bps: FloatArray
    ul_pps: FloatArray
    dl_pps: FloatArray


class TrafficModel:
    """Per-terminal demand; the per-terminal rate spread is drawn once at construction."""

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        terms = world.terminals
        profiles = [PROFILES[CLASSES[c]] for c in terms.app_class.tolist()]
        low = np.array([p.spread[0] for p in profiles])
        high = np.array([p.spread[1] for p in profiles])
        spread = rng.uniform(low, high) if profiles else np.zeros(0)
        app = terms.app
        has_app = app >= 0
        app_ul = np.where(has_app, world.apps.ul_mbps[np.maximum(app, 0)], 0.0) if len(app) else app
        app_dl = np.where(has_app, world.apps.dl_mbps[np.maximum(app, 0)], 0.0) if len(app) else app
        default_ul = np.array([p.ul_mbps for p in profiles])
        default_dl = np.array([p.dl_mbps for p in profiles])
        share = np.array([p.mean_share for p in profiles]) * spread * 1e6
        self.ul_bps = np.where(app_ul > 0, app_ul, default_ul) * share
        self.dl_bps = np.where(app_dl > 0, app_dl, default_dl) * share
        self.ul_packet = np.array([p.ul_packet_bytes for p in profiles], np.float64)
        self.dl_packet = np.array([p.dl_packet_bytes for p in profiles], np.float64)
        self.duty = np.array([p.duty for p in profiles])
        self.idle = np.array([p.idle_share for p in profiles])
        self.weight = np.array([p.shift_weight for p in profiles])
        self.area = terms.area
        self.area_names = world.areas.names

    def demand(
        self,
        local: dt.datetime,
        load_factor: dict[str, float],
        load_scale: float,
        rng: np.random.Generator,
    ) -> Demand:
        """Offered traffic at a site-local time, scaled by per-area surges and the run scale."""
        activity = shift_activity(local)
        factor = (1.0 - self.weight + self.weight * activity) * load_scale
        factor = factor * self._area_factor(load_factor)
        active = rng.random(len(self.duty)) < self.duty
        on = np.where(active, 1.0, self.idle) * factor
        ul = self.ul_bps * on
        dl = self.dl_bps * on
        return Demand(ul, dl, ul / (8.0 * self.ul_packet), dl / (8.0 * self.dl_packet))

    def _area_factor(self, load_factor: dict[str, float]) -> FloatArray:
        factor = np.full(len(self.area), load_factor.get("*", 1.0))
        for name, value in load_factor.items():
            if name in self.area_names:
                factor[self.area == self.area_names.index(name)] *= value
        return factor
