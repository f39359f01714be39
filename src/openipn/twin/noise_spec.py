"""A scenario's `noise:` section: the benign events a well-run plant is full of.

Each behaviour listed is on with its rate; a behaviour left out is off. `noise: off` (or `none`,
or no section) turns every one off; `noise: default` (or `on`) turns every one on at the rates
of `DEFAULT_NOISE`. docs/faults.md ("Benign noise") describes what each does on the wire.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RANGE = re.compile(r"^\s*(?P<low>[^.]+?)\s*\.\.\s*(?P<high>[^.]+?)\s*$")
OFF_WORDS = frozenset({"off", "none", "no", "false"})
ON_WORDS = frozenset({"default", "on", "yes", "true"})


def parse_duration(value: object) -> dt.timedelta:
    """The scenario's duration syntax (imported here: scenario.py imports this module)."""
    from openipn.twin.scenario import parse_duration as parse

    return parse(value)


def _pair(value: object) -> tuple[object, object]:
    """'5s..60s', [5, 60] or a single value -> (low, high)."""
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(f"{value!r} is not a range (write low..high)")
        return value[0], value[1]
    if isinstance(value, str) and (match := RANGE.match(value)):
        return match["low"], match["high"]
    return value, value


def _ordered(low: Any, high: Any, what: str) -> None:
    if low > high:
        raise ValueError(f"{what} range {low}..{high} is reversed")


class Spec(BaseModel):
    """Common configuration of every behaviour: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class DurationRange(Spec):
    """A range of durations, drawn uniformly."""

    low: dt.timedelta
    high: dt.timedelta

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        if isinstance(value, dict):
            return value
        low, high = _pair(value)
        return {"low": parse_duration(low), "high": parse_duration(high)}

    @model_validator(mode="after")
    def _check(self) -> DurationRange:
        if self.low <= dt.timedelta(0):
            raise ValueError("durations must be positive")
        _ordered(self.low, self.high, "duration")
        return self


class CountRange(Spec):
    """A range of whole numbers, drawn uniformly (both ends included)."""

    low: int = Field(ge=1)
    high: int = Field(ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        if isinstance(value, dict):
            return value
        low, high = _pair(value)
        return {"low": low, "high": high}

    @model_validator(mode="after")
    def _check(self) -> CountRange:
        _ordered(self.low, self.high, "count")
        return self


class TransientAlarms(Spec):
    """Equipment alarms (temperature, port errors, CPU load) that clear by themselves."""

    per_hour: float = Field(default=2.0, gt=0, le=3600)
    clear_after: DurationRange = Field(
        default_factory=lambda: DurationRange.model_validate("5s..60s")
    )


class FlappingPort(Spec):
    """A redundant transport port that goes down and up a few times in a row."""

    per_day: float = Field(default=2.0, gt=0, le=1440)
    flaps: CountRange = Field(default_factory=lambda: CountRange.model_validate("2..5"))


class LatePmFiles(Spec):
    """PM files written and announced minutes after their period ended."""

    probability: float = Field(default=0.01, gt=0, le=1)
    delay: DurationRange = Field(default_factory=lambda: DurationRange.model_validate("2m..10m"))


class Probability(Spec):
    """Per element and period: the chance that this happens."""

    probability: float = Field(gt=0, le=1)


class ClockSkew(Spec):
    """Elements whose clock is off by a few milliseconds (their VES event times show it)."""

    elements: int = Field(default=1, ge=1, le=1000)
    max_ms: float = Field(default=50.0, gt=0, le=60_000)


class PlannedChanges(Spec):
    """Harmless configuration changes by people, announced as configuration-change notices."""

    per_day: float = Field(default=2.0, gt=0, le=1440)


class ShiftEndPowerOff(Spec):
    """A share of the shift-bound terminals switched off between shifts."""

    share: float = Field(default=0.1, gt=0, le=1)


class MaintenanceWindow(Spec):
    """A declared window during which a person takes the target out of service."""

    target: str
    at: dt.timedelta
    duration: dt.timedelta

    @field_validator("at", "duration", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        return parse_duration(value)

    @model_validator(mode="after")
    def _check(self) -> MaintenanceWindow:
        if self.at < dt.timedelta(0) or self.duration <= dt.timedelta(0):
            raise ValueError("a maintenance window needs at >= 0 and a positive duration")
        if ":" not in self.target:
            raise ValueError(f"{self.target!r} is not KIND:NAME (e.g. gnb:gnb-ws1-01)")
        return self


class Noise(Spec):
    """The benign behaviours of a run; each is off unless given."""

    transient_alarms: TransientAlarms | None = None
    flapping_port: FlappingPort | None = None
    late_pm_files: LatePmFiles | None = None
    duplicate_pm_files: Probability | None = None
    missing_pm_file: Probability | None = None
    clock_skew: ClockSkew | None = None
    planned_changes: PlannedChanges | None = None
    shift_end_power_off: ShiftEndPowerOff | None = None
    maintenance_windows: list[MaintenanceWindow] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        if value is None or value is False:
            return {}
        if value is True:
            return dict(DEFAULT_NOISE)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in OFF_WORDS:
                return {}
            if word in ON_WORDS:
                return dict(DEFAULT_NOISE)
            raise ValueError(f"{value!r}: write off, default, or a mapping of behaviours")
        return value

    def enabled(self) -> bool:
        """True when any behaviour is on."""
        return any(getattr(self, name) for name in type(self).model_fields)


DEFAULT_NOISE: dict[str, Any] = {
    "transient_alarms": {"per_hour": 2, "clear_after": "5s..60s"},
    "flapping_port": {"per_day": 2, "flaps": "2..5"},
    "late_pm_files": {"probability": 0.01, "delay": "2m..10m"},
    "duplicate_pm_files": {"probability": 0.005},
    "missing_pm_file": {"probability": 0.002},
    "clock_skew": {"elements": 1, "max_ms": 50},
    "planned_changes": {"per_day": 2},
    "shift_end_power_off": {"share": 0.1},
}
