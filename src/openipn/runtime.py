"""What `openipn serve` runs besides the API: collectors, intake, scraping, upkeep.

Composition happens here, once, at start-up: settings → telemetry store → collectors and
handlers → workers. Each worker has start()/stop(); adding one is one line in build_runtime.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from openipn.app import Services
from openipn.assure.kpi_export import KpiExporter
from openipn.collect.events import EventHandler
from openipn.collect.file_ready import FileReadyHandler
from openipn.collect.heartbeats import HeartbeatPolicy
from openipn.collect.platform_metrics import ComponentStats, KpiGauges, MetricsSource, ScrapeHealth
from openipn.collect.pm_intake import FileTally, Outcome, PmIntake
from openipn.collect.pm_source import IntakeLimits
from openipn.collect.pm_watch import PmDirs, PmWatcher
from openipn.collect.prom_scrape import PromScraper
from openipn.collect.prom_targets import load_targets
from openipn.collect.terminals import TerminalStatusHandler
from openipn.collect.ves_collector import (
    VesAuthMode,
    VesCollector,
    VesConfig,
    VesLimits,
    build_ves_collector,
    load_credentials,
)
from openipn.model.site import Site
from openipn.settings import Settings
from openipn.store.inventory import load_state, state_to_document
from openipn.store.telemetry.api import Retention, TelemetryStore
from openipn.store.telemetry.parquet_store import retention_for

log = logging.getLogger(__name__)


class Worker(Protocol):
    """A background activity of `openipn serve`: started after start-up, stopped at shutdown."""

    def start(self) -> None:
        """Begin working (threads, timers)."""
        ...

    def stop(self) -> None:
        """Finish cleanly: flush, save positions, join threads."""
        ...


@dataclass
class Runtime:
    """The background workers of `openipn serve`, and those the API reaches directly."""

    telemetry: TelemetryStore | None = None
    ves: VesCollector | None = None
    workers: list[Worker] = field(default_factory=list)
    metrics: dict[str, MetricsSource] = field(default_factory=dict)

    def start(self) -> None:
        """Start every worker in order; if one fails, stop those already started."""
        started: list[Worker] = []
        try:
            for worker in self.workers:
                worker.start()
                started.append(worker)
        except BaseException:
            self._stop(started)
            raise

    def stop(self) -> None:
        """Stop the workers in reverse order (each one even if another fails).

        The time-series store stays open: the services own it and close it with them.
        """
        self._stop(self.workers)

    @staticmethod
    def _stop(workers: list[Worker]) -> None:
        for worker in reversed(workers):
            try:
                worker.stop()
            except Exception:
                log.exception("stopping %r failed", worker)


class TelemetryUpkeep:
    """Rolls up, compacts and expires the time-series store every `interval_s` seconds."""

    def __init__(self, store: TelemetryStore, services: Services, interval_s: float) -> None:
        self.store = store
        self.services = services
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="telemetry-upkeep", daemon=True)

    def start(self) -> None:
        """Begin the periodic upkeep."""
        self._thread.start()

    def stop(self) -> None:
        """Finish the current round and stop."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=120)

    def run_once(self) -> dict[str, int]:
        """One round, with the site's retention (site.telemetry) or the defaults."""
        return self.store.maintain(dt.datetime.now(dt.UTC), site_retention(self.services))

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                done = self.run_once()
                log.info("telemetry upkeep: %s", done)
            except Exception:  # keep serving; the next round tries again
                log.exception("telemetry upkeep failed")


def site_retention(services: Services) -> Retention:
    """The retention the stored site asks for."""
    with Session(services.engine) as session:
        site = state_to_document(load_state(session, ("site",))).singleton("site")
    return retention_for(site if isinstance(site, Site) else None)


def ves_config(settings: Settings) -> VesConfig:
    """The VES collector's configuration from the settings."""
    credentials = load_credentials(
        VesAuthMode(settings.ves_auth),
        settings.data_dir,
        user=settings.ves_user,
        password=settings.ves_password,
        token=settings.ves_token,
    )
    limits = VesLimits(
        max_backlog_events=settings.ves_max_backlog_events,
        max_backlog_bytes=settings.ves_max_backlog_bytes,
        max_queue_bytes=settings.ves_max_queue_bytes,
    )
    heartbeats = HeartbeatPolicy(
        misses=settings.ves_heartbeat_misses, wall_clock=settings.ves_heartbeat_wall_clock
    )
    return VesConfig(settings.data_dir, credentials, limits, heartbeats)


