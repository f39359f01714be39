"""Period report parts of the infrastructure: transport ports, PTP clocks and edge servers.

Vendor counters (`VS.`): port octets, utilisation, discards and egress queueing delay (µs) per
`EP_RP`; per `PtpClock` the largest time error of the period (ns) and, at grandmasters, the
clockClass (ITU-T G.8275.1).
"""

from __future__ import annotations

from collections.abc import Iterator

from openipn.twin.sim.naming import clock_ldn, function_ldn, port_ldn
from openipn.twin.sim.report_base import MICROSECONDS, Measurement, ReportContext, Value
from openipn.twin.sim.report_base import rounded as _r
from openipn.twin.sim.report_base import whole as _i
from openipn.twin.sim.sampling import clock_nodes


def transport(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    """Both ends of every transport link, on the switches and bridges that have an element."""
    world, acc = ctx.world, ctx.acc
    n = len(world.links)
    ab, ba = acc.sum("link.ab_oct", (n,)), acc.sum("link.ba_oct", (n,))
    util, drops = acc.sum("link.util", (n,)), acc.sum("link.drop_oct", (n,))
    delay, delay_max = acc.sum("link.delay", (n,)), acc.max("link.delay", (n,))
    steps = max(acc.steps, 1)
    for i, name in enumerate(world.links.names):
        for end, out_oct, in_oct in (
            (world.links.a[i], ab[i], ba[i]),
            (world.links.b[i], ba[i], ab[i]),
        ):
            if end not in world.transport.index:
                continue
            me = int(world.transport.me[world.transport.index[end]])
            if me < 0:
                continue
            element = world.elements.names[me]
            values: dict[str, Value] = {
                "VS.IfOutOctets": _i(out_oct),
                "VS.IfInOctets": _i(in_oct),
                "VS.IfUtilMean": _r(util[i] / steps * 100.0),
                "VS.IfDiscardOctets": _i(drops[i]),
                "VS.IfDelayMean": _r(delay[i] / steps * MICROSECONDS),
                "VS.IfDelayMax": _r(delay_max[i] * MICROSECONDS),
            }
            yield element, ("EP_RP", port_ldn(world, element, name), values)


def clocks(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    """Every PTP clock on an element: time error (ns); grandmasters add their clockClass."""
    world, acc = ctx.world, ctx.acc
    if not acc.steps:
        return
    nodes = clock_nodes(world)
    time_error = acc.max("clock.te_ns", (len(nodes),))
    clock_class = dict(
        zip(
            world.grandmasters.names,
            acc.latest("gm.class", (len(world.grandmasters),)).tolist(),
            strict=True,
        )
    )
    for k, node in enumerate(nodes):
        me = world.node_element.get(node, -1)
        if me < 0:
            continue
        element = world.elements.names[me]
        values: dict[str, Value] = {"VS.PtpTimeErrorMax": _i(time_error[k])}
        if node in clock_class:
            values["VS.PtpClockClass"] = _i(clock_class[node])
        yield element, ("PtpClock", clock_ldn(world, element, node), values)


def edges(ctx: ReportContext) -> Iterator[tuple[str, Measurement]]:
    """The users each edge application server serves (NIL while it is down)."""
    world, acc = ctx.world, ctx.acc
    ues = acc.sum("edge.ues", (len(world.edges),))
    for e, name in enumerate(world.edges.names):
        if world.edges.me[e] >= 0:
            element = world.elements.names[world.edges.me[e]]
            known = bool(ctx.edge_up[e]) and acc.steps > 0
            value = _r(ues[e] / acc.steps) if known else None
            yield (
                element,
                ("EASFunction", function_ldn(world, "edge", name), {"VS.EasActiveUeMean": value}),
            )
