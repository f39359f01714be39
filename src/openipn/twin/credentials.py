"""The twin's default management credentials: a test bed's, documented, and settable.

The twin stands in for equipment on 127.0.0.1; like a device out of its box it has known
defaults (the README's twin section), and `openipn twin --netconf-user/--netconf-password` (or
OPENIPN_TWIN_NETCONF_USER / OPENIPN_TWIN_NETCONF_PASSWORD) replaces them.
"""

from __future__ import annotations

TWIN_NETCONF_USER = "openipn"
TWIN_NETCONF_PASSWORD = "openipn"  # documented default of an emulator, not a secret
