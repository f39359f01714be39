"""Scrape core functions' Prometheus /metrics into the time-series store, in TS 28.552 terms.

Each scrape becomes values over periods, in event time:

- counters are cumulative, the TS 32.401 "CC" method wants the increase over a period: a
  value is stored as the increment over [previous sample time, this sample time); a value
  below the previous one is a counter reset (the process restarted) and the new value is the
  increment; a series' first sample is only remembered (no increment yet), except a series
  that appears after the target's first scrape, whose whole value counts (Open5GS creates
  labelled series on their first event);
- gauges (TS 32.401 "SI", status inspection) are stored at the sample time over the same
  period; a gauge mapped to 28.552 `<base>Mean`/`<base>Max` gets both from the one sample;
- histograms are stored as `<name>Mean` = Δsum / Δcount over the period (buckets are not
  stored; no Open5GS histogram has a 28.552 equivalent, so they are vendor-specific).

The sample time is the sample's own timestamp when it has one (the twin stamps its simulated
time), else the scrape's time. Open5GS names map to 28.552 names through
`openipn.codecs.open5gs_metrics`; labelled metrics are summed into the base measurement and,
where 28.552 has a subcounter (`.SNSSAI`, `.cause`), also stored per label value. Metrics with
no 28.552 equivalent are kept as vendor-specific `VS.<metric name>` (the `VS.` prefix of
vendor-specific measurements, as in the twin's `VS.UpfLoadMean`) unless `keep_unmapped` is off.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import httpx
import numpy as np

from openipn.codecs.open5gs_metrics import to_ts28552
from openipn.codecs.prom_text import Labels, MetricFamily, MetricType, PromTextError, decode
from openipn.collect.prom_targets import ScrapeTarget
from openipn.model.identifiers import Snssai
from openipn.store.telemetry.api import SampleBatch, Source, TelemetryStore

log = logging.getLogger(__name__)

SeriesKey = tuple[str, Labels]
VENDOR_PREFIX = "VS."
# Families whose measured object is contained by the target's function: TS 28.552 §5.4.1
# counts GTP N3 traffic on the EP_N3 end point of the UPF (Open5GS's `fivegs_ep_n3_` prefix).
CONTAINED_OBJECT: dict[str, str] = {"fivegs_ep_n3_": "EP_N3=1"}


def _snssai_qualifier(label: str) -> str:
    """Open5GS prints `1` or `1-000001`; 28.552 files carry SST and SD in hex: `01000001`."""
    sst, _, sd = label.partition("-")
    try:
        return str(Snssai(sst=int(sst), sd=sd or None))
    except ValueError:
        return label


# Sub-counter label -> how its value becomes the 28.552 qualifier after the dot.
QUALIFIERS: dict[str, Callable[[str], str]] = {"snssai": _snssai_qualifier, "cause": str}


@dataclass(frozen=True)
class Reading:
    """The last remembered sample of one series."""

    time_ms: int
    value: float


@dataclass
class TargetState:
    """What the scraper remembers of one target between scrapes."""

    last_ms: int | None = None
    series: dict[SeriesKey, Reading] = field(default_factory=dict)


@dataclass(frozen=True)
class _Mapped:
    """Where one scraped series' contribution goes."""

    obj: str
    names: tuple[str, ...]  # measurement names fed (Mean and Max share a gauge's value)
    qualifier: str | None  # sub-counter qualifier, added after a dot
    role: str  # "value", or "sum"/"count" of a histogram


@dataclass
class Conversion:
    """The values one scrape yields and the state to keep once they are stored."""

    batch: SampleBatch
    state: TargetState
    time_ms: int


def _mapping(target: ScrapeTarget, family: MetricFamily, sample_name: str) -> _Mapped:
    base = family.name
    if family.type is MetricType.COUNTER and to_ts28552(base) is None:
        base = base.removesuffix("_total")  # `--metric-names prometheus` adds the suffix
    obj = target.dn
    for prefix, child in CONTAINED_OBJECT.items():
        if base.startswith(prefix):
            obj = f"{obj},{child}"
    ref = to_ts28552(base)
    if family.type is MetricType.HISTOGRAM:
        role = sample_name.removeprefix(family.name).removeprefix("_")
        return _Mapped(obj, (f"{VENDOR_PREFIX}{base}Mean",), None, role)
    if ref is None:
        return _Mapped(obj, (f"{VENDOR_PREFIX}{base}",), None, "value")
    return _Mapped(obj, ref.measurements, ref.subcounter_label, "value")


def _period(prev_ms: int, now_ms: int) -> tuple[int, int] | None:
    start = prev_ms // 1000
    seconds = now_ms // 1000 - start
    return (start, seconds) if seconds > 0 else None


