"""`openipn twin`: one process that runs the simulation and speaks the device-side protocols.

Per simulated step: the scenario's active faults become impairments, the simulation advances,
alarm transitions go out as VES fault events, live elements send heartbeats, and at the end of
every granularity period each reachable element writes its TS 32.435 file (atomically) and
announces it with a VES FileReady notification. Core functions serve /metrics, elements accept
NETCONF, the core accepts subscriber provisioning, and the truth file records every fault.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openipn.codecs import ves
from openipn.codecs.netconf_xml import Change
from openipn.codecs.prom_text import MetricFamily
from openipn.codecs.ts32435_pm import encode_meas_collec
from openipn.model.core import CoreFunction, Upf
from openipn.model.dn import CELL_DU, EDGE_CLASS, PORT_CLASS, UPF_CLASS
from openipn.model.document import SiteDocument
from openipn.model.radio import ManagedElement
from openipn.twin import adapters
from openipn.twin.credentials import TWIN_NETCONF_PASSWORD, TWIN_NETCONF_USER
from openipn.twin.emit.http_thread import ServerThread
from openipn.twin.emit.metrics_server import MetricsServers, stamped
from openipn.twin.emit.pm_writer import write_atomically
from openipn.twin.emit.provisioning import (
    SubscriberStore,
    create_provisioning_app,
    subscriber_from_site,
)
from openipn.twin.emit.terminal_reports import TerminalReporter, reporter_for
from openipn.twin.emit.ves_poster import BasicAuth, BearerToken, VesPoster
from openipn.twin.netconf.rpc import ElementHooks
from openipn.twin.netconf.server import NetconfSite
from openipn.twin.noise import NoiseRuntime, Wire
from openipn.twin.scenario import Scenario, active_faults
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.faults import impairments_at, validate_schedule
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.naming import below_element
from openipn.twin.truth import TruthWriter

log = logging.getLogger(__name__)
VENDOR = "OpenIPN twin"
METRICS_NF_TYPES = {"AMF", "SMF", "PCF", "UPF"}
SIM_TO_YANG_LEAF = {"pci": "nRPCI", "tac": "nRTAC", "tx_power_dbm": "txPower"}
# YANG class -> the objects of that class a fault has taken down (operationalState DISABLED)
FAILED_BY_CLASS: dict[str, Callable[[Impairments], set[str]]] = {
    CELL_DU: lambda imp: imp.cells_out,
    UPF_CLASS: lambda imp: imp.nodes_down,
    EDGE_CLASS: lambda imp: imp.nodes_down,
    PORT_CLASS: lambda imp: imp.links_down,
}


class NfDownError(RuntimeError):
    """A scrape of a core function that is down."""


@dataclass(frozen=True)
class TwinOptions:
    """Where the twin sends and serves things."""

    pm_dir: Path
    ves_url: str | None = None
    ves_auth: BasicAuth | BearerToken | None = None
    truth: Path | None = None
    step_s: float = 10.0
    heartbeat_s: float = 60.0
    netconf: bool = True
    netconf_user: str = TWIN_NETCONF_USER
    netconf_password: str = TWIN_NETCONF_PASSWORD
    metrics: bool = True
    provisioning_port: int | None = 0  # None: no provisioning API
    provisioning_user: str = "admin"
    provisioning_password: str = "free5gc"
    provision_from_site: bool = True
    metric_names: adapters.MetricNames = adapters.MetricNames.OPEN5GS
    terminal_report_s: float | None = 60.0  # simulated seconds; None: no terminal reports
    terminal_report_source: str = "terminal-monitor"
    follow_clock: bool = False  # never run ahead of the wall clock (live runs: catch up, then 1x)


@dataclass
class RunSummary:
    """What a run did, for the console and for tests."""

    steps: int = 0
    pm_files: int = 0
    events: int = 0
    alarms: int = 0
    simulated_seconds: float = 0.0
    wall_seconds: float = 0.0
    endpoints: dict[str, Any] = field(default_factory=dict)


class Twin:
    """The running twin: simulation plus its device-side servers."""

    def __init__(self, document: SiteDocument, scenario: Scenario, options: TwinOptions) -> None:
        self.document = document
        self.scenario = scenario
        self.options = options
        self.lock = threading.RLock()
        self.sim = Simulation(
            document,
            seed=scenario.seed,
            start=scenario.start,
            step_s=options.step_s,
            load_scale=scenario.load.scale,
            load_profile=scenario.load.profile,
        )
        validate_schedule(scenario.faults, scenario.duration, self.sim.world)  # now, not mid-run
        wire = Wire(self._emit, self._source, self._next, self._emit_changes, self._deliver)
        self.noise = NoiseRuntime(scenario, self.sim, wire)  # checks its maintenance windows
        self.elements = {
            e.name: e for e in document.objects("managed_elements") if isinstance(e, ManagedElement)
        }
        self.sequence = 0
        self.summary = RunSummary()
        self.poster = (
            VesPoster(
                options.ves_url,
                auth=options.ves_auth,
                batch_size=100,
                max_buffer=100_000,
                linger_s=0.05,
            )
            if options.ves_url
            else None
        )
        self.store = SubscriberStore(on_change=self._provisioned)
        self._servers: list[Callable[[], None]] = []
        self._netconf: NetconfSite | None = None
        self._impairments = Impairments()
        self.terminal_reports: TerminalReporter | None = reporter_for(
            self.sim, options.terminal_report_s, options.terminal_report_source, VENDOR
        )

    # --- servers -------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start NETCONF, /metrics and provisioning servers; return their endpoints."""
        if self.options.provision_from_site:
            self._provision_from_site()
        endpoints: dict[str, Any] = {}
        if self.options.netconf:
            endpoints["netconf"] = self._start_netconf()
        if self.options.metrics:
            endpoints["metrics"] = self._start_metrics()
        if self.options.provisioning_port is not None:
            endpoints["provisioning"] = self._start_provisioning()
        self.summary.endpoints = endpoints
        return endpoints

    def _start_netconf(self) -> dict[str, int]:
        hooks = ElementHooks(
            on_commit=self._on_commit,
            check_commit=self._check_commit,
            state=self._operational_state,
        )
        site = NetconfSite.from_site(
            self.document,
            username=self.options.netconf_user,
            password=self.options.netconf_password,
            hooks=hooks,
        )
        ports = site.start()
        self._servers.append(site.stop)
        self._netconf = site
        return ports

    def _start_metrics(self) -> dict[str, int]:
        servers = MetricsServers()
        wanted = {name: (0, self._metrics_callback(name)) for name in self._metrics_nfs()}
        ports = servers.start(wanted) if wanted else {}
        self._servers.append(servers.stop)
        return dict(ports)

    def _start_provisioning(self) -> str:
        app = create_provisioning_app(
            self.store,
            username=self.options.provisioning_user,
            password=self.options.provisioning_password,
        )
        server = ServerThread(app, port=self.options.provisioning_port or 0).start()
        self._servers.append(server.stop)
        return server.url

    def _metrics_nfs(self) -> dict[str, str]:
        nfs: dict[str, str] = {
            f.name: str(f.type.value)
            for f in self.document.objects("core_functions")
            if isinstance(f, CoreFunction) and f.type.value in METRICS_NF_TYPES
        }
        nfs.update({u.name: "UPF" for u in self.document.objects("upfs") if isinstance(u, Upf)})
        return nfs

    def _metrics_callback(self, name: str) -> Callable[[], list[MetricFamily]]:
        nf_type = self._metrics_nfs()[name]

        def families() -> list[MetricFamily]:
            with self.lock:  # computed on scrape, from the simulation's state at this step
                series = self.sim.core_metrics()
                now_ms = int(self.sim.now.timestamp() * 1000)  # simulated time, not wall time
            if name not in series:  # the function is down: its endpoint answers no metrics
                raise NfDownError(f"{name} is not running")
            families = adapters.open5gs_families(nf_type, series[name], self.options.metric_names)
            return stamped(families, now_ms)

        return families

    def _provision_from_site(self) -> None:
        snpn = self.document.singleton("snpn")
        plmn = f"{snpn.plmn.mcc}{snpn.plmn.mnc}" if snpn is not None else "99999"  # type: ignore[attr-defined]
        bodies = [
            subscriber_from_site(sub, plmn_id=plmn, snssais=[])  # type: ignore[arg-type]
            for sub in self.document.objects("subscriptions")
        ]
        self.store.put_many([body for body in bodies if body is not None])

    def _provisioned(self, supis: set[str]) -> None:
        with self.lock:
            self.sim.set_provisioned(supis)

    def _operational_state(self, element: str, cls: str, path: str) -> str | None:
        """X.731 operationalState for NETCONF `get`: DISABLED while a fault takes it down."""
        failed = FAILED_BY_CLASS.get(cls)
        name = self.sim.config.objects.get((element, path))
        if failed is not None and name is not None and name in failed(self._impairments):
            return "DISABLED"
        return None  # follows the administrative state

    def _check_commit(self, element: str, changes: list[Change]) -> None:
        with self.lock:
            self.sim.check_config(element, changes)

    def _on_commit(self, element: str, changes: list[Change]) -> None:
        with self.lock:
            self.sim.apply_config(element, changes)
            self._emit(
                ves.config_change_event(
                    self._source(element),
                    at=self.sim.now,
                    sequence=self._next(),
                    changes={c.path: str(c.new) for c in changes},
                )
            )

    # --- the loop ------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None) -> RunSummary:
        """Run the scenario to its end (or until `stop` is set)."""
        began = time.monotonic()
        truth = TruthWriter(self.options.truth)
        period_start = self.scenario.start
        next_heartbeat = self.scenario.start
        completed = False
        self.noise.begin(truth)
        try:
            while self.sim.now < self.scenario.end and not (stop and stop.is_set()):
                with self.lock:
                    active = active_faults(self.scenario, self.sim.now)
                    truth.observe(active, self.sim.now)
                    faults = impairments_at(active, self.sim.world)
                    self._impairments = self.noise.impairments(faults, self.sim.now)
                    result = self.sim.step(self._impairments)
                    self._emit_alarms(result.alarms)
                    self.noise.after_step(result)
                    self._emit_changes(result.config_changes, result.time)
                    if self.terminal_reports is not None:
                        for event in self.terminal_reports.events(
                            result.terminals, result.time, self._next
                        ):
                            self._emit(event)
                    if self._netconf is not None:
                        self._netconf.refuse_sessions(result.sessions_refused)
                    if result.time >= next_heartbeat:
                        self._heartbeats(result.reachable, result.time)
                        next_heartbeat += dt.timedelta(seconds=self.options.heartbeat_s)
                    if result.time >= period_start + self.scenario.granularity:
                        period_end = period_start + self.scenario.granularity
                        self._write_period(period_start, period_end)
                        period_start = period_end
                self.summary.steps += 1
                self._pace(began)
            completed = self.sim.now >= self.scenario.end
        finally:
            self.noise.finish(None if completed else self.sim.now)
            truth.close(None if completed else self.sim.now)  # cut short: faults end now
        self.summary.simulated_seconds = (self.sim.now - self.scenario.start).total_seconds()
        self.summary.wall_seconds = time.monotonic() - began
        return self.summary

    def _pace(self, began: float) -> None:
        ahead = 0.0
        if self.scenario.speed is not None:
            simulated = (self.sim.now - self.scenario.start).total_seconds()
            ahead = simulated / self.scenario.speed - (time.monotonic() - began)
        if self.options.follow_clock:  # a live twin's event time never lies in the future
            ahead = max(ahead, (self.sim.now - dt.datetime.now(dt.UTC)).total_seconds())
        if ahead > 0:
            time.sleep(ahead)

    def _write_period(self, begin: dt.datetime, end: dt.datetime) -> None:
        report = self.sim.collect_period(end)
        for element, measurements in report.elements.items():
            if not measurements:
                continue  # unreachable or silent: no file, never a made-up one
            me = self.elements.get(element)
            pm = adapters.pm_file(
                element=element,
                measurements=measurements,
                begin=begin,
                end=end,
                vendor=me.vendor if me else VENDOR,
                sw_version=me.software_version if me else None,
                element_dn=self.sim.world.dns.element_dn(element),
                periods=report.periods,
            )
            name = adapters.pm_name(element, begin, end)
            self.noise.pm_file(element, name, encode_meas_collec(pm), begin, end)

    def _deliver(self, element: str, name: str, data: bytes, at: dt.datetime) -> None:
        """Write one PM file and announce it with a VES FileReady notification."""
        uri = write_atomically(self.options.pm_dir, name, data).resolve().as_uri()
        self.summary.pm_files += 1
        ref = ves.PmFile(name=name, location=uri, compression=ves.Compression.NONE)
        source = self._source(element)
        self._emit(ves.file_ready_event(source, at=at, sequence=self._next(), files=[ref]))

    def _emit_alarms(self, alarms: list[Any]) -> None:
        for alarm in alarms:
            self.summary.alarms += 1
            self._emit(adapters.fault_event(alarm, self._source(alarm.source), self._next()))

    def _emit_changes(self, changes: list[Any], at: dt.datetime, user: str | None = None) -> None:
        """Configuration a fault or a person (`user`) pushed is notified like any other change."""
        by_element: dict[str, dict[str, str]] = {}
        for change in changes:
            leaf = SIM_TO_YANG_LEAF.get(change.attribute, change.attribute)
            dn = self.sim.world.dns.cell_dn(change.object)
            if self._netconf is not None:
                self._netconf.set_local(change.element, below_element(dn), leaf, change.new)
            by_element.setdefault(change.element, {})[f"{dn}/attributes/{leaf}"] = str(change.new)
        for element, paths in by_element.items():
            self._emit(
                ves.config_change_event(
                    self._source(element), at=at, sequence=self._next(), changes=paths, user=user
                )
            )

    def _heartbeats(self, reachable: set[str], at: dt.datetime) -> None:
        for element in sorted(reachable):
            self._emit(
                ves.heartbeat_event(
                    self._source(element),
                    at=at,
                    sequence=self._next(),
                    interval_s=int(self.options.heartbeat_s),
                )
            )

    def _emit(self, event: dict[str, Any]) -> None:
        event = self.noise.skew(event)  # an element whose clock is off stamps its events so
        self.summary.events += 1
        if self.poster is not None:
            self.poster.post(event)

    def _next(self) -> int:
        self.sequence += 1
        return self.sequence

    def _source(self, element: str) -> ves.EventSource:
        me = self.elements.get(element)
        name = (me.management.ves_source_name if me else None) or element
        nf_type = me.role.value if me else "other"
        return ves.EventSource(
            name=name, nf_type=nf_type, reporting_entity=element, vendor=me.vendor if me else VENDOR
        )

    def close(self, timeout: float = 10.0) -> None:
        """Flush events and stop every server."""
        if self.poster is not None:
            self.poster.flush(timeout)
            self.poster.close(timeout)
        for stop in reversed(self._servers):
            try:
                stop()
            except Exception:  # best effort at shutdown: log and go on
                log.exception("stopping a twin server failed")
        self._servers.clear()
