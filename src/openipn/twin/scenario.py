"""Scenario files: what the twin runs, for how long, how fast, and which faults it injects."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from openipn.model.suggest import unknown_field_message
from openipn.twin.noise_spec import Noise
from openipn.twin.sim.traffic import LoadProfile

DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
SIMPLE_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)\s*$")
ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
TARGET = re.compile(r"^(?P<kind>[a-z_]+):(?P<name>.+)$")


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message names the field."""


def parse_duration(value: object) -> dt.timedelta:
    """'90s', '15m', '2h', '1d', 'PT15M' or a number of seconds -> timedelta."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.timedelta(seconds=float(value))
    text = str(value).strip()
    simple = SIMPLE_DURATION.match(text)
    if simple:
        return dt.timedelta(seconds=float(simple[1]) * DURATION_UNITS[simple[2]])
    iso = ISO_DURATION.match(text.upper())
    if iso and any(iso.groupdict().values()):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        return dt.timedelta(
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    raise ValueError(f"{value!r} is not a duration (e.g. 90s, 15m, 2h, 1d or PT15M)")


class Load(BaseModel):
    """Traffic profile and scale (1.0 = the site's nominal load).

    `profile` shapes activity over the site-local day: two_shift (06:00-22:00, quiet night;
    the default), three_shift (round the clock), day_shift (07:00-16:00) or flat (nominal load
    at every hour); any other value is refused when the scenario loads. `scale` multiplies the
    whole curve, 0 < scale <= 100.
    """

    model_config = ConfigDict(extra="forbid")

    profile: LoadProfile = LoadProfile.TWO_SHIFT
    scale: float = Field(default=1.0, gt=0, le=100)


class FaultSpec(BaseModel):
    """One fault: what, where, when (offset from start) and for how long (None = to the end)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    type: str
    target: str
    at: dt.timedelta
    duration: dt.timedelta | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("at", "duration", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        return None if value is None else parse_duration(value)

    @field_validator("at")
    @classmethod
    def _not_before_start(cls, value: dt.timedelta) -> dt.timedelta:
        if value < dt.timedelta(0):
            raise ValueError("a fault cannot start before the run (at must be 0 or more)")
        return value

    @field_validator("duration")
    @classmethod
    def _positive(cls, value: dt.timedelta | None) -> dt.timedelta | None:
        if value is not None and value <= dt.timedelta(0):
            raise ValueError("a fault's duration must be positive (omit it: to the end)")
        return value

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        if not TARGET.match(value):
            raise ValueError(f"{value!r} is not KIND:NAME (e.g. cell:WS1-GNB01-C1)")
        return value

    @property
    def target_kind(self) -> str:
        """The kind part of the target."""
        return value_kind(self.target)

    @property
    def target_name(self) -> str:
        """The name part of the target."""
        return self.target.split(":", 1)[1]


def value_kind(target: str) -> str:
    """The kind of a KIND:NAME target."""
    return target.split(":", 1)[0]


class Scenario(BaseModel):
    """A twin run: site, seed, clock, PM granularity, pace, load and faults."""

    model_config = ConfigDict(extra="forbid")

    name: str = "unnamed"
    site: Path | None = None
    seed: int = 1
    start: dt.datetime = dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)
    duration: dt.timedelta = dt.timedelta(hours=1)
    granularity: dt.timedelta = dt.timedelta(minutes=15)
    speed: float | None = None  # simulated seconds per real second; None = as fast as possible
    load: Load = Field(default_factory=Load)
    faults: list[FaultSpec] = Field(default_factory=list)
    noise: Noise = Field(default_factory=Noise)  # benign events; none unless the scenario asks

    @field_validator("duration", "granularity", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        return parse_duration(value)

    @field_validator("speed", mode="before")
    @classmethod
    def _speed(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and value.strip().lower() == "max"):
            return None
        return value

    @field_validator("start")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("start needs a time zone (write it in UTC, e.g. 2026-01-05T06:00Z)")
        return value.astimezone(dt.UTC)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.granularity.total_seconds() < 10:
            raise ValueError("granularity must be at least 10s")
        if self.speed is not None and self.speed <= 0:
            raise ValueError("speed must be positive or 'max'")
        ids = [fault.id for fault in self.faults]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate fault ids: {', '.join(duplicates)}")
        return self

    @property
    def end(self) -> dt.datetime:
        """Simulated end time."""
        return self.start + self.duration


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file; its `site` is resolved relative to the scenario file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario is a YAML mapping")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {_message(e)}" for e in exc.errors()
        )
        raise ScenarioError(f"{path}: {problems}") from None
    if scenario.site is not None and not scenario.site.is_absolute():
        scenario.site = (path.parent / scenario.site).resolve()
    return scenario


def _message(error: Any) -> str:
    """A validation error's message; an unknown key names the nearest known one."""
    if error["type"] == "extra_forbidden":
        return unknown_field_message(Scenario, error["loc"])
    return str(error["msg"]).removeprefix("Value error, ")


def active_faults(scenario: Scenario, now: dt.datetime) -> list[FaultSpec]:
    """Faults in effect at simulated time `now` (they may overlap)."""
    offset = now - scenario.start
    return [
        fault
        for fault in scenario.faults
        if fault.at <= offset and (fault.duration is None or offset < fault.at + fault.duration)
    ]
