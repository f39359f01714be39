"""Run the twin in process and read back only what it put on the wire.

A run is the small example plant for `RUN_FOR` simulated minutes: a quiet baseline, then one
fault for `FAULT_FOR`, then recovery. The twin POSTs its VES events to a real collector on
127.0.0.1, writes its TS 32.435 files into a directory (read back with the codec) and serves
/metrics and NETCONF over their sockets. /metrics and NETCONF answer with the state of the
moment, so they are read at chosen simulated instants: a run stops when its scenario ends and
keeps serving until closed, and the same seed gives the same run, so a reading at instant T
comes from a run whose scenario is cut at T (`instant`). Nothing here looks inside the
simulation.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from lxml import etree
from ncclient import NCClientError, manager
from paramiko import SSHException
from pydantic import BaseModel

from openipn.codecs import prom_text
from openipn.codecs.ts32435_pm import PmFile, Result
from openipn.codecs.ts32435_read import decode
from openipn.codecs.ves import Domain, VesEvent
from openipn.codecs.ves_parse import parse_body
from openipn.model.core import CoreFunction, EdgeNode, Upf
from openipn.model.dn import DnBook, split_dn
from openipn.model.document import SiteDocument
from openipn.model.radio import Cell, Gnb, ManagedElement
from openipn.model.services import Slice
from openipn.model.transport import PtpGrandmaster, TransportNode
from openipn.sitefile import parse_site_text
from openipn.twin.emit.http_thread import ServerThread
from openipn.twin.runner import Twin, TwinOptions
from openipn.twin.scenario import FaultSpec, Scenario
from openipn.twin.sim.naming import below_element

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.yaml"
START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai: a shift is running
SEED = 11
STEP_S = 10.0
GRANULARITY = dt.timedelta(minutes=1)
FAULT_AT = dt.timedelta(minutes=10)
FAULT_FOR = dt.timedelta(minutes=10)
RUN_FOR = dt.timedelta(minutes=25)
FAULT_END = FAULT_AT + FAULT_FOR


@dataclass(frozen=True)
class Window:
    """Simulated instants (begin, end]: the steps and PM periods that ended inside it."""

    begin: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, dt.datetime) and self.begin < moment <= self.end


def window(begin_min: float, end_min: float) -> Window:
    """A window by minute offsets from the run's start."""
    return Window(START + dt.timedelta(minutes=begin_min), START + dt.timedelta(minutes=end_min))


BASELINE = window(5, 10)  # settled: every terminal has powered on, registered, a session
FAULT = window(10, 20)  # every step in here ran with the fault active
SETTLED = window(14, 20)  # the fault's steady state, after the network has reacted
AFTER = window(22, 25)  # the fault has ended and the network has recovered


@functools.cache
def document() -> SiteDocument:
    """The small example site, parsed once (the twin never mutates it)."""
    return parse_site_text(SMALL.read_text(encoding="utf-8"))


HOSTED = ("gnbs", "transport_nodes", "core_functions", "upfs", "edge_nodes", "ptp_grandmasters")
Hosted = Gnb | TransportNode | CoreFunction | Upf | EdgeNode | PtpGrandmaster


def _named(section: str, name: str) -> BaseModel:
    for obj in document().objects(section):
        if getattr(obj, "name", None) == name:
            return obj
    raise KeyError(f"no {section} object named {name!r}")


def element_of_node(name: str) -> str:
    """The managed element hosting a gNB, transport node, core function, UPF, edge or clock."""
    for section in HOSTED:
        for obj in document().objects(section):
            if isinstance(obj, Hosted) and obj.name == name and obj.managed_element:
                return obj.managed_element
    raise KeyError(f"nothing named {name!r} is hosted by a managed element")


def source_of(element: str) -> str:
    """The VES sourceName of a managed element, as the site file configures it."""
    me = _named("managed_elements", element)
    assert isinstance(me, ManagedElement)
    return me.management.ves_source_name or element


def cell_object(cell: str, cls: str) -> tuple[str, str]:
    """(managed element, LDN suffix) of a cell's NRCellDU or NRCellCU object."""
    obj = _named("cells", cell)
    assert isinstance(obj, Cell)
    return element_of_node(obj.gnb), f",{cls}={obj.cell_local_id}"


