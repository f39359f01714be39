"""One NETCONF session on an SSH channel: hello exchange, framing and the RPC loop."""

from __future__ import annotations

import logging
import threading
from typing import Any

from lxml import etree

from openipn.codecs.nrm_yang import BASE_NS, NRM_CAPABILITY, RpcError, nsmap, parse_xml, q
from openipn.twin.netconf.datastore import Datastores
from openipn.twin.netconf.framing import FrameReader, FramingError, frame
from openipn.twin.netconf.rpc import ElementHooks, handle_message

log = logging.getLogger(__name__)

BASE_1_0 = "urn:ietf:params:netconf:base:1.0"
BASE_1_1 = "urn:ietf:params:netconf:base:1.1"
CAPABILITIES: tuple[str, ...] = (
    BASE_1_0,
    BASE_1_1,
    "urn:ietf:params:netconf:capability:candidate:1.0",
    "urn:ietf:params:netconf:capability:confirmed-commit:1.1",
    "urn:ietf:params:netconf:capability:validate:1.1",
    "urn:ietf:params:netconf:capability:rollback-on-error:1.0",
    NRM_CAPABILITY,
)
RECEIVE_BYTES = 65536


class HelloError(ValueError):
    """The client's <hello> breaks RFC 6241 §8.1; the session is closed."""


class SessionRegistry:
    """The open sessions of one server, with the session-id counter (RFC 6241 §8.1)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._sessions: dict[int, NetconfSession] = {}
        self._next_id = 1

    def next_id(self) -> int:
        """A fresh session-id (non-zero)."""
        with self._guard:
            session_id, self._next_id = self._next_id, self._next_id + 1
            return session_id

    def add(self, session: NetconfSession) -> None:
        """Register an open session."""
        with self._guard:
            self._sessions[session.session_id] = session

    def remove(self, session_id: int) -> None:
        """Forget a closed session."""
        with self._guard:
            self._sessions.pop(session_id, None)

    def get(self, session_id: int) -> NetconfSession | None:
        """The open session with that id, if any."""
        with self._guard:
            return self._sessions.get(session_id)

    def all(self) -> list[NetconfSession]:
        """Every open session."""
        with self._guard:
            return list(self._sessions.values())


def hello_message(session_id: int) -> bytes:
    """The server's <hello> with its capabilities and the session-id."""
    hello = etree.Element(q(BASE_NS, "hello"), nsmap=nsmap(BASE_NS))
    capabilities = etree.SubElement(hello, q(BASE_NS, "capabilities"))
    for uri in CAPABILITIES:
        etree.SubElement(capabilities, q(BASE_NS, "capability")).text = uri
    etree.SubElement(hello, q(BASE_NS, "session-id")).text = str(session_id)
    return etree.tostring(hello, xml_declaration=True, encoding="UTF-8")


def client_capabilities(message: bytes) -> set[str]:
    """Capabilities of a client <hello>; HelloError if it is not a valid client hello."""
    try:
        root = parse_xml(message)
    except RpcError as exc:
        raise HelloError(str(exc)) from None
    if root.tag != q(BASE_NS, "hello"):
        raise HelloError(f"expected <hello>, got {etree.QName(root).localname}")
    if root.find(q(BASE_NS, "session-id")) is not None:
        raise HelloError("a client <hello> must not carry a session-id")  # RFC 6241 §8.1
    found = {(c.text or "").strip() for c in root.iterfind(f"{{{BASE_NS}}}capabilities/*")}
    if not found & {BASE_1_0, BASE_1_1}:
        raise HelloError("the client supports neither base:1.0 nor base:1.1")
    return found


class NetconfSession:
    """Serves one SSH channel of the `netconf` subsystem until either side closes it."""

    def __init__(
        self,
        channel: Any,
        session_id: int,
        *,
        element: str,
        datastores: Datastores,
        hooks: ElementHooks,
        registry: SessionRegistry,
    ) -> None:
        self.channel = channel
        self.session_id = session_id
        self.element = element
        self.datastores = datastores
        self.hooks = hooks
        self.registry = registry
        self.chunked = False
        self._reader = FrameReader()
        self._closing = False
        self._hello_done = False
        self._thread = threading.Thread(
            target=self._run, name=f"netconf-{element}-{session_id}", daemon=True
        )

    def start(self) -> None:
        """Register the session and serve it in its own thread."""
        self.registry.add(self)
        self._thread.start()

    def close_after_reply(self) -> None:
        """close-session: end once the current reply is sent (RFC 6241 §7.8)."""
        self._closing = True

    def kill(self, session_id: int) -> bool:
        """kill-session: terminate another session of this server (RFC 6241 §7.9)."""
        other = self.registry.get(session_id)
        if other is None or other is self:
            return False
        other.terminate()
        return True

    def terminate(self) -> None:
        """Close the channel now, releasing locks and pending confirmed commits."""
        self._closing = True
        self.datastores.session_closed(self.session_id)
        self.channel.close()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the session thread to end."""
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._send(hello_message(self.session_id))
            self._serve()
        except (HelloError, FramingError) as exc:
            log.warning("closing NETCONF session %s of %s: %s", self.session_id, self.element, exc)
        except (OSError, EOFError) as exc:
            log.debug("NETCONF session %s of %s ended: %s", self.session_id, self.element, exc)
        finally:
            self.datastores.session_closed(self.session_id)
            self.registry.remove(self.session_id)
            self.channel.close()

    def _serve(self) -> None:
        while not self._closing:
            data = self.channel.recv(RECEIVE_BYTES)
            if not data:
                return
            self._reader.feed(data)
            while not self._closing and (message := self._reader.pop()) is not None:
                if self._hello_done:
                    self._send(handle_message(self, message))
                else:
                    self._receive_hello(message)

    def _receive_hello(self, message: bytes) -> None:
        """Pick the framing: chunked when both sides speak base:1.1 (RFC 6242 §4.1)."""
        capabilities = client_capabilities(message)
        self.chunked = BASE_1_1 in capabilities
        self._reader.chunked = self.chunked
        self._hello_done = True

    def _send(self, message: bytes) -> None:
        self.channel.sendall(frame(message, chunked=self.chunked))
