"""Core signalling: registrations and PDU sessions, and why they fail.

Procedures follow TS 23.502 §4.2.2.2 (registration) and §4.3.2 (PDU session establishment);
reject causes are 5GMM causes of TS 24.501 Table 9.11.3.2.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from openipn.twin.sim.geometry import BoolArray, FloatArray, IntArray

T3512_S = 54 * 60.0  # periodic registration timer default, TS 24.501 §10.2
IMPLICIT_DEREG_S = T3512_S + 4 * 60.0  # mobile reachable + implicit deregistration timers
RETRY_FIRST_S = 10.0
RETRY_MAX_S = 320.0
POWER_ON_SPREAD_S = 60.0  # terminals power on within the first minute of a run


class Cause(IntEnum):
    """5GMM causes the twin produces (TS 24.501 Table 9.11.3.2.1)."""

    ILLEGAL_ME = 6  # PEI not allowed: the IMEI does not match the SIM's binding
    SERVICES_NOT_ALLOWED = 7  # unknown or unprovisioned subscriber
    SYNCH_FAILURE = 21  # authentication failure: SQN out of range (a cloned SIM)
    CONGESTION = 22  # AMF overload


CAUSES: tuple[Cause, ...] = tuple(Cause)


@dataclass
class CoreState:
    """Per-terminal registration and session state."""

    registered: BoolArray
    session: BoolArray
    amf: IntArray  # core-function index of the AMF holding the registration
    reg_tac: IntArray
    last_reg_s: FloatArray
    last_seen_s: FloatArray
    next_reg_s: FloatArray
    reg_backoff_s: FloatArray
    next_sess_s: FloatArray
    sess_backoff_s: FloatArray
    last_gnb: IntArray  # the gNB that last carried the terminal (-1: none yet)

    @classmethod
    def initial(cls, n: int, rng: np.random.Generator) -> CoreState:
        """Nobody registered; each terminal powers on at a random moment of the first minute."""
        return cls(
            registered=np.zeros(n, bool),
            session=np.zeros(n, bool),
            amf=np.full(n, -1, np.int64),
            reg_tac=np.full(n, -1, np.int64),
            last_reg_s=np.zeros(n),
            last_seen_s=np.zeros(n),
            next_reg_s=rng.uniform(0.0, POWER_ON_SPREAD_S, size=n),
            reg_backoff_s=np.full(n, RETRY_FIRST_S),
            next_sess_s=np.zeros(n),
            sess_backoff_s=np.full(n, RETRY_FIRST_S),
            last_gnb=np.full(n, -1, np.int64),
        )


@dataclass
class CoreInputs:
    """What the core sees this step."""

    now_s: float
    connected: BoolArray
    slice: IntArray
    tac: IntArray  # TAC of the serving cell, -1 when not connected
    amf: IntArray  # AMF reachable through the serving gNB, -1 when none
    amf_load: FloatArray  # per core function, offered load / capacity
    provisioned: BoolArray
    imei_ok: BoolArray
    resync: BoolArray  # authentication will first fail with a synch failure (cloned SIM)
    smf: int  # the SMF in use, -1 when none works
    upf_ok: BoolArray  # anchor UPF up with N4 from the SMF
    upf_accept: FloatArray  # probability the anchor UPF accepts a new session
    forced_off: BoolArray  # deregistered by the network this step (context replaced ...)
    interrupted: BoolArray  # a registration started now is cut off (no answer, no cause)
    gnb_lost: BoolArray  # the AMF lost the NG association of the terminal's last gNB
    timeout: FloatArray = field(default_factory=lambda: np.zeros(0))  # P(NAS times out, T3510)


@dataclass
class CoreEvents:
    """Signalling counted this step, per core function (AMF/SMF index) and slice."""

    n_core: int
    n_slices: int
    reg_init_req: IntArray = field(init=False)
    reg_init_succ: IntArray = field(init=False)
    reg_mob_req: IntArray = field(init=False)
    reg_mob_succ: IntArray = field(init=False)
    reg_period_req: IntArray = field(init=False)
    reg_period_succ: IntArray = field(init=False)
    sess_req: IntArray = field(init=False)
    sess_succ: IntArray = field(init=False)
    reg_fail: IntArray = field(init=False)  # (core, cause)
    auth_req: IntArray = field(init=False)
    auth_fail: IntArray = field(init=False)  # (core, cause)
    sess_fail: IntArray = field(init=False)
    new_session: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    initial_ue: BoolArray = field(default_factory=lambda: np.zeros(0, bool))  # NAS via NG-C
    ng_answered: BoolArray = field(default_factory=lambda: np.zeros(0, bool))  # AMF answered

    def __post_init__(self) -> None:
        shape = (self.n_core, self.n_slices)
        for name in (
            "reg_init_req", "reg_init_succ", "reg_mob_req", "reg_mob_succ", "reg_period_req",
            "reg_period_succ", "sess_req", "sess_succ",
        ):  # fmt: skip
            setattr(self, name, np.zeros(shape, np.int64))
        self.reg_fail = np.zeros((self.n_core, len(CAUSES)), np.int64)
        self.auth_fail = np.zeros((self.n_core, len(CAUSES)), np.int64)
        self.auth_req = np.zeros(self.n_core, np.int64)
        self.sess_fail = np.zeros(self.n_core, np.int64)


def _count(target: IntArray, rows: IntArray, cols: IntArray) -> None:
    np.add.at(target, (rows, cols), 1)


def release(
    state: CoreState, inputs: CoreInputs, core_up: BoolArray, upf_anchor_ok: BoolArray
) -> None:
    """Deregistrations and session releases that follow from the network's state."""
    now = inputs.now_s
    state.last_seen_s = np.where(inputs.connected, now, state.last_seen_s)
    amf_gone = state.registered & ((state.amf < 0) | ~core_up[np.maximum(state.amf, 0)])
    n2_gone = state.registered & ((inputs.connected & (inputs.amf < 0)) | inputs.gnb_lost)
    silent = state.registered & (now - state.last_seen_s > IMPLICIT_DEREG_S)
    gone = amf_gone | n2_gone | silent | inputs.forced_off
    state.registered &= ~gone
    state.amf = np.where(gone, -1, state.amf)
    state.session &= state.registered & upf_anchor_ok


