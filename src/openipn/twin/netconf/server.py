"""NETCONF over SSH (RFC 6242) with paramiko: one listener per managed element of the site."""

from __future__ import annotations

import contextlib
import hmac
import io
import logging
import socket
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openipn.codecs.nrm_yang import MANAGED_ELEMENT, Tree
from openipn.model.document import SiteDocument
from openipn.twin.netconf.datastore import Datastore, Datastores
from openipn.twin.netconf.rpc import ElementHooks
from openipn.twin.netconf.session import NetconfSession, SessionRegistry
from openipn.twin.netconf.site import datastore_from_site, element_datastore

log = logging.getLogger(__name__)

SUBSYSTEM = "netconf"  # RFC 6242 §3
ACCEPT_POLL_S = 0.2


def generate_host_key() -> paramiko.PKey:
    """A fresh ed25519 SSH host key (one per twin run)."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return paramiko.Ed25519Key.from_private_key(io.StringIO(pem.decode()))


class _SshServer(paramiko.ServerInterface):  # type: ignore[misc]
    """Password authentication and the `netconf` subsystem for one element's listener."""

    def __init__(self, server: NetconfServer) -> None:
        self._server = server

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        user_ok = hmac.compare_digest(username.encode(), self._server.username.encode())
        password_ok = hmac.compare_digest(password.encode(), self._server.password.encode())
        if user_ok and password_ok and self._server.accepting:
            return int(paramiko.AUTH_SUCCESSFUL)
        return int(paramiko.AUTH_FAILED)

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return int(paramiko.OPEN_SUCCEEDED)
        return int(paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED)

    def check_channel_subsystem_request(self, channel: Any, name: str) -> bool:
        if name != SUBSYSTEM:
            return False
        self._server.open_session(channel)
        return True


class NetconfServer:
    """The NETCONF server of one managed element on its own TCP port."""

    def __init__(
        self,
        element: str,
        running: Tree,
        *,
        username: str,
        password: str,
        hooks: ElementHooks | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        host_key: paramiko.PKey | None = None,
    ) -> None:
        self.element, self.username, self.password = element, username, password
        self.hooks = hooks or ElementHooks()
        self.datastores = Datastores(
            element, running, self.hooks.on_commit, self.hooks.check_commit
        )
        self.sessions = SessionRegistry()
        self._address = (host, port)
        self._host_key = host_key
        self._listener: socket.socket | None = None
        self._transports: list[paramiko.Transport] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.accepting = True  # False while the element refuses sessions (expired certificate)

    @property
    def port(self) -> int:
        """The TCP port the server listens on (the real one when started with port 0)."""
        if self._listener is None:
            return self._address[1]
        return int(self._listener.getsockname()[1])

    @property
    def running(self) -> Tree:
        """A copy of the running configuration."""
        return self.datastores.read(Datastore.RUNNING)

    def start(self) -> int:
        """Listen and accept connections in a background thread; return the port."""
        if self._host_key is None:
            self._host_key = generate_host_key()
        self._listener = socket.create_server(self._address)
        self._listener.settimeout(ACCEPT_POLL_S)
        self._thread = threading.Thread(
            target=self._accept_loop, name=f"netconf-listen-{self.element}", daemon=True
        )
        self._thread.start()
        log.info("NETCONF server of %s on %s:%d", self.element, self._address[0], self.port)
        return self.port

    def stop(self) -> None:
        """Close every session and the listener."""
        self._stopping.set()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept() on Linux
            self._listener.close()
        if self._thread is not None:
            self._thread.join()
        self.datastores.close()  # no rollback callbacks into a stopping simulation
        for session in self.sessions.all():
            session.terminate()
        for transport in self._transports:
            transport.close()
        self._transports.clear()

    def open_session(self, channel: Any) -> None:
        """Start a NETCONF session on a channel that asked for the subsystem."""
        session = NetconfSession(
            channel,
            self.sessions.next_id(),
            element=self.element,
            datastores=self.datastores,
            hooks=self.hooks,
            registry=self.sessions,
        )
        session.start()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            transport = paramiko.Transport(connection)
            transport.add_server_key(self._host_key)
            # An event makes start_server return at once; the transport thread negotiates.
            transport.start_server(event=threading.Event(), server=_SshServer(self))
            self._transports = [t for t in self._transports if t.is_active()] + [transport]


class NetconfSite:
    """One NetconfServer per managed element, sharing one host key and one set of hooks."""

    def __init__(
        self,
        datastore: Tree,
        *,
        username: str,
        password: str,
        hooks: ElementHooks | None = None,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
    ) -> None:
        key = generate_host_key()
        self.servers: dict[str, NetconfServer] = {
            element: NetconfServer(
                element,
                element_datastore(datastore, element),
                username=username,
                password=password,
                hooks=hooks,
                host=host,
                port=(ports or {}).get(element, 0),
                host_key=key,
            )
            for element in datastore.get(MANAGED_ELEMENT.name, {})
        }

    def set_local(self, element: str, path: str, leaf: str, value: Any) -> bool:
        """Show a change the element made itself in its datastores (see Datastores.set_local)."""
        server = self.servers.get(element)
        return server is not None and server.datastores.set_local(path, leaf, value)

    def refuse_sessions(self, elements: set[str]) -> None:
        """Elements in `elements` refuse new sessions (e.g. their certificate expired)."""
        for element, server in self.servers.items():
            server.accepting = element not in elements

    @classmethod
    def from_site(cls, document: SiteDocument, **options: Any) -> NetconfSite:
        """Servers for every managed element of a site document (see datastore_from_site)."""
        return cls(datastore_from_site(document), **options)

    @property
    def ports(self) -> dict[str, int]:
        """Element name -> the port its server listens on."""
        return {element: server.port for element, server in self.servers.items()}

    def start(self) -> dict[str, int]:
        """Start every server; stop those already started if one fails. Returns the ports."""
        started: list[NetconfServer] = []
        try:
            for server in self.servers.values():
                server.start()
                started.append(server)
        except OSError:
            for server in started:
                server.stop()
            raise
        return self.ports

    def stop(self) -> None:
        """Stop every server."""
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> NetconfSite:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
