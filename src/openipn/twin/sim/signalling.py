"""One step of signalling: RRC setup and handover, registration, sessions, DRBs.

Staged security events add their own signalling here: a cloned SIM registering from a second
cell, and storms of registration attempts from unknown identities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from openipn.twin.sim.access import fail_attempts, measurement_error, nas_timeout, wants_connection
from openipn.twin.sim.core import (
    CAUSES,
    Cause,
    CoreEvents,
    CoreInputs,
    CoreState,
    establish_sessions,
    register,
    release,
)
from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray
from openipn.twin.sim.mobility import Attach, select_cells
from openipn.twin.sim.network import Connectivity
from openipn.twin.sim.ng_counts import NgCounts, n3_reachable, pdu_setups, ue_contexts
from openipn.twin.sim.physics import CellFlags, RadioStep
from openipn.twin.sim.security import SecurityEffects
from openipn.twin.sim.traffic import Demand, TrafficModel
from openipn.twin.sim.world import World

AMF_CAPACITY_REG_PER_S = 100.0  # registrations per second one AMF handles before congestion
OVERLOAD_RELEASE_SHARE = 0.05  # per step, share of an overloaded UPF's lost PFCP sessions
ROGUE_RETRY_SHARE = 0.5  # share of captured terminals that try the real network each step


class SimState(Protocol):
    """The simulation state signalling reads and updates (the engine's `Simulation` is one)."""

    world: World
    rng: np.random.Generator
    core: CoreState
    step_s: float
    elapsed_s: float
    power_on_s: FloatArray
    provisioned: set[str]
    serving: IntArray  # serving cell per terminal, -1 when not connected
    connected: BoolArray
    ttt: IntArray  # handover time-to-trigger counters
    dl_util: FloatArray
    upf_load: FloatArray
    traffic: TrafficModel
    smf: int  # the SMF in use, -1 when none works


def attach_terminals(
    sim: SimState,
    radio: RadioStep,
    flags: CellFlags,
    faulty: BoolArray,
    step_s: float,
    demand: Demand,
) -> Attach:
    """Inactivity release, cell selection, handover and RRC setup; updates the attachment."""
    world = sim.world
    n = len(sim.serving)
    captured = radio.captured
    wants = wants_connection(sim.traffic.duty >= 1.0, demand.bursting, sim.core, sim.elapsed_s)
    sim.connected &= ~faulty & ~captured & wants  # the others are released to RRC_IDLE
    has_sim = world.terminals.has_sim
    powered = sim.elapsed_s >= sim.power_on_s
    retry = sim.rng.random(n) < ROGUE_RETRY_SHARE
    may = ~faulty & has_sim & powered & (~captured | retry) & wants
    error = measurement_error(sim.rng, radio.rsrp.shape)
    attach = select_cells(
        world, radio.rx.cand, radio.rsrp, radio.sinr, radio.usable, flags.serving_ok,
        sim.serving, sim.connected, sim.ttt, may, sim.rng.random(n), step_s, error,
    )  # fmt: skip
    fail_attempts(attach, radio.rx.cand, radio.sinr, sim.dl_util, sim.rng, step_s)
    sim.connected = attach.connected
    sim.serving = np.where(attach.connected, attach.serving, -1)
    sim.ttt = attach.ttt
    return attach


@dataclass
class SignalResult:
    """Per-cell RRC and DRB counts and the core's events of one step."""

    rrc_att: FloatArray
    rrc_succ: FloatArray
    drb_att: FloatArray
    drb_succ: FloatArray
    events: CoreEvents
    ng: NgCounts


class Signalling:
    """The core and RAN signalling of one step."""

    def __init__(
        self,
        sim: SimState,
        conn: Connectivity,
        flags: CellFlags,
        sec: SecurityEffects,
        radio: RadioStep,
        faulty: BoolArray,
    ) -> None:
        self.sim, self.conn, self.flags, self.sec, self.radio, self.faulty = (
            sim,
            conn,
            flags,
            sec,
            radio,
            faulty,
        )
        world = sim.world
        self.n_cells, self.n_slices = len(world.cells), len(world.slices)

    def run(self, attach: Attach) -> SignalResult:
        """Count RRC setups, run the core procedures, add staged signalling, count DRBs."""
        sim, world = self.sim, self.sim.world
        n_cells = self.n_cells
        rrc_att = np.bincount(attach.rrc_cell, minlength=n_cells).astype(np.float64)
        rrc_succ = np.bincount(attach.rrc_cell[attach.rrc_ok], minlength=n_cells).astype(np.float64)
        events = CoreEvents(len(world.core), self.n_slices)
        storm = sim.rng.poisson(self.sec.storm_per_s * sim.step_s).astype(np.float64)
        inputs = self._inputs(storm)
        release(sim.core, inputs, self.conn.core_up, self._anchors_holding(inputs.upf_accept))
        # A registered terminal setting up RRC again sends a Service Request (NG-C attempt).
        service = attach.new_connection & sim.connected & sim.core.registered & (inputs.amf >= 0)
        service_answer = service / np.maximum(inputs.amf_load[np.maximum(inputs.amf, 0)], 1.0)
        gnb = world.cells.gnb[np.maximum(sim.serving, 0)]
        sim.core.last_gnb = np.where(sim.connected, gnb, sim.core.last_gnb)
        register(sim.core, inputs, sim.rng, events)
        establish_sessions(sim.core, inputs, sim.rng, events)
        ue_att, ue_succ = ue_contexts(
            sim.serving,
            n_cells,
            events.initial_ue.astype(np.float64) + service,
            events.ng_answered + service_answer,
        )
        self._clones(events, rrc_att, rrc_succ, ue_att, ue_succ)
        self._storm(events, storm, rrc_att, rrc_succ, ue_att, ue_succ)
        drb_att, drb_succ, pdu_req, pdu_succ = self._drbs(attach, events)
        ng = NgCounts(ue_att, ue_succ, pdu_req, pdu_succ)
        return SignalResult(rrc_att, rrc_succ, drb_att, drb_succ, events, ng)

    def _anchors_holding(self, accept: FloatArray) -> BoolArray:
        """Sessions whose UPF keeps them: up with N4, and not dropped by an overloaded UPF."""
        sim, world = self.sim, self.sim.world
        upf = world.terminals.upf
        holding = (upf >= 0) & (sim.smf >= 0)
        if len(world.upfs):
            holding &= self.conn.upf_n4[np.maximum(upf, 0)]
        lost = sim.rng.random(len(upf)) < (1.0 - accept) * OVERLOAD_RELEASE_SHARE
        return holding & ~lost

    def _cell_amf(self) -> np.ndarray:
        world = self.sim.world
        return np.where(world.cells.gnb >= 0, self.conn.gnb_amf[np.maximum(world.cells.gnb, 0)], -1)

    def _inputs(self, storm: FloatArray) -> CoreInputs:
        sim, world, conn = self.sim, self.sim.world, self.conn
        serving, connected = sim.serving, sim.connected
        cell = np.maximum(serving, 0)
        amf = np.where(connected, self._cell_amf()[cell], -1)
        pending = (
            connected & ~sim.core.registered & (sim.elapsed_s >= sim.core.next_reg_s) & (amf >= 0)
        )
        attempts = np.bincount(amf[pending], minlength=len(world.core)).astype(np.float64)
        cell_amf = self._cell_amf()
        attempts += np.bincount(
            np.maximum(cell_amf, 0), weights=storm * (cell_amf >= 0), minlength=len(world.core)
        )
        sim.smf = next((s for s in world.smfs() if conn.smf_ok[s]), -1)
        upf = world.terminals.upf
        upf_ok = (upf >= 0) & (sim.smf >= 0)
        if len(world.upfs):
            upf_ok &= conn.upf_n4[np.maximum(upf, 0)]
        accept = (
            1.0 / np.maximum(sim.upf_load[np.maximum(upf, 0)], 1.0)
            if len(world.upfs)
            else np.ones(len(upf))
        )
        return CoreInputs(
            now_s=sim.elapsed_s,
            connected=connected,
            slice=world.terminals.slice,
            tac=np.where(connected, world.cells.tac[cell], -1),
            amf=amf,
            amf_load=attempts / sim.step_s / AMF_CAPACITY_REG_PER_S,
            provisioned=np.array([s in sim.provisioned for s in world.terminals.supi], dtype=bool),
            imei_ok=self.sec.imei_ok,
            resync=self.sec.resync,
            smf=sim.smf,
            upf_ok=upf_ok,
            upf_accept=accept,
            forced_off=self.sec.forced_off | self.radio.captured | self.faulty,
            interrupted=self.radio.captured,
            gnb_lost=self._gnb_lost(),
            timeout=nas_timeout(self._serving_sinr()),
        )

    def _serving_sinr(self) -> FloatArray:
        """DL SINR of each terminal from its serving cell (-inf when not connected)."""
        sim, cand = self.sim, self.radio.rx.cand
        match = (cand == sim.serving[:, None]) & sim.connected[:, None]
        return np.asarray(np.max(np.where(match, self.radio.sinr, -np.inf), axis=1))

    def _gnb_lost(self) -> BoolArray:
        """Terminals whose last gNB has no NG-C association: the AMF releases them (TS 23.502
        §4.2.6, AN release), and the twin deregisters them."""
        last = self.sim.core.last_gnb
        if not len(self.sim.world.gnbs):
            return np.zeros(len(last), bool)
        gone = (self.conn.gnb_amf[np.maximum(last, 0)] < 0) | ~self.conn.gnb_up[np.maximum(last, 0)]
        return (last >= 0) & gone

    def _clones(self, events: CoreEvents, *cell_counts: FloatArray) -> None:
        """A cloned SIM registers from its own cell; the AMF sees the SQN out of sync."""
        world, cell_amf = self.sim.world, self._cell_amf()
        for clone in self.sec.clones:
            c = clone.cell
            if not self.flags.serving_ok[c] or cell_amf[c] < 0:
                continue
            amf, sl = int(cell_amf[c]), int(world.terminals.slice[clone.terminal])
            for counts in cell_counts:  # RRC and NG-C attempted and answered
                counts[c] += 1
            events.reg_init_req[amf, sl] += 1
            events.reg_init_succ[amf, sl] += 1
            events.auth_req[amf] += 2
            events.auth_fail[amf, CAUSES.index(Cause.SYNCH_FAILURE)] += 1

    def _storm(self, events: CoreEvents, storm: FloatArray, *cell_counts: FloatArray) -> None:
        """Registration attempts from identities the core does not know."""
        world, cell_amf = self.sim.world, self._cell_amf()
        live = (storm > 0) & self.flags.serving_ok & (cell_amf >= 0)
        for c in np.flatnonzero(live).tolist():
            count = int(storm[c])
            sl = int(np.argmax(world.cells.slices[c]))
            for counts in cell_counts:  # RRC and NG-C attempted and answered (a reject)
                counts[c] += count
            events.reg_init_req[cell_amf[c], sl] += count
            events.reg_fail[cell_amf[c], CAUSES.index(Cause.SERVICES_NOT_ALLOWED)] += count

    def _drbs(
        self, attach: Attach, events: CoreEvents
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """DRB setup when a terminal with a session connects, or gets a new session; each is
        a PDU session resource setup at the gNB, which also needs the N3 path to the UPF."""
        sim, world = self.sim, self.sim.world
        want = sim.connected & sim.core.session & (attach.new_connection | events.new_session)
        cell = np.maximum(sim.serving, 0)
        util = sim.dl_util[cell]
        admitted = sim.rng.random(len(cell)) < 1.0 / np.maximum(util, 1.0)
        slot = cell * self.n_slices + world.terminals.slice
        shape = (self.n_cells, self.n_slices)
        att, succ = pdu_setups(slot, shape, want, admitted)
        n3 = n3_reachable(self.conn.gnb_upf, world.cells.gnb[cell], world.terminals.upf)
        return att, succ, *pdu_setups(slot, shape, want, admitted & n3)