def snssai(slice_name: str) -> tuple[str, str]:
    """A slice's S-NSSAI as a TS 28.552 subcounter suffix and as Open5GS's snssai label."""
    obj = _named("slices", slice_name)
    assert isinstance(obj, Slice) and obj.sd
    return f"{obj.sst:02X}{obj.sd}", f"{obj.sst}-{obj.sd}"


def fault_spec(kind: str, target: str, **params: float | str) -> FaultSpec:
    """One fault, active from FAULT_AT for FAULT_FOR."""
    return FaultSpec(
        id=f"t-{kind}", type=kind, target=target, at=FAULT_AT, duration=FAULT_FOR, params=params
    )


def scenario(faults: Iterable[FaultSpec] = (), until: dt.timedelta = RUN_FOR) -> Scenario:
    """The test scenario, cut at `until` simulated time after the start."""
    return Scenario(
        name="fault-symptoms",
        seed=SEED,
        start=START,
        duration=until,
        granularity=GRANULARITY,
        speed=None,
        faults=list(faults),
    )


# --- VES collector ---------------------------------------------------------------------------


class Collector:
    """A VES collector on 127.0.0.1 that keeps every event it is sent, parsed and as sent."""

    def __init__(self) -> None:
        self.events: list[VesEvent] = []
        self.raw: list[dict[str, Any]] = []
        app = FastAPI()

        @app.post("/eventListener/v7")
        @app.post("/eventListener/v7/eventBatch")
        async def listen(request: Request) -> Response:
            body = await request.json()
            self.events.extend(parse_body(body))
            self.raw.extend([body["event"]] if "event" in body else body["eventList"])
            return Response(status_code=202)

        self.server = ServerThread(app)

    def of_domain(self, domain: str) -> list[dict[str, Any]]:
        """The events of one domain, as sent."""
        return [e for e in self.raw if e["commonEventHeader"]["domain"] == domain]

    def take(self) -> list[VesEvent]:
        """Every event received so far; forgets them."""
        taken, self.events = self.events, []
        return taken


# --- /metrics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scrape:
    """Every core function's /metrics at one simulated instant, decoded."""

    at: dt.datetime
    families: Mapping[str, tuple[prom_text.MetricFamily, ...]]  # NF name -> families
    status: Mapping[str, int]  # NF name -> HTTP status (0: connection refused)

    def samples(self, nf: str, name: str, **labels: str) -> list[prom_text.Sample]:
        """Samples called `name` whose labels include `labels`."""
        return [
            s
            for family in self.families[nf]
            for s in family.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        ]

    def value(self, nf: str, name: str, **labels: str) -> float:
        """Sum over the matching series (KeyError if the function shows none)."""
        found = self.samples(nf, name, **labels)
        if not found:
            raise KeyError(f"{nf} shows no {name}{labels or ''} at {self.at:%H:%M:%S}")
        return math.fsum(s.value for s in found)

    def exposes(self, nf: str) -> bool:
        """True when the function's /metrics answered 200 with any sample."""
        return self.status.get(nf) == 200 and any(f.samples for f in self.families[nf])


def scrape(ports: Mapping[str, int], at: dt.datetime) -> Scrape:
    """GET /metrics from every core function's server; a failed answer exposes nothing."""
    families: dict[str, tuple[prom_text.MetricFamily, ...]] = {}
    status: dict[str, int] = {}
    with httpx.Client(timeout=10) as client:
        for nf, port in sorted(ports.items()):
            try:
                reply = client.get(f"http://127.0.0.1:{port}/metrics")
            except httpx.ConnectError:
                status[nf], families[nf] = 0, ()
                continue
            status[nf] = reply.status_code
            families[nf] = tuple(prom_text.decode(reply.text)) if reply.status_code == 200 else ()
    return Scrape(at, families, status)


# --- PM files --------------------------------------------------------------------------------


def element_of(pm: PmFile) -> str:
    """The managed element a PM file is about (its localDn `ManagedElement=<name>`)."""
    local_dn = pm.managed_element.local_dn or ""
    return local_dn.rpartition("ManagedElement=")[2].split(",", 1)[0]


