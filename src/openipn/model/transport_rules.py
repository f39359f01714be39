"""Transport warnings: topology nodes that no link connects to the rest of the network.

These are warnings, not errors: a network may be built in steps (radio first, transport
later) and is still stored, but a node without a link cannot carry traffic until it has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from openipn.model.document import Issue, SiteDocument
from openipn.model.kinds import BY_SECTION, object_key
from openipn.model.transport import Link

# (section, label, why a node of it needs a link): the nodes whose service needs transport.
NEEDS_A_LINK: tuple[tuple[str, str, str], ...] = (
    (
        "gnbs",
        "gNB",
        "it cannot reach its AMF (N2) or UPF (N3) (TS 23.501 §4.2.3); add a link to a switch "
        "or to the core",
    ),
)


def linked_nodes(doc: SiteDocument) -> set[str]:
    """Every node named as an end of a link, whatever the link's state."""
    return {end for link in doc.typed("links", Link) for end in (link.a, link.b)}


def check_unlinked_nodes(doc: SiteDocument) -> Iterable[Issue]:
    """A gNB (or other node that needs transport) that no link connects."""
    linked = linked_nodes(doc)
    for section, label, why in NEEDS_A_LINK:
        spec = BY_SECTION[section]
        for position, obj in enumerate(doc.objects(section)):
            name = object_key(spec, obj)
            if name not in linked:
                yield Issue(doc.path(section, position), f"{label} {name} has no link: {why}")


TRANSPORT_WARNINGS: tuple[Callable[[SiteDocument], Iterable[Issue]], ...] = (check_unlinked_nodes,)
