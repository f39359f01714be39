"""Service rules: slices anchored by UPFs, applications reachable at their edge, SIM bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from openipn.model.core import EdgeNode, Upf
from openipn.model.document import Issue, SiteDocument
from openipn.model.services import Application, Slice
from openipn.model.subscribers import SimProfile, Subscription, Terminal


def check_slices_anchored(doc: SiteDocument) -> Iterable[Issue]:
    """A slice that no UPF anchors cannot carry user-plane traffic."""
    anchored = {s for upf in doc.objects("upfs") if isinstance(upf, Upf) for s in upf.slices}
    for position, item in enumerate(doc.objects("slices")):
        if isinstance(item, Slice) and item.name not in anchored:
            yield Issue(f"{doc.path('slices', position)}", f"slice {item.name} has no UPF")


def check_application_edges(doc: SiteDocument) -> Iterable[Issue]:
    """An application's edge node must break out at a UPF that anchors the application's slice."""
    upfs = {u.name: u for u in doc.objects("upfs") if isinstance(u, Upf)}
    edges = {e.name: e for e in doc.objects("edge_nodes") if isinstance(e, EdgeNode)}
    for position, app in enumerate(doc.objects("applications")):
        if not isinstance(app, Application) or app.edge_node not in edges:
            continue
        upf = upfs.get(edges[app.edge_node].upf)
        if upf is not None and app.slice not in upf.slices:
            yield Issue(
                f"{doc.path('applications', position)}.edge_node",
                f"edge node {app.edge_node} breaks out at UPF {upf.name}, "
                f"which does not anchor slice {app.slice}",
            )


def check_profile_dnns(doc: SiteDocument) -> Iterable[Issue]:
    """Every DNN a SIM profile grants must be served by a UPF that anchors one of its slices."""
    upfs = [u for u in doc.objects("upfs") if isinstance(u, Upf)]
    for position, profile in enumerate(doc.objects("sim_profiles")):
        if not isinstance(profile, SimProfile):
            continue
        for index, dnn in enumerate(profile.dnns):
            serving = [u for u in upfs if dnn in u.dnns]
            if not serving:
                message = f"no UPF serves DNN {dnn!r}"
            elif not any(set(u.slices) & set(profile.slices) for u in serving):
                message = f"no UPF serving DNN {dnn!r} anchors any of the profile's slices"
            else:
                continue
            yield Issue(f"{doc.path('sim_profiles', position)}.dnns[{index}]", message)


def check_imei_bindings(doc: SiteDocument) -> Iterable[Issue]:
    """A SIM bound to an IMEI must sit in the terminal with that IMEI."""
    subs = {s.supi: s for s in doc.objects("subscriptions") if isinstance(s, Subscription)}
    for position, terminal in enumerate(doc.objects("terminals")):
        if not isinstance(terminal, Terminal) or terminal.supi not in subs:
            continue
        bound = subs[terminal.supi].imei
        if bound and terminal.imei and bound[:14] != terminal.imei[:14]:
            yield Issue(
                f"{doc.path('terminals', position)}.imei",
                f"{terminal.imei} differs from the IMEI {bound} "
                f"that SIM {terminal.supi} is bound to",
            )


SERVICE_CHECKS: tuple[Callable[[SiteDocument], Iterable[Issue]], ...] = (
    check_slices_anchored,
    check_application_edges,
    check_profile_dnns,
    check_imei_bindings,
)