class _Accumulator:
    """Sums contributions per (object, name, qualifier, period, role)."""

    def __init__(self) -> None:
        self.sums: dict[tuple[str, str, str | None, int, int, str], float] = defaultdict(float)

    def add(self, mapped: _Mapped, labels: Labels, period: tuple[int, int], value: float) -> None:
        qualifier = None
        if mapped.qualifier is not None and mapped.qualifier in labels:
            to_text = QUALIFIERS.get(mapped.qualifier, str)
            qualifier = to_text(labels[mapped.qualifier])
        for name in mapped.names:
            self.sums[(mapped.obj, name, None, *period, mapped.role)] += value
            if qualifier is not None:
                self.sums[(mapped.obj, name, qualifier, *period, mapped.role)] += value

    def rows(self) -> Iterable[tuple[str, str, int, int, float]]:
        """(object, measurement, start, seconds, value); histogram means from sum and count."""
        for (obj, name, qual, start, seconds, role), value in self.sums.items():
            full = name if qual is None else f"{name}.{qual}"
            if role == "value":
                yield obj, full, start, seconds, value
            elif role == "sum":
                count = self.sums.get((obj, name, qual, start, seconds, "count"), 0.0)
                if count > 0:
                    yield obj, full, start, seconds, value / count


def _included(target: ScrapeTarget, keep_unmapped: bool, measurement: str) -> bool:
    if not keep_unmapped and measurement.startswith(VENDOR_PREFIX):
        return False
    return not any(fnmatch.fnmatchcase(measurement, p) for p in target.exclude)


def convert(
    target: ScrapeTarget,
    families: Sequence[MetricFamily],
    state: TargetState,
    scraped_ms: int,
    *,
    keep_unmapped: bool = True,
) -> Conversion:
    """The values of one scrape and the state after it; `state` itself is left unchanged."""
    new = TargetState(state.last_ms, dict(state.series))
    acc = _Accumulator()
    latest: int | None = None
    for family in families:
        if family.type is MetricType.SUMMARY:
            continue  # no Open5GS summaries; quantiles cannot be summed over periods
        for sample in family.samples:
            if sample.name.endswith("_bucket") or not math.isfinite(sample.value):
                continue  # buckets are not stored; NaN/Inf is unknown, never stored (api.py)
            mapped = _mapping(target, family, sample.name)
            now_ms = scraped_ms if sample.timestamp_ms is None else sample.timestamp_ms
            latest = now_ms if latest is None else max(latest, now_ms)
            cumulative = family.type in (MetricType.COUNTER, MetricType.HISTOGRAM)
            _feed(acc, new, state, (sample.name, Labels(sample.labels)), mapped, now_ms,
                  sample.value, cumulative)  # fmt: skip
    new.last_ms = scraped_ms if latest is None else latest
    rows = [r for r in acc.rows() if _included(target, keep_unmapped, r[1])]
    return Conversion(_batch(rows), new, new.last_ms)


def _feed(
    acc: _Accumulator,
    new: TargetState,
    old: TargetState,
    key: SeriesKey,
    mapped: _Mapped,
    now_ms: int,
    value: float,
    cumulative: bool,
) -> None:
    before = old.series.get(key)
    prev_ms = before.time_ms if before is not None else old.last_ms
    if prev_ms is None:  # the target's first scrape: a baseline only
        new.series[key] = Reading(now_ms, value)
        return
    period = _period(prev_ms, now_ms)
    if period is None:
        if now_ms < prev_ms:  # the clock went back (a restarted twin): a new baseline
            new.series[key] = Reading(now_ms, value)
        return  # else the same time as before: nothing new, keep the old reading
    increment = value
    if cumulative and before is not None and value >= before.value:
        increment = value - before.value  # else a drop: a counter reset, the value is new
    acc.add(mapped, key[1], period, increment)
    new.series[key] = Reading(now_ms, value)


def _batch(rows: Sequence[tuple[str, str, int, int, float]]) -> SampleBatch:
    objects: dict[str, int] = {}
    names: dict[str, int] = {}
    columns: list[tuple[int, int, int, int, float]] = []
    for obj, name, start, seconds, value in rows:
        o = objects.setdefault(obj, len(objects))
        m = names.setdefault(name, len(names))
        columns.append((o, m, start, seconds, value))
    o_idx, m_idx, starts, secs, values = zip(*columns, strict=True) if columns else ((),) * 5
    return SampleBatch(
        objects=list(objects),
        object_index=np.array(o_idx, dtype=np.int64),
        measurements=list(names),
        measurement_index=np.array(m_idx, dtype=np.int64),
        starts=np.array(starts, dtype=np.int64),
        seconds=np.array(secs, dtype=np.int64),
        values=np.array(values, dtype=np.float64),
    )


class ScrapeError(RuntimeError):
    """A scrape that got no usable metrics: target down, timeout, HTTP error or bad text."""


