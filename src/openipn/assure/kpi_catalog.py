"""The KPI catalogue as data (TS 28.554 end-to-end KPIs over TS 28.552 counters).

Each KPI is a formula over counter terms, evaluated by `openipn.assure.kpis` after the counters
are aggregated over objects and time (never an average of ratios). A formula is a tiny
arithmetic language (numbers, + - * /, parentheses) whose operands are term calls:

- `sum(X)`: Σ of counter X over every object and period of the bucket (CC counters).
- `mean(X)`: Σ X ÷ number of reported values, i.e. the mean of per-object, per-period values
  (for values that are themselves means, such as delays; an approximation, see `notes`).
- `gauge(X)`: Σ over objects of each object's time-weighted mean of X (TS 28.552 SI "Mean"
  counters such as RM.RegisteredSubNbrMean, summed across AMFs as TS 28.554 6.2.1 does).
- `rate(X)`: Σ X ÷ the seconds the reports cover (volume per second).
- `avail(X)` and `span(X)`: available and expected object-seconds over measured time only
  (cell availability; computed per object inside the store).

A plain counter with no value for the scope in the range is replaced by the sum of one family
of its TS 28.552 subcounters (`X.<qualifier>`, see `openipn.assure.subcounters`); the row's
inputs then name them (`sum(RRC.ConnEstabAtt.*)`).

Tags follow standards.md: V = checked in a public source, K = from knowledge, not rechecked,
OpenIPN = defined here because TS 28.554 has no KPI for it or our data lacks its counters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class Unit(StrEnum):
    """Units of KPI values."""

    PERCENT = "%"
    KBPS = "kbit/s"
    MBPS = "Mbit/s"
    MS = "ms"
    COUNT = "count"
    BIT_PER_J = "bit/J"


class Tag(StrEnum):
    """How well a catalogue entry is backed (standards.md tags)."""

    VERIFIED = "V"
    KNOWLEDGE = "K"
    OPENIPN = "OpenIPN"


class ScopeKind(StrEnum):
    """What a KPI can be computed for."""

    CELL = "cell"
    GNB = "gnb"
    UPF = "upf"
    NF = "nf"  # a core network function (AMF, SMF)
    SLICE = "slice"
    SITE = "site"
    DN = "dn"  # any distinguished name and what it contains


RAN = frozenset({ScopeKind.CELL, ScopeKind.GNB, ScopeKind.SITE, ScopeKind.DN})
RAN_SLICE = RAN | {ScopeKind.SLICE}
GNB_UP = frozenset({ScopeKind.GNB, ScopeKind.SITE, ScopeKind.DN})
CORE = frozenset({ScopeKind.NF, ScopeKind.SLICE, ScopeKind.SITE, ScopeKind.DN})
N3 = frozenset({ScopeKind.UPF, ScopeKind.SLICE, ScopeKind.SITE, ScopeKind.DN})


@dataclass(frozen=True)
class Kpi:
    """One KPI: its formula over counter terms and what it means."""

    name: str  # TS 28.554 name verbatim where one exists
    title: str
    formula: str
    unit: Unit
    scopes: frozenset[ScopeKind]
    clause: str
    tag: Tag
    notes: str
    sliceable: bool = False  # a slice scope selects the counters' `.SNSSAI` subcounters
    optional: frozenset[str] = frozenset()  # counters that count as 0 when not reported


# The measured object class of every counter the catalogue uses (TS 28.552, standards.md §2).
COUNTER_CLASS: dict[str, str] = {
    **dict.fromkeys(
        (
            "RRC.ConnEstabAtt", "RRC.ConnEstabSucc", "UECNTX.ConnEstabAtt",
            "UECNTX.ConnEstabSucc", "DRB.EstabAtt", "DRB.EstabSucc", "SM.PDUSessionSetupReq",
            "SM.PDUSessionSetupSucc", "MM.HoExeIntraReq", "MM.HoExeIntraSucc",
            "MM.HoExeInterReq", "MM.HoExeInterSucc", "DRB.PdcpSduVolumeDL",
            "DRB.PdcpSduVolumeUL",
        ),
        "NRCellCU",
    ),
    **dict.fromkeys(
        (
            "RRU.PrbUsedDl", "RRU.PrbUsedUl", "RRU.PrbAvailDl", "RRU.PrbAvailUl",
            "DRB.UEThpDl", "DRB.UEThpUl", "DRB.RlcSduDelayDl", "DRB.AirIfDelayDl",
            "DRB.AirIfDelayUl",
        ),
        "NRCellDU",
    ),
    "DRB.PdcpSduDelayDl": "GNBCUUPFunction",
    "PEE.Energy": "ManagedElement",
    **dict.fromkeys(
        (
            "RM.RegInitReq", "RM.RegInitSucc", "RM.RegMobReq", "RM.RegMobSucc",
            "RM.RegPeriodReq", "RM.RegPeriodSucc", "RM.RegEmergReq", "RM.RegEmergSucc",
            "RM.RegisteredSubNbrMean",
        ),
        "AMFFunction",
    ),
    **dict.fromkeys(
        ("SM.PduSessionCreationReq", "SM.PduSessionCreationSucc", "SM.SessionNbrMean"),
        "SMFFunction",
    ),
    **dict.fromkeys(("GTP.InDataOctN3UPF", "GTP.OutDataOctN3UPF"), "EP_N3"),
}  # fmt: skip

_REG = ("RM.RegInit", "RM.RegMob", "RM.RegPeriod", "RM.RegEmerg")


def _sums(names: tuple[str, ...], suffix: str) -> str:
    return "(" + " + ".join(f"sum({n}{suffix})" for n in names) + ")"


def _ratio(succ: str, req: str) -> str:
    return f"100 * sum({succ}) / sum({req})"


THP_NOTE = (
    "TS 28.552 5.1.1.3 defines DRB.UEThp as ThpVol / ThpTime per cell and period; those two "
    "are not reported separately, so over several cells or periods this is the mean of the "
    "reported values weighted by the number of periods (an approximation of the ratio of sums)."
)

KPIS: tuple[Kpi, ...] = (
    Kpi("RSR", "Registration success rate", f"100 * {_sums(_REG, 'Succ')} / {_sums(_REG, 'Req')}",
        Unit.PERCENT, CORE, "TS 28.554 6.2.3", Tag.VERIFIED,
        "Counters summed over AMFs and periods before dividing. TS 28.554 6.2.3 sums the "
        "registration types; a type the AMF does not report (RegMob, RegPeriod, RegEmerg) is "
        "optional and adds nothing, so an AMF reporting only RegInit still gives a rate. "
        "Formula [K].", sliceable=True,
        optional=frozenset(f"{r}{s}" for r in _REG for s in ("Req", "Succ"))),
    Kpi("PDUSessionEstabSR", "PDU session establishment success rate (SMF)",
        _ratio("SM.PduSessionCreationSucc", "SM.PduSessionCreationReq"), Unit.PERCENT, CORE,
        "TS 28.554 6.2 (clause not verified)", Tag.KNOWLEDGE,
        "TS 28.552 5.3.1.3/5.3.1.4 counters of the SMFs, summed before dividing.",
        sliceable=True),
    Kpi("PDUSessionSetupSR.gNB", "PDU session resource setup success rate (gNB)",
        _ratio("SM.PDUSessionSetupSucc", "SM.PDUSessionSetupReq"), Unit.PERCENT, RAN_SLICE,
        "TS 28.552 5.1.1.5", Tag.KNOWLEDGE,
        "The gNB variant over NRCellCU counters: PDU session resource setups the gNB received "
        "(after the SMF set up the N4 session) and completed.", sliceable=True),
    Kpi("PartialDRBAccessibility", "DRB accessibility (RRC × DRB setup)",
        "100 * sum(RRC.ConnEstabSucc) / sum(RRC.ConnEstabAtt)"
        " * sum(DRB.EstabSucc) / sum(DRB.EstabAtt)", Unit.PERCENT, RAN, "TS 28.554 6.2.4",
        Tag.KNOWLEDGE,
        "6.2.4 structure is RRC × UECNTX (NG signalling) × DRB success ratios; this variant "
        "leaves the UECNTX factor out, so files without UECNTX counters still give a value "
        "(DRBAccessibility has all three factors). RRC counters include mo-Signalling (6.2.4 "
        "excludes it). Each factor is a ratio of sums.", sliceable=False),
    Kpi("DRBAccessibility", "DRB accessibility (RRC × NG signalling × DRB setup)",
        "100 * sum(RRC.ConnEstabSucc) / sum(RRC.ConnEstabAtt)"
        " * sum(UECNTX.ConnEstabSucc) / sum(UECNTX.ConnEstabAtt)"
        " * sum(DRB.EstabSucc) / sum(DRB.EstabAtt)", Unit.PERCENT, RAN, "TS 28.554 6.2.4",
        Tag.KNOWLEDGE,
        "The full 6.2.4 structure: RRC setup × UE-associated NG connection (TS 28.552 "
        "5.1.1.16) × DRB setup success ratios, each a ratio of sums. RRC and UECNTX counters "
        "include mo-Signalling (6.2.4 excludes it). Counter names [K].", sliceable=False),
    Kpi("RRCSetupSR", "RRC connection setup success rate",
        _ratio("RRC.ConnEstabSucc", "RRC.ConnEstabAtt"), Unit.PERCENT, RAN, "TS 28.552 5.1.1.15",
        Tag.KNOWLEDGE, "RRC.ConnEstabSucc / RRC.ConnEstabAtt summed over cells and periods."),
    Kpi("HOSR.Intra", "Intra-gNB handover success rate",
        _ratio("MM.HoExeIntraSucc", "MM.HoExeIntraReq"), Unit.PERCENT, RAN,
        "TS 28.552 5.1.1.6.2", Tag.KNOWLEDGE, "Counted at the source cell."),
    Kpi("HOSR.Inter", "Inter-gNB handover success rate",
        _ratio("MM.HoExeInterSucc", "MM.HoExeInterReq"), Unit.PERCENT, RAN,
        "TS 28.552 5.1.1.6.1", Tag.KNOWLEDGE, "Counted at the source cell."),
    Kpi("HOSR", "Handover success rate (intra + inter gNB)",
        "100 * (sum(MM.HoExeIntraSucc) + sum(MM.HoExeInterSucc))"
        " / (sum(MM.HoExeIntraReq) + sum(MM.HoExeInterReq))", Unit.PERCENT, RAN,
        "TS 28.554 6.6 (clause not verified)", Tag.KNOWLEDGE, "Counted at the source cell."),
    Kpi("PRBUtilDl", "DL PRB utilisation", "100 * sum(RRU.PrbUsedDl) / sum(RRU.PrbAvailDl)",
        Unit.PERCENT, RAN, "TS 28.552 5.1.1.2.5/5.1.1.2.6", Tag.OPENIPN,
        "Both counters are period means; summing them over cells and periods gives PRB-time "
        "used over PRB-time available (exact for equal period lengths), not a mean of "
        "RRU.PrbTotDl percentages."),
    Kpi("PRBUtilUl", "UL PRB utilisation", "100 * sum(RRU.PrbUsedUl) / sum(RRU.PrbAvailUl)",
        Unit.PERCENT, RAN, "TS 28.552 5.1.1.2.7/5.1.1.2.8", Tag.OPENIPN,
        "As PRBUtilDl, for the uplink."),
    Kpi("UEThpDl", "Mean DL UE throughput", "mean(DRB.UEThpDl)", Unit.KBPS, RAN_SLICE,
        "TS 28.554 6.3 (UE throughput in RAN); TS 28.552 5.1.1.3", Tag.KNOWLEDGE, THP_NOTE,
        sliceable=True),
    Kpi("UEThpUl", "Mean UL UE throughput", "mean(DRB.UEThpUl)", Unit.KBPS, RAN,
        "TS 28.554 6.3 (UE throughput in RAN); TS 28.552 5.1.1.3", Tag.KNOWLEDGE, THP_NOTE),
    Kpi("N3ThpUpstream", "Upstream (UL) throughput at N3",
        "8 * rate(GTP.InDataOctN3UPF) / 1000000", Unit.MBPS, N3,
        "TS 28.554 6.3 (upstream throughput for network and slice)", Tag.KNOWLEDGE,
        "Octets received on N3 summed over UPFs × 8 ÷ the seconds the reports cover.",
        sliceable=True),
    Kpi("N3ThpDownstream", "Downstream (DL) throughput at N3",
        "8 * rate(GTP.OutDataOctN3UPF) / 1000000", Unit.MBPS, N3,
        "TS 28.554 6.3 (downstream throughput for network and slice)", Tag.KNOWLEDGE,
        "Octets sent on N3 summed over UPFs × 8 ÷ the seconds the reports cover.",
        sliceable=True),
    Kpi("AMFMeanRegNbr", "Mean registered subscribers", "gauge(RM.RegisteredSubNbrMean)",
        Unit.COUNT, CORE, "TS 28.554 6.2.1", Tag.VERIFIED,
        "Σ over AMFs of each AMF's time-weighted mean (formula [K]).", sliceable=True),
    Kpi("PDUSesMeanNbr", "Mean PDU sessions", "gauge(SM.SessionNbrMean)", Unit.COUNT, CORE,
        "TS 28.554 6.4.1", Tag.VERIFIED, "Σ over SMFs of each SMF's time-weighted mean.",
        sliceable=True),
    Kpi("DLDelayGnb", "DL delay in the gNB (PDCP + RLC)",
        "mean(DRB.PdcpSduDelayDl) / 10 + mean(DRB.RlcSduDelayDl) / 10", Unit.MS, RAN,
        "TS 28.554 6.3 (DL latency in gNB)", Tag.KNOWLEDGE,
        "Counters in 0.1 ms (TS 28.552 5.1.3.3). The F1-U delay term is left out (not "
        "reported; CU and DU are co-located). PDCP delay is per CU-UP, so a cell gets its "
        "gNB's. Means over objects and periods are weighted by period count, not SDU count."),
    Kpi("AirIfDelayDl", "DL air-interface delay", "mean(DRB.AirIfDelayDl) / 10", Unit.MS, RAN,
        "TS 28.552 5.1.1.1.1", Tag.KNOWLEDGE,
        "0.1 ms units; mean weighted by period count."),
    Kpi("EE", "Energy efficiency of the RAN (PDCP volume per energy)",
        "(sum(DRB.PdcpSduVolumeDL) + sum(DRB.PdcpSduVolumeUL)) * 1000000"
        " / (sum(PEE.Energy) * 3600000)", Unit.BIT_PER_J, GNB_UP,
        "TS 28.554 6.7 (ETSI ES 203 228)", Tag.KNOWLEDGE,
        "Volume in Mbit (NRCellCU), PEE.Energy in kWh (ManagedElement) [K]."),
    Kpi("EE.N3", "Energy efficiency (N3 volume per RAN energy)",
        "8 * (sum(GTP.InDataOctN3UPF) + sum(GTP.OutDataOctN3UPF))"
        " / (sum(PEE.Energy) * 3600000)", Unit.BIT_PER_J,
        frozenset({ScopeKind.SITE}), "after TS 28.554 6.7", Tag.OPENIPN,
        "Site only: user-plane volume at N3 instead of PDCP volume, over the gNBs' energy."),
    Kpi("CellAvailability", "Cell availability",
        "100 * avail(RRU.PrbAvailDl) / span(RRU.PrbAvailDl)",
        Unit.PERCENT, RAN, "after TS 28.554 6.3.x (available time ÷ measured time)", Tag.OPENIPN,
        "Up time ÷ measured time, summed over the cells in scope. Up time: per cell, "
        "Σ RRU.PrbAvailDl × period ÷ its largest RRU.PrbAvailDl in the range (a cell offering "
        "half its PRBs is half up). Measured time: the time covered by periods for which the "
        "platform holds any cell's report (per hour: the most any one cell covered), never the "
        "part of the range before the first or after the latest stored period, so a period "
        "still being reported or not yet collected is not downtime. Expected time: measured "
        "time × the cells in scope the model knows (at least those that reported): a known "
        "cell silent while other cells report (element unreachable, cell locked) is down, "
        "which is what a NOC wants to see; a cell added mid-range counts as down before it "
        "first reported. TS 28.552 has no cell availability counter."),
)  # fmt: skip

BY_NAME: dict[str, Kpi] = {k.name: k for k in KPIS}


# --- formulas --------------------------------------------------------------------------

FUNCTIONS = frozenset({"sum", "mean", "gauge", "rate", "avail", "span"})


@dataclass(frozen=True)
class Num:
    """A constant."""

    value: float


@dataclass(frozen=True)
class Term:
    """A counter aggregated one way (`sum(RRC.ConnEstabAtt)`)."""

    func: str
    counter: str

    def __str__(self) -> str:
        return f"{self.func}({self.counter})"


@dataclass(frozen=True)
class BinOp:
    """Left op right."""

    op: str
    left: Expr
    right: Expr


Expr = Num | Term | BinOp

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)"
    r"|(?P<call>[a-z]+)\(\s*(?P<arg>[A-Za-z][A-Za-z0-9_.\-]*)\s*\)"
    r"|(?P<op>[-+*/()]))"
)


class FormulaError(ValueError):
    """A formula that does not parse."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if not match:
            raise FormulaError(f"unexpected text at {pos} in {text!r}")
        if match["num"]:
            out.append(("num", match["num"]))
        elif match["call"]:
            if match["call"] not in FUNCTIONS:
                raise FormulaError(f"unknown function {match['call']!r} in {text!r}")
            out.append((match["call"], match["arg"]))
        else:
            out.append(("op", match["op"]))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.i = text, _tokens(text), 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaError(f"formula ends too early: {self.text!r}")
        self.i += 1
        return token

    def binary(self, ops: str, operand: Callable[[], Expr]) -> Expr:
        node = operand()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in ops:
            self.take()
            node = BinOp(token[1], node, operand())
        return node

    def expr(self) -> Expr:
        return self.binary("+-", self.term)

    def term(self) -> Expr:
        return self.binary("*/", self.factor)

    def factor(self) -> Expr:
        kind, text = self.take()
        if kind == "num":
            return Num(float(text))
        if kind in FUNCTIONS:
            return Term(kind, text)
        if text == "(":
            node = self.expr()
            if self.take() != ("op", ")"):
                raise FormulaError(f"missing ')' in {self.text!r}")
            return node
        raise FormulaError(f"unexpected {text!r} in {self.text!r}")


@cache
def parse(text: str) -> Expr:
    """Parse a formula into an expression tree (never Python eval)."""
    parser = _Parser(text)
    node = parser.expr()
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()[1]!r} in {text!r}")  # type: ignore[index]
    return node


def terms(node: Expr) -> list[Term]:
    """The counter terms of an expression, in order, without repeats."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, BinOp):
        return list(dict.fromkeys(terms(node.left) + terms(node.right)))
    return []


def evaluate(node: Expr, values: dict[Term, float | None]) -> float | None:
    """Evaluate with term values; a None (no data) operand or a division by zero gives None."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Term):
        return values.get(node)
    left, right = evaluate(node.left, values), evaluate(node.right, values)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return None if right == 0 else left / right