def register(
    state: CoreState, inputs: CoreInputs, rng: np.random.Generator, events: CoreEvents
) -> None:
    """Initial, periodic and mobility registrations of connected terminals."""
    events.initial_ue = np.zeros(len(state.registered), bool)
    events.ng_answered = np.zeros(len(state.registered), bool)
    _initial(state, inputs, rng, events)
    _periodic_and_mobility(state, inputs, rng, events)


def _late(inputs: CoreInputs, who: IntArray, rng: np.random.Generator) -> BoolArray:
    """Registrations that time out on the radio or the UE's side (T3510, TS 24.501 §10.2)."""
    if not len(inputs.timeout):
        return np.zeros(len(who), bool)
    return np.asarray(rng.random(len(who)) < inputs.timeout[who], dtype=bool)


def _overloaded(inputs: CoreInputs, amf: IntArray, rng: np.random.Generator) -> BoolArray:
    load = inputs.amf_load[np.maximum(amf, 0)]
    return rng.random(len(amf)) > 1.0 / np.maximum(load, 1.0)


def _initial(
    state: CoreState, inputs: CoreInputs, rng: np.random.Generator, events: CoreEvents
) -> None:
    now = inputs.now_s
    who = np.flatnonzero(
        inputs.connected & ~state.registered & (now >= state.next_reg_s) & (inputs.amf >= 0)
    )
    amf, sl = inputs.amf[who], inputs.slice[who]
    _count(events.reg_init_req, amf, sl)
    known = inputs.provisioned[who]
    congested = _overloaded(inputs, amf, rng)
    np.add.at(events.auth_req, amf[known & ~congested], 1)
    resync = known & ~congested & inputs.resync[who]
    np.add.at(events.auth_req, amf[resync], 1)  # the AMF re-authenticates after the resync
    _count(events.auth_fail, amf[resync], np.full(resync.sum(), CAUSES.index(Cause.SYNCH_FAILURE)))
    illegal = known & ~congested & ~inputs.imei_ok[who]
    cause = np.where(
        congested,
        CAUSES.index(Cause.CONGESTION),
        np.where(~known, CAUSES.index(Cause.SERVICES_NOT_ALLOWED), CAUSES.index(Cause.ILLEGAL_ME)),
    )
    cut = inputs.interrupted[who] & ~congested
    late = _late(inputs, who, rng) & ~congested  # the AMF answered; the UE never completed
    events.initial_ue[who] = True  # each attempt opens a UE-associated NG connection
    events.ng_answered[who[~congested & ~cut]] = True  # overload drops it, a cut one dies
    ok = known & ~congested & ~illegal & ~cut & ~late
    rejected = ~ok & ~((cut | late) & known & ~illegal)
    _count(events.reg_fail, amf[rejected], cause[rejected])
    _count(events.reg_init_succ, amf[ok], sl[ok])
    won, lost = who[ok], who[~ok]
    state.registered[won] = True
    state.amf[won] = amf[ok]
    state.reg_tac[won] = inputs.tac[won]
    state.last_reg_s[won] = now
    state.reg_backoff_s[won] = RETRY_FIRST_S
    state.next_reg_s[lost] = now + state.reg_backoff_s[lost]
    state.reg_backoff_s[lost] = np.minimum(state.reg_backoff_s[lost] * 2.0, RETRY_MAX_S)
    # Cause #6 (illegal ME): the UE takes its USIM as invalid until switched off (TS 24.501
    # §5.5.1.2.5); the twin lets its user power-cycle it after the longest back-off.
    barred = who[illegal & ~cut]  # a cut-off attempt never heard the reject
    state.next_reg_s[barred] = now + RETRY_MAX_S