def fetch(client: httpx.Client, target: ScrapeTarget) -> list[MetricFamily]:
    """GET the target's /metrics and decode it; ScrapeError says what went wrong."""
    try:
        response = client.get(target.url, timeout=target.timeout_s)
    except httpx.TimeoutException:
        raise ScrapeError(f"timed out after {target.timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise ScrapeError(f"{type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise ScrapeError(f"HTTP {response.status_code}")
    try:
        return decode(response.text)
    except PromTextError as exc:
        raise ScrapeError(f"bad exposition text: {exc}") from None


@dataclass(frozen=True)
class TargetHealth:
    """A target's scrape health, for the platform's own /metrics."""

    name: str
    url: str
    dn: str
    nf_type: str
    up: bool | None  # None before the first scrape
    scrapes: int
    failures: int
    values_stored: int
    last_duration_s: float | None
    last_success: dt.datetime | None
    last_error: str | None


@dataclass
class _Health:
    up: bool | None = None
    scrapes: int = 0
    failures: int = 0
    values_stored: int = 0
    last_duration_s: float | None = None
    last_success: dt.datetime | None = None
    last_error: str | None = None


class PromScraper:
    """Scrapes every target on its own interval (one thread each) and appends to the store."""

    def __init__(
        self,
        targets: Sequence[ScrapeTarget],
        store: TelemetryStore,
        *,
        keep_unmapped: bool = True,
        clock: Callable[[], float] = time.time,
        canonical: Callable[[SampleBatch], SampleBatch] | None = None,
    ) -> None:
        names = [t.name for t in targets]
        if len(set(names)) != len(names):
            raise ValueError(f"target names must be unique: {names}")
        self.targets = tuple(targets)
        self.store = store
        self.keep_unmapped = keep_unmapped
        self.clock = clock
        self.canonical = canonical  # target DNs -> model DNs (unmodelled ones listed)
        self._states = {t.name: TargetState() for t in targets}
        self._health = {t.name: _Health() for t in targets}
        self._lock = threading.Lock()  # health, states and store appends
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def scrape(self, target: ScrapeTarget, client: httpx.Client) -> int:
        """Scrape one target once; returns values stored. Failures are logged, never raised."""
        began = time.monotonic()
        try:
            stored = self._scrape(target, client)
        except Exception as exc:  # any failure (network, text, store) must not stop the worker
            self._failed(target, exc, time.monotonic() - began)
            return 0
        with self._lock:
            health = self._health[target.name]
            if health.up is False:
                log.info("scrape target %s is up again", target.name)
            health.up, health.last_error = True, None
            health.scrapes += 1
            health.values_stored += stored
            health.last_duration_s = time.monotonic() - began
            health.last_success = dt.datetime.now(dt.UTC)
        return stored

    def _scrape(self, target: ScrapeTarget, client: httpx.Client) -> int:
        scraped_ms = int(self.clock() * 1000)
        families = fetch(client, target)
        with self._lock:
            state = self._states[target.name]
            done = convert(target, families, state, scraped_ms, keep_unmapped=self.keep_unmapped)
            if len(done.batch):
                key = f"prometheus:{target.name}:{done.time_ms}"
                when = dt.datetime.fromtimestamp(done.time_ms / 1000, dt.UTC).isoformat()
                batch = self.canonical(done.batch) if self.canonical else done.batch
                self.store.append(
                    batch, source=Source.PROMETHEUS, key=key, name=f"{target.url} @ {when}"
                )
            self._states[target.name] = done.state  # only once the values are stored
        return len(done.batch)

    def _failed(self, target: ScrapeTarget, exc: Exception, duration: float) -> None:
        with self._lock:
            health = self._health[target.name]
            was_up = health.up is not False
            health.up, health.last_error = False, str(exc)
            health.scrapes += 1
            health.failures += 1
            health.last_duration_s = duration
        level = logging.WARNING if was_up else logging.DEBUG  # one warning per outage
        log.log(level, "scrape of %s (%s) failed: %s", target.name, target.url, exc)

    def health(self) -> list[TargetHealth]:
        """A snapshot of every target's health."""
        with self._lock:
            return [
                TargetHealth(t.name, t.url, t.dn, t.nf_type, **vars(self._health[t.name]))
                for t in self.targets
            ]

    def start(self) -> None:
        """Start one scrape thread per target."""
        if self._threads:
            raise RuntimeError("scraper already started")
        self._stop.clear()
        for target in self.targets:
            thread = threading.Thread(
                target=self._loop, args=(target,), name=f"scrape-{target.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _loop(self, target: ScrapeTarget) -> None:
        with httpx.Client(follow_redirects=False) as client:
            while not self._stop.is_set():
                began = time.monotonic()
                self.scrape(target, client)
                self._stop.wait(max(0.0, target.interval_s - (time.monotonic() - began)))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every scrape thread (a scrape in flight finishes first); safe to call twice."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
