"""From the simulation's neutral outputs to the wire formats (PM XML, VES, Prometheus)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any, Protocol

from openipn.codecs import ves
from openipn.codecs.open5gs_metrics import MetricValue, families_for, specs_for
from openipn.codecs.prom_text import MetricFamily, MetricType
from openipn.codecs.ts32432_names import pm_file_name
from openipn.codecs.ts32435_pm import FileHeader, ManagedElement, MeasInfo, MeasValue, PmFile
from openipn.model.alarms import EventType, PerceivedSeverity

Value = int | float | None
Measurement = tuple[str, str, dict[str, Value]]  # (measInfoId, measObjLdn, {counter: value})
Series = list[tuple[dict[str, str], float]]


class AlarmLike(Protocol):
    """What the runner needs of a simulated alarm transition."""

    source: str
    object: str
    alarm_condition: str
    specific_problem: str
    event_type: EventType
    probable_cause: str
    time: dt.datetime
    text: str

    @property
    def severity(self) -> PerceivedSeverity:
        """CRITICAL ... WARNING, or CLEARED."""


def pm_file(
    *,
    element: str,
    measurements: Sequence[Measurement],
    begin: dt.datetime,
    end: dt.datetime,
    vendor: str,
    sw_version: str | None,
    element_dn: str,
    periods: Mapping[str, int] | None = None,
) -> PmFile:
    """One element's measurements of one granularity period as a TS 32.435 file.

    `element_dn` is the element's DN from the model's DN builder (`model/dn.py`); `periods`
    gives the measInfos of another job their own granPeriod in seconds (default: the file's).
    """
    local_dn = element_dn
    groups: dict[str, dict[str, dict[str, Value]]] = {}
    for info_id, ldn, counters in measurements:
        groups.setdefault(info_id, {}).setdefault(ldn, {}).update(counters)
    seconds = int((end - begin).total_seconds())
    own = periods or {}
    infos = tuple(
        _meas_info(info_id, rows, end, own.get(info_id, seconds))
        for info_id, rows in groups.items()
    )
    return PmFile(
        header=FileHeader(
            begin_time=begin,
            vendor_name=vendor,
            dn_prefix=None,
            sender_local_dn=local_dn,
        ),
        managed_element=ManagedElement(
            local_dn=local_dn, user_label=element, sw_version=sw_version
        ),
        meas_infos=infos,
        end_time=end,
    )


def _meas_info(
    info_id: str, rows: Mapping[str, Mapping[str, Value]], end: dt.datetime, seconds: int
) -> MeasInfo:
    types: list[str] = []
    for counters in rows.values():
        types.extend(name for name in counters if name not in types)
    values = tuple(
        MeasValue(ldn, tuple(counters.get(name) for name in types))
        for ldn, counters in rows.items()
    )
    return MeasInfo(
        gran_period_s=seconds,
        end_time=end,
        meas_types=tuple(types),
        meas_values=values,
        meas_info_id=info_id,
    )


def pm_name(element: str, begin: dt.datetime, end: dt.datetime) -> str:
    """TS 32.432 type A file name for one element and period (times in UTC)."""
    return pm_file_name(begin, end, element, dt.timedelta(0))


class MetricNames(StrEnum):
    """How counters are named on /metrics."""

    OPEN5GS = "open5gs"  # verbatim, as Open5GS exposes them (promtool lints the missing _total)
    PROMETHEUS = "prometheus"  # counters get the `_total` suffix Prometheus conventions ask for


def with_total_suffix(families: list[MetricFamily]) -> list[MetricFamily]:
    """Counters renamed `<name>_total` (samples too); other families unchanged."""
    renamed = []
    for family in families:
        if family.type is not MetricType.COUNTER or family.name.endswith("_total"):
            renamed.append(family)
            continue
        name = f"{family.name}_total"
        samples = [replace(sample, name=name) for sample in family.samples]
        renamed.append(replace(family, name=name, samples=samples))
    return renamed


def open5gs_families(
    nf_type: str, series: Mapping[str, Series], names: MetricNames = MetricNames.OPEN5GS
) -> list[MetricFamily]:
    """The families an Open5GS function of this type shows, from the simulation's series."""
    specs = {spec.name: spec for spec in specs_for(nf_type)}
    values: dict[str, MetricValue] = {}
    for name, points in series.items():
        spec = specs.get(name)
        if spec is None:
            continue
        if not spec.labels:
            values[name] = sum(value for _, value in points)
        else:
            values[name] = {
                tuple(labels.get(label, "") for label in spec.labels): value
                for labels, value in points
            }
    families = families_for(nf_type, values)
    return with_total_suffix(families) if names is MetricNames.PROMETHEUS else families


def fault_event(alarm: AlarmLike, source: ves.EventSource, sequence: int) -> dict[str, Any]:
    """A VES fault event (raise or clear) for a simulated alarm transition."""
    spec = ves.Alarm(
        condition=alarm.alarm_condition,
        specific_problem=alarm.specific_problem,
        event_type=alarm.event_type,
        probable_cause=alarm.probable_cause,
        additional=(("objectInstance", alarm.object), ("additionalText", alarm.text)),
    )
    return ves.fault_event(source, spec, alarm.severity, at=alarm.time, sequence=sequence)