def read_pm(directory: Path) -> list[PmFile]:
    """Every PM file in a directory, decoded, in name order."""
    return [decode(path) for path in sorted(directory.glob("A*.xml"))]


# --- a run as seen on the wire ---------------------------------------------------------------


@dataclass
class Wire:
    """What one run emitted: VES events, PM files and /metrics scrapes."""

    events: list[VesEvent]
    pm: list[PmFile]
    scrapes: dict[dt.timedelta, Scrape] = field(default_factory=dict)
    netconf: dict[str, NetconfReading] = field(default_factory=dict)  # at FAULT_END

    def of(
        self, domain: Domain, source: str | None = None, within: Window | None = None
    ) -> list[VesEvent]:
        """Events of a domain, optionally from one sourceName and within a window."""
        return [
            e
            for e in self.events
            if e.domain is domain
            and (source is None or e.source_name == source)
            and (within is None or e.last in within)
        ]

    def heartbeats(self, within: Window) -> Counter[str]:
        """Heartbeats per sourceName within a window."""
        return Counter(e.source_name for e in self.of(Domain.HEARTBEAT, within=within))

    def alarms(
        self,
        within: Window | None = None,
        *,
        condition: str | None = None,
        source: str | None = None,
        cleared: bool = False,
    ) -> list[VesEvent]:
        """Raises (or clears) of alarms, optionally of one alarmCondition and sourceName."""
        return [
            e
            for e in self.of(Domain.FAULT, source, within)
            if e.is_clear is cleared and (condition is None or _condition(e) == condition)
        ]

    def raised(self, condition: str, within: Window | None = None) -> set[tuple[str, str]]:
        """(sourceName, objectInstance) of the raises of one alarm condition."""
        return {
            (e.source_name, dict(e.alarm.additional).get("objectInstance", ""))
            for e in self.alarms(within, condition=condition)
            if e.alarm is not None
        }

    def notifications(self, change_type: str, within: Window | None = None) -> list[VesEvent]:
        """Notifications of one changeType (FileReady, ConfigurationChanged ...)."""
        return [
            e
            for e in self.of(Domain.NOTIFICATION, within=within)
            if e.notification is not None and e.notification.change_type == change_type
        ]

    def files(self, element: str, within: Window) -> list[PmFile]:
        """An element's PM files whose period ended within a window."""
        return [pm for pm in self.pm if element_of(pm) == element and pm.end_time in within]

    def counter(self, element: str, ldn_suffix: str, name: str, within: Window) -> list[Result]:
        """One counter of the object whose LDN ends with `ldn_suffix`, one value per period."""
        values = []
        for pm in self.files(element, within):
            found = [info.column(name) for info in pm.meas_infos if name in info.meas_types]
            row = [v for column in found for ldn, v in column.items() if ldn.endswith(ldn_suffix)]
            if len(row) != 1:
                raise KeyError(f"{element}: {len(row)} objects ...{ldn_suffix} report {name}")
            values.append(row[0])
        return values

    def total(self, element: str, ldn_suffix: str, name: str, within: Window) -> float:
        """Sum of a counter over the periods of a window (NIL counts as nothing)."""
        return math.fsum(_number(v) for v in self.counter(element, ldn_suffix, name, within))

    def mean(self, element: str, ldn_suffix: str, name: str, within: Window) -> float | None:
        """Mean of a counter over the periods of a window that report a value; None if none."""
        known = [
            _number(v) for v in self.counter(element, ldn_suffix, name, within) if v is not None
        ]
        return math.fsum(known) / len(known) if known else None

    def at(self, offset: dt.timedelta) -> Scrape:
        """The /metrics scrape taken `offset` after the start."""
        return self.scrapes[offset]


def _condition(event: VesEvent) -> str | None:
    return event.alarm.condition if event.alarm is not None else None


def _number(value: Result) -> float:
    if value is None:
        return 0.0
    if isinstance(value, str):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


# --- NETCONF --------------------------------------------------------------------------------

NRM = "urn:openipn:yang:openipn-nrm"
NETCONF_USER = NETCONF_PASSWORD = "openipn"
SESSION = {  # a plain ncclient session, as an operator's script would open it
    "username": NETCONF_USER,
    "password": NETCONF_PASSWORD,
    "hostkey_verify": False,
    "look_for_keys": False,
    "allow_agent": False,
    "timeout": 10,
}