def _periodic_and_mobility(
    state: CoreState, inputs: CoreInputs, rng: np.random.Generator, events: CoreEvents
) -> None:
    now = inputs.now_s
    live = state.registered & inputs.connected & (inputs.amf >= 0)
    periodic = np.flatnonzero(live & (now - state.last_reg_s >= T3512_S))
    amf, sl = inputs.amf[periodic], inputs.slice[periodic]
    _count(events.reg_period_req, amf, sl)
    ok = ~_overloaded(inputs, amf, rng) & ~_late(inputs, periodic, rng)
    _count(events.reg_period_succ, amf[ok], sl[ok])
    state.last_reg_s[periodic[ok]] = now
    moved = np.flatnonzero(live & (inputs.tac >= 0) & (inputs.tac != state.reg_tac))
    amf, sl = inputs.amf[moved], inputs.slice[moved]
    _count(events.reg_mob_req, amf, sl)
    ok = ~_overloaded(inputs, amf, rng) & ~_late(inputs, moved, rng)
    _count(events.reg_mob_succ, amf[ok], sl[ok])
    state.reg_tac[moved[ok]] = inputs.tac[moved[ok]]
    state.last_reg_s[moved[ok]] = now


def establish_sessions(
    state: CoreState, inputs: CoreInputs, rng: np.random.Generator, events: CoreEvents
) -> None:
    """PDU session establishment for registered terminals without a session."""
    now = inputs.now_s
    events.new_session = np.zeros(len(state.session), bool)
    who = np.flatnonzero(
        state.registered & inputs.connected & ~state.session & (now >= state.next_sess_s)
    )
    if inputs.smf < 0:  # no SMF answers: the request times out (T3580) and backs off
        _back_off_sessions(state, who, now)
        return
    sl = inputs.slice[who]
    smf = np.full(len(who), inputs.smf, np.int64)
    _count(events.sess_req, smf, sl)
    ok = inputs.upf_ok[who] & (rng.random(len(who)) < inputs.upf_accept[who])
    _count(events.sess_succ, smf[ok], sl[ok])
    events.sess_fail[inputs.smf] += int((~ok).sum())
    won, lost = who[ok], who[~ok]
    state.session[won] = True
    events.new_session[won] = True
    state.sess_backoff_s[won] = RETRY_FIRST_S
    _back_off_sessions(state, lost, now)


def _back_off_sessions(state: CoreState, lost: IntArray, now: float) -> None:
    """Terminals whose session request failed try again after a back-off that doubles."""
    state.next_sess_s[lost] = now + state.sess_backoff_s[lost]
    state.sess_backoff_s[lost] = np.minimum(state.sess_backoff_s[lost] * 2.0, RETRY_MAX_S)
