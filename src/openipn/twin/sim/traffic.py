"""Traffic demand per application class, following the scenario's load profile over the day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from openipn.model.services import ApplicationClass
from openipn.twin.sim.geometry import BoolArray, FloatArray
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


class LoadProfile(StrEnum):
    """How production activity, and so traffic, varies over the site-local day."""

    TWO_SHIFT = "two_shift"  # 06:00-22:00 in two shifts, a quiet night
    THREE_SHIFT = "three_shift"  # round the clock, changeovers at 06:00, 14:00 and 22:00
    DAY_SHIFT = "day_shift"  # one shift 07:00-16:00 with a lunch break, quiet otherwise
    FLAT = "flat"  # nominal load around the clock


Window = tuple[int, int, float]  # (start minute, end minute, activity) in site-local time


@dataclass(frozen=True)
class ActivityCurve:
    """Activity 0..1 in each window of the day, and outside every window."""

    windows: tuple[Window, ...]
    outside: float


def _hm(hour: int, minute: int = 0) -> int:
    return hour * 60 + minute


# Changeovers and meal breaks dip; nights keep a skeleton crew and the always-on classes.
CURVES: dict[LoadProfile, ActivityCurve] = {
    LoadProfile.TWO_SHIFT: ActivityCurve(
        (
            (_hm(5, 45), _hm(6, 15), 0.6),
            (_hm(6, 15), _hm(11, 30), 1.0),
            (_hm(11, 30), _hm(12), 0.7),
            (_hm(12), _hm(13, 45), 1.0),
            (_hm(13, 45), _hm(14, 15), 0.6),
            (_hm(14, 15), _hm(18), 1.0),
            (_hm(18), _hm(18, 30), 0.7),
            (_hm(18, 30), _hm(21, 45), 1.0),
            (_hm(21, 45), _hm(22, 15), 0.6),
        ),
        0.15,
    ),
    LoadProfile.THREE_SHIFT: ActivityCurve(
        (
            (_hm(5, 45), _hm(6, 15), 0.6),
            (_hm(13, 45), _hm(14, 15), 0.6),
            (_hm(21, 45), _hm(22, 15), 0.6),
            (_hm(2), _hm(2, 30), 0.7),
            (_hm(11, 30), _hm(12), 0.7),
            (_hm(18), _hm(18, 30), 0.7),
        ),
        1.0,
    ),
    LoadProfile.DAY_SHIFT: ActivityCurve(
        (
            (_hm(6, 45), _hm(7, 15), 0.6),
            (_hm(7, 15), _hm(12), 1.0),
            (_hm(12), _hm(12, 45), 0.5),
            (_hm(12, 45), _hm(15, 45), 1.0),
            (_hm(15, 45), _hm(16, 15), 0.6),
        ),
        0.1,
    ),
    LoadProfile.FLAT: ActivityCurve((), 1.0),
}


def shift_activity(local: dt.datetime, profile: LoadProfile = LoadProfile.TWO_SHIFT) -> float:
    """Production activity 0..1 at a site-local time under a load profile."""
    curve = CURVES[profile]
    minute = local.hour * 60 + local.minute
    for start, end, activity in curve.windows:
        if start <= minute < end:
            return activity
    return curve.outside


@dataclass
class Demand:
    """Offered traffic per terminal this step: bit/s and packets/s each way."""

    ul_bps: FloatArray
    dl_bps: FloatArray
    ul_pps: FloatArray
    dl_pps: FloatArray
    bursting: BoolArray = field(default_factory=lambda: np.zeros(0, bool))  # in an on-period

    def add_uplink(self, extra_bps: FloatArray, packet_bytes: float) -> None:
        """Add uplink traffic in whole packets (e.g. a bulk upload); it keeps RRC connected."""
        self.ul_bps = self.ul_bps + extra_bps
        self.ul_pps = self.ul_pps + extra_bps / (8.0 * packet_bytes)
        self.bursting = self.bursting | (extra_bps > 0)


class TrafficModel:
    """Per-terminal demand; the per-terminal rate spread is drawn once at construction."""

    def __init__(
        self,
        world: World,
        rng: np.random.Generator,
        profile: LoadProfile = LoadProfile.TWO_SHIFT,
    ) -> None:
        self.profile = profile
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
        activity = shift_activity(local, self.profile)
        factor = (1.0 - self.weight + self.weight * activity) * load_scale
        factor = factor * self._area_factor(load_factor)
        active = rng.random(len(self.duty)) < self.duty
        on = np.where(active, 1.0, self.idle) * factor
        ul = self.ul_bps * on
        dl = self.dl_bps * on
        ul_pps, dl_pps = ul / (8.0 * self.ul_packet), dl / (8.0 * self.dl_packet)
        return Demand(ul, dl, ul_pps, dl_pps, active & (on > 0))

    def _area_factor(self, load_factor: dict[str, float]) -> FloatArray:
        factor = np.full(len(self.area), load_factor.get("*", 1.0))
        for name, value in load_factor.items():
            if name in self.area_names:
                factor[self.area == self.area_names.index(name)] *= value
        return factor