@dataclass(frozen=True)
class NetconfReading:
    """One element's `<get>` answer (config and state), or why the session failed."""

    element: str
    xml: bytes | None
    error: str | None = None

    def cell(self, cell: str, leaf: str) -> str | None:
        """An attribute of one NRCellDU, found by its DN's keys (None when the answer lacks it)."""
        if self.xml is None:
            raise AssertionError(f"no NETCONF answer from {self.element}: {self.error}")
        below = below_element(DnBook.from_document(document()).cell_dn(cell))
        steps = "/".join(f"n:{cls}[n:id='{key}']" for cls, key in split_dn(below))
        found = etree.fromstring(self.xml).xpath(
            f"//{steps}/n:attributes/*[local-name()=$leaf]/text()",
            namespaces={"n": NRM},
            leaf=leaf,
        )
        return str(found[0]) if isinstance(found, list) and found else None


def read_netconf(port: int, element: str) -> NetconfReading:
    """`<get>` of one element's subtree over a plain ncclient session."""
    subtree = f'<ManagedElement xmlns="{NRM}"><id>{element}</id></ManagedElement>'
    try:
        with manager.connect(host="127.0.0.1", port=port, **SESSION) as session:
            return NetconfReading(
                element, session.get(filter=("subtree", subtree)).data_xml.encode()
            )
    except (NCClientError, SSHException, OSError) as exc:
        return NetconfReading(element, None, f"{type(exc).__name__}: {exc}")


# --- driving the twin ------------------------------------------------------------------------


def _options(pm_dir: Path, ves_url: str | None, netconf: bool) -> TwinOptions:
    return TwinOptions(
        pm_dir=pm_dir,
        ves_url=ves_url,
        step_s=STEP_S,
        netconf=netconf,
        netconf_user=NETCONF_USER,
        netconf_password=NETCONF_PASSWORD,
        provisioning_port=None,
    )


@dataclass(frozen=True)
class Instant:
    """What the management interfaces answered at one simulated instant."""

    scrape: Scrape
    netconf: Mapping[str, NetconfReading]


def instant(
    faults: tuple[FaultSpec, ...], offset: dt.timedelta, pm_dir: Path, netconf: Iterable[str] = ()
) -> Instant:
    """/metrics (and NETCONF of some elements) `offset` after the start: the same run, cut there."""
    wanted = tuple(netconf)
    twin = Twin(document(), scenario(faults, until=offset), _options(pm_dir, None, bool(wanted)))
    try:
        endpoints = twin.start()
        twin.run()
        readings = {e: read_netconf(endpoints["netconf"][e], e) for e in wanted}
        return Instant(scrape(endpoints["metrics"], START + offset), readings)
    finally:
        twin.close()


@functools.cache
def baseline_scrape() -> Scrape:
    """/metrics at FAULT_AT: every run's baseline, since no fault acts before."""
    with tempfile.TemporaryDirectory() as pm_dir:
        return instant((), FAULT_AT, Path(pm_dir)).scrape


def observe(
    faults: Iterable[FaultSpec], pm_dir: Path, collector: Collector, netconf: Iterable[str] = ()
) -> Wire:
    """A whole run on the wire, with /metrics at FAULT_AT, FAULT_END and RUN_FOR.

    `netconf` names elements whose NETCONF `<get>` is read at FAULT_END, in `Wire.netconf`.
    """
    chosen = tuple(faults)
    with tempfile.TemporaryDirectory() as scratch:
        during = instant(chosen, FAULT_END, Path(scratch), netconf)
    twin = Twin(document(), scenario(chosen), _options(pm_dir, collector.server.url, False))
    try:
        ports = twin.start()["metrics"]
        twin.run()
        after = scrape(ports, START + RUN_FOR)
    finally:
        twin.close()  # flushes every event to the collector first
    scrapes = {FAULT_AT: baseline_scrape(), FAULT_END: during.scrape, RUN_FOR: after}
    return Wire(collector.take(), read_pm(pm_dir), scrapes, dict(during.netconf))