def pm_dirs(settings: Settings) -> PmDirs:
    """Inbox, done and quarantine directories of PM file intake."""
    return PmDirs.under(settings.data_dir, settings.pm_inbox_dir, settings.pm_quarantine_dir)


def pm_limits(settings: Settings) -> IntakeLimits:
    """Size and clock limits of PM file intake."""
    return IntakeLimits(settings.pm_max_bytes, settings.pm_clock_tolerance_s)


def event_handlers(
    services: Services, store: TelemetryStore, tally: FileTally | None = None
) -> list[EventHandler]:
    """Consumers of the VES journal besides alarms and heartbeats: one line per handler."""
    settings = services.settings
    dirs = pm_dirs(settings)
    allowed = [settings.data_dir / "pm", *settings.pm_file_ready_dirs]
    return [
        FileReadyHandler(
            PmIntake(
                store,
                dirs.quarantine,
                limits=pm_limits(settings),
                identity=services.identity,
                tally=tally,
            ),
            allowed_dirs=allowed,
        ),
        TerminalStatusHandler(services.engine, store),
    ]


def _ves_stats(collector: VesCollector) -> Mapping[str, float]:
    """The collector's positions under the names the dashboard reads."""
    stats = collector.stats()
    return {
        "events_total": float(stats["journaled"]),
        "consumed_total": float(stats["consumed"]),
        "journal_lag": float(stats["backlog_events"]),
        "queue_depth": float(stats["queue_bytes"]),
        "dead_lettered_total": float(stats["dead_lettered"]),
    }


PM_HELP = {
    "files_total": "PM files taken in from the inbox and FileReady notifications",
    "files_duplicate_total": "PM files whose content was already stored",
    "files_quarantined_total": "PM files refused and moved to quarantine",
}


def _pm_stats(tally: FileTally) -> Mapping[str, float]:
    """PM files taken in (inbox and FileReady), and how many of them were duplicates or bad."""
    counts = tally.counts()
    return {
        "files_total": float(sum(counts.values())),
        "files_duplicate_total": float(counts[Outcome.DUPLICATE]),
        "files_quarantined_total": float(counts[Outcome.QUARANTINED]),
    }


def build_runtime(services: Services) -> Runtime:
    """The workers of `openipn serve`, built (not started); one line per worker."""
    settings = services.settings
    store = services.telemetry.store()
    runtime = Runtime(telemetry=store)
    opener = services.telemetry.opener()
    tally = FileTally()
    runtime.metrics["pm"] = ComponentStats("pm", functools.partial(_pm_stats, tally), PM_HELP)
    runtime.workers.append(
        PmWatcher(
            store, pm_dirs(settings), poll_s=settings.pm_poll_s, workers=settings.pm_workers,
            opener=opener, limits=pm_limits(settings), identity=services.identity, tally=tally,
        )
    )  # fmt: skip
    if settings.ves_enabled:
        handlers = event_handlers(services, store, tally)
        runtime.ves = build_ves_collector(
            ves_config(settings), services.engine, handlers, services.identity.canonical_alarms
        )
        runtime.workers.append(runtime.ves)
        runtime.metrics["ves"] = ComponentStats("ves", functools.partial(_ves_stats, runtime.ves))
    if settings.scrape_config is not None:
        canonical = functools.partial(services.identity.canonical_batch, source="prometheus")
        scraper = PromScraper(load_targets(settings.scrape_config), store, canonical=canonical)
        runtime.workers.append(scraper)
        runtime.metrics["scrape"] = ScrapeHealth(scraper.health)
    runtime.workers.append(TelemetryUpkeep(store, services, settings.telemetry_upkeep_s))
    exporter = KpiExporter(store, services.identity.document)
    runtime.metrics["kpi"] = KpiGauges(exporter)
    return runtime
