"""NETCONF-over-SSH server of the twin (openipn-nrm YANG).

One listener per managed element: each element of the site gets its own TCP port on the
configured host (port 0 picks a free port; `NetconfSite.ports` reports the real ones).
"""

from openipn.twin.netconf.datastore import CommitCallback, Datastore, Datastores
from openipn.twin.netconf.rpc import ElementHooks, RestartCallback, StateCallback
from openipn.twin.netconf.server import NetconfServer, NetconfSite, generate_host_key
from openipn.twin.netconf.session import CAPABILITIES
from openipn.twin.netconf.site import datastore_from_site, element_datastore

__all__ = [
    "CAPABILITIES",
    "CommitCallback",
    "Datastore",
    "Datastores",
    "ElementHooks",
    "NetconfServer",
    "NetconfSite",
    "RestartCallback",
    "StateCallback",
    "datastore_from_site",
    "element_datastore",
    "generate_host_key",
]
