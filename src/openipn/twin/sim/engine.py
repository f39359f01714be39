"""The simulation engine: one causal step of the whole network, and what it emits.

`Simulation.step(impairments)` advances the simulated clock by `step_s`; the physics reads only
the `Impairments` value (what active faults impose) and the configuration. Counters accumulate
until `collect_period(end)`; `core_metrics()` gives the core's Prometheus view at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from openipn.model.document import SiteDocument
from openipn.model.site import Site
from openipn.model.subscribers import Subscription
from openipn.twin.sim.access import power_on_times
from openipn.twin.sim.alarms import AlarmEvent, AlarmKind, AlarmTracker, Condition
from openipn.twin.sim.clocks import Clocks
from openipn.twin.sim.conditions import PhysicalState, conditions
from openipn.twin.sim.config import Changes, ConfigChange, Configurator
from openipn.twin.sim.core import CoreEvents, CoreState
from openipn.twin.sim.counters import Accumulator
from openipn.twin.sim.geometry import BoolArray, FloatArray
from openipn.twin.sim.impairments import Impairments
from openipn.twin.sim.measure import cell_histograms, measure
from openipn.twin.sim.metrics import CoreMetrics, Gauges, Series
from openipn.twin.sim.mobility import Routes, advance, build_routes
from openipn.twin.sim.naming import cell_du_ldn, function_ldn
from openipn.twin.sim.network import Connectivity, Network, Outage
from openipn.twin.sim.physics import CellFlags, RadioStep, Uplink, cell_flags, radio_step, uplink
from openipn.twin.sim.radio import Tiles, build_tiles, prb_noise_dbm
from openipn.twin.sim.report import PeriodReport, ReportContext, build_report
from openipn.twin.sim.report_radio import RadioJob
from openipn.twin.sim.results import StepResult, TerminalView
from openipn.twin.sim.sampling import (
    StepFacts,
    cell_sums,
    core_gauges,
    core_sums,
    delay_maxima,
    gnb_sums,
    upf_link_sums,
)
from openipn.twin.sim.security import effects
from openipn.twin.sim.service import Service, serve
from openipn.twin.sim.signalling import Signalling, attach_terminals
from openipn.twin.sim.traffic import Demand, LoadProfile, TrafficModel, shift_activity
from openipn.twin.sim.view import terminal_view
from openipn.twin.sim.world import World, build_world

__all__ = ["Simulation", "StepResult", "TerminalView"]

EXFIL_PACKET_BYTES = 1400.0  # bulk uploads fill whole packets
AGV_NIGHT_SHARE = 0.2  # AGVs keep a fifth of their motion outside the shifts
MASKS_CACHED = 8  # terminal sets (faulty, switched off) whose masks are kept
UL_RISE_SMOOTHING_S = 120.0  # the interference measurement is averaged over minutes


def _timezone(document: SiteDocument) -> dt.tzinfo:
    site = document.singleton("site")
    try:
        return ZoneInfo(site.timezone) if isinstance(site, Site) else dt.UTC
    except ZoneInfoNotFoundError:
        return dt.UTC


def _provisioned(document: SiteDocument) -> set[str]:
    return {
        s.supi
        for s in document.objects("subscriptions")
        if isinstance(s, Subscription) and s.has_secrets()
    }


class Simulation:
    """A running twin of the network described by a site document."""

    def __init__(
        self,
        document: SiteDocument,
        *,
        seed: int,
        start: dt.datetime,
        step_s: float = 10.0,
        load_scale: float = 1.0,
        load_profile: LoadProfile = LoadProfile.TWO_SHIFT,
        provisioned: Iterable[str] | None = None,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware (UTC)")
        self.rng = np.random.default_rng(seed)
        self.world: World = build_world(document, self.rng)
        self.routes: Routes = build_routes(self.world, self.rng)
        self.traffic = TrafficModel(self.world, self.rng, load_profile)
        self.core = CoreState.initial(len(self.world.terminals), self.rng)
        self.power_on_s = power_on_times(self.world, self.core.next_reg_s, self.rng)
        self.tiles: Tiles = build_tiles(self.world)
        self.network = Network(self.world)
        self.config = Configurator(self.world)
        self.metrics = CoreMetrics(self.world)
        self.alarm_tracker = AlarmTracker()
        self.acc = Accumulator()
        self.start = self.time = self.period_start = start.astimezone(dt.UTC)
        self.radio_job = RadioJob(len(self.world.cells), self.start)
        self.step_s, self.load_scale, self.elapsed_s = float(step_s), float(load_scale), 0.0
        self.tz = _timezone(document)
        self.provisioned: set[str] = (
            set(provisioned) if provisioned is not None else _provisioned(document)
        )
        self._initial_state()

    def _initial_state(self) -> None:
        """Nobody attached yet, no load, every clock locked."""
        n, n_cells = len(self.world.terminals), len(self.world.cells)
        self.pos = self.world.terminals.pos.copy()
        self.serving = np.full(n, -1, np.int64)
        self.connected = np.zeros(n, bool)
        self.ttt = np.zeros(n, np.int64)
        self.ul_prbs = np.ones(n)
        self.dl_util = np.zeros(n_cells)
        self.upf_load = np.zeros(len(self.world.upfs))
        self.clocks = Clocks(self.world)
        self.ul_rise_db = np.zeros(n_cells)  # smoothed, for the interference threshold alarm
        self.wanted = np.zeros(n, bool)  # who had traffic to send in the last step
        self.conn: Connectivity = self.network.state(Outage(frozenset(), frozenset(), frozenset()))
        self.smf = -1
        self.running = self._running(Impairments(), self.conn)
        self._masks: dict[frozenset[str], BoolArray] = {}

    # -- public API ------------------------------------------------------------------------

    def step(self, impairments: Impairments) -> StepResult:
        """Advance the simulated clock by one step under the given impairments."""
        imp, world = impairments, self.world
        self.elapsed_s += self.step_s
        self.time = self.start + dt.timedelta(seconds=self.elapsed_s)
        local = self.time.astimezone(self.tz)
        changes = self.config.pci_overrides(imp.pci_override)
        if self.config.radio_changed:
            self.tiles, self.config.radio_changed = build_tiles(world), False
        conn = self.conn = self.network.state(self._outage(imp))
        self.running = self._running(imp, conn)
        unsynced = self.clocks.track(conn, imp, self.elapsed_s, self.step_s)
        flags = cell_flags(world, imp, conn, self.dl_util)
        activity = shift_activity(local, self.traffic.profile)
        advance(self.routes, self.pos, self.step_s * max(AGV_NIGHT_SHARE, activity))
        sec = effects(world, imp.security)
        demand = self.traffic.demand(local, imp.load_factor, self.load_scale, self.rng)
        demand.add_uplink(sec.extra_ul_bps, EXFIL_PACKET_BYTES)
        radio = radio_step(world, self.tiles, self.pos, world.terminals.slice, flags, sec.rogues)
        faulty = self._terminal_mask(imp.terminals_faulty | imp.terminals_off)
        attach = attach_terminals(self, radio, flags, faulty, self.step_s, demand)
        self.wanted = self._wanted(imp, demand)
        sig = Signalling(self, conn, flags, sec, radio, faulty).run(attach)
        active = self.connected & self.core.session & ~faulty
        svc, ul = self._carry(imp, conn, flags, radio, demand, active, unsynced)
        step_no = round(self.elapsed_s / self.step_s)
        self.measured = measure(
            world, radio, self.serving, self.connected, flags, self.pos, step_no
        )
        facts = StepFacts(
            self.step_s, flags, conn.gnb_up, *self.running, self.serving,
            self.connected, attach, sig.rrc_att, sig.rrc_succ, sig.drb_att, sig.drb_succ,
            sig.events, self.core, self.smf, demand, active, svc, ul, self.clocks.classes(unsynced),
            unsynced, sig.ng,
        )  # fmt: skip
        self._accumulate(facts, sig.events)
        alarms = self._alarms(imp, conn, flags, ul.interference_mw, svc.upf_load, unsynced)
        reachable = {world.elements.names[i] for i in np.flatnonzero(conn.element_reachable)}
        refused = {e for e in imp.certificates_expired if e in world.elements.index}
        return StepResult(self.time, reachable, alarms, changes, refused, self._view(svc))

    def collect_period(self, end: dt.datetime, flush_radio: bool = False) -> PeriodReport:
        """The counters accumulated since the last call, per managed element; then reset.

        The radio distributions come when their 15-minute job closes (report_radio.RadioJob),
        or now with `flush_radio`.
        """
        radio = self.radio_job.close(self.period_start, end, flush_radio)
        ctx = ReportContext(self.world, self.acc, self.conn.element_reachable, *self.running, radio)
        report = build_report(ctx, self.period_start, end)
        self.acc = Accumulator()
        self.period_start = end
        return report

    def core_metrics(self) -> dict[str, dict[str, list[tuple[dict[str, str], float]]]]:
        """Open5GS-style metrics of every running core function and UPF."""
        world, conn = self.world, self.conn
        registered, sessions = core_gauges(world, self.core, self.smf)
        gnb_amf = np.where(conn.gnb_up, conn.gnb_amf, -1)
        ue_amf = np.where(self.connected & self.core.registered, self.core.amf, -1)
        upf_sessions = np.bincount(
            world.terminals.upf[self.core.session & (world.terminals.upf >= 0)],
            minlength=len(world.upfs),
        )
        gauges = Gauges(
            registered=registered,
            sessions=sessions.sum(axis=0),
            ran_ue=np.bincount(ue_amf[ue_amf >= 0], minlength=len(world.core)).astype(np.float64),
            gnbs=np.bincount(gnb_amf[gnb_amf >= 0], minlength=len(world.core)).astype(np.float64),
            upf_sessions=upf_sessions.astype(np.float64),
            upf_n4=conn.upf_n4,
            core_up=self.running[0],
            upf_up=self.running[1],
        )
        result: dict[str, dict[str, Series]] = self.metrics.export(gauges)
        return result

    def apply_config(self, element: str, changes: Changes) -> list[ConfigChange]:
        """Apply configuration changes (NETCONF) to objects of an element; all or nothing.

        `changes` is {object name: {attribute: value}} with model or TS 28.541 attribute names,
        or NETCONF changes whose DN ends in the object's name.
        """
        return self.config.apply(element, changes)

    def check_config(self, element: str, changes: Changes) -> list[ConfigChange]:
        """The checks of `apply_config` without applying anything (NETCONF <validate>)."""
        return self.config.check(element, changes)

    @property
    def now(self) -> dt.datetime:
        """The simulated clock (UTC)."""
        return self.time

    def set_provisioned(self, supis: Iterable[str]) -> None:
        """Replace the subscribers the core holds credentials for."""
        self.provisioned = set(supis)

    def active_alarms(self) -> list[Condition]:
        """Alarms the elements have raised and not cleared (for alarm list resynchronisation)."""
        return self.alarm_tracker.active()

    # -- step parts --------------------------------------------------------------------------

    def _carry(
        self,
        imp: Impairments,
        conn: Connectivity,
        flags: CellFlags,
        radio: RadioStep,
        demand: Demand,
        active: BoolArray,
        unsynced: dict[str, float],
    ) -> tuple[Service, Uplink]:
        """Uplink SINR, scheduling, transport and latency; keeps the load for the next step."""
        world = self.world
        rows = np.arange(len(self.serving))
        serving_k = np.argmax(radio.rx.cand == self.serving[:, None], axis=1)
        sinr_dl = np.where(self.connected, radio.sinr[rows, serving_k], -np.inf)
        ul = uplink(world, radio, serving_k, self.connected, self.ul_prbs, flags)
        gnb_unsynced = np.array([unsynced.get(g, 0.0) for g in world.gnbs.names])
        step_no = round(self.elapsed_s / self.step_s)
        svc = serve(
            world,
            conn,
            imp,
            self.serving,
            active,
            demand,
            sinr_dl,
            ul.sinr_db,
            gnb_unsynced,
            step_no,
        )
        self.ul_prbs = np.maximum(svc.ul.prbs, 1.0)
        self.dl_util, self.upf_load = svc.dl.utilisation, svc.upf_load
        return svc, ul

    def _outage(self, imp: Impairments) -> Outage:
        locked = {
            name for i, name in enumerate(self.world.links.names) if self.world.links.locked[i]
        }
        return Outage(
            frozenset(imp.nodes_down | self.config.locked_nodes),
            frozenset(imp.links_down | locked),
            frozenset(imp.ptp_lost),
        )

    def _running(
        self, imp: Impairments, conn: Connectivity
    ) -> tuple[BoolArray, BoolArray, BoolArray]:
        """Core functions, UPFs and edge nodes whose process runs (locked ones still run)."""
        world = self.world
        failed = imp.nodes_down

        def running(names: list[str], me: npt.NDArray[np.int64]) -> BoolArray:
            alive = np.array([n not in failed for n in names], dtype=bool)
            return alive & (me >= 0) & conn.element_alive[np.maximum(me, 0)] if len(me) else alive

        return (
            running(world.core.names, world.core.me),
            running(world.upfs.names, world.upfs.me),
            running(world.edges.names, world.edges.me),
        )

    def _terminal_mask(self, names: set[str]) -> BoolArray:
        """The named terminals as a mask (cached: the sets rarely change from step to step)."""
        key = frozenset(names)
        mask = self._masks.get(key)
        if mask is None:
            if len(self._masks) >= MASKS_CACHED:
                self._masks.clear()
            mask = np.zeros(len(self.world.terminals), bool)
            index = self.world.terminals.index
            mask[[index[t] for t in key if t in index]] = True
            self._masks[key] = mask
        return mask

    def _wanted(self, imp: Impairments, demand: Demand) -> BoolArray:
        """Who has traffic to send: switched on, not off by choice, a steady flow or a burst."""
        powered = self.world.terminals.has_sim & (self.elapsed_s >= self.power_on_s)
        busy = (self.traffic.duty >= 1.0) | demand.bursting
        return np.asarray(powered & ~self._terminal_mask(imp.terminals_off) & busy, dtype=bool)

    def _accumulate(self, facts: StepFacts, events: CoreEvents) -> None:
        world = self.world
        sums = cell_sums(world, facts) | gnb_sums(world, facts) | upf_link_sums(world, facts)
        self.radio_job.add(cell_histograms(world, self.measured, self.serving))
        core, core_max = core_sums(world, facts)
        maxima = {"cell.conn": sums["cell.conn"]} | core_max | delay_maxima(world, facts)
        self.acc.add(sums | core, maxima, {"gm.class": facts.gm_class})
        svc = facts.service
        to_bytes = self.step_s / 8.0
        upf = {
            "in_oct": svc.upf_in_bps.sum(axis=1) * to_bytes,
            "out_oct": svc.upf_out_bps.sum(axis=1) * to_bytes,
            "in_pkt": sums["upf.in_pkt"].sum(axis=1),
            "out_pkt": sums["upf.out_pkt"].sum(axis=1),
        }
        pcf = next(
            (i for i, k in enumerate(world.core.kind) if k == "PCF" and self.running[0][i]), -1
        )
        self.metrics.add(events, pcf, upf, self.running[0], self.running[1])

    def _alarms(
        self,
        imp: Impairments,
        conn: Connectivity,
        flags: CellFlags,
        ul_interference_mw: FloatArray,
        upf_load: FloatArray,
        unsynced: dict[str, float],
    ) -> list[AlarmEvent]:
        world = self.world
        noise = 10.0 ** (prb_noise_dbm(world, np.arange(len(world.cells))) / 10.0)
        rise = 10.0 * np.log10(np.maximum(ul_interference_mw / noise, 1e-12))
        weight = min(1.0, self.step_s / UL_RISE_SMOOTHING_S)
        smoothed = self.ul_rise_db + weight * (rise - self.ul_rise_db)
        # The filter runs only while the cell serves: off air it hears nothing; barred (no NG-C)
        # or asleep it hears its own terminals, pushed onto distant cells at high power, which
        # says nothing of the service it restarts with after a repair.
        self.ul_rise_db = np.where(flags.serving_ok, smoothed, 0.0)
        functions = set(world.core.names) | set(world.upfs.names) | set(world.edges.names)
        alarmed = {
            c.object
            for c in self.alarm_tracker.active()
            if c.kind == AlarmKind.HIGH_UL_INTERFERENCE
        }
        state = PhysicalState(
            conn=conn,
            cells_out=flags.out,
            radiating=flags.radiating,
            ul_rise_db=self.ul_rise_db,
            ul_alarmed=np.array(
                [cell_du_ldn(world, c) in alarmed for c in range(len(world.cells))], bool
            ),
            upf_load=upf_load,
            functions_failed=imp.nodes_down & functions,
            unsynced_s=unsynced,
            certificates_expired=set(imp.certificates_expired),
        )
        reachable = {world.elements.names[i] for i in np.flatnonzero(conn.element_reachable)}
        return self.alarm_tracker.update(conditions(world, state), reachable, self.time)

    def _view(self, svc: Service) -> TerminalView:
        args = (self.serving, self.connected, self.pos, self.core, svc, self.measured)
        return terminal_view(self.world, *args, self.wanted)

    def function_ldn(self, name: str) -> str:
        """LDN of a core function, UPF or edge node (for callers that need the alarm object)."""
        world = self.world
        for group in (world.core, world.upfs, world.edges):
            if name in group.index:
                i = group.index[name]
                return function_ldn(world, group.kind[i], name)
        raise KeyError(name)
