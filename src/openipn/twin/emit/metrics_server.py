"""Per-core-function Prometheus endpoints of the twin, behaving like Open5GS's metrics server.

Open5GS (standards.md §8.1; its ``lib/metrics/prometheus/context.c``) serves only GET:
``/`` answers ``OK`` (health check), ``/metrics`` answers the text exposition, and every
other path, ``/metrics/`` included, gets 400 "Bad Request"; other methods get 400
"Invalid HTTP Method". Each NF has its own server and port, as each Open5GS daemon does.
"""

from __future__ import annotations

import logging
import socketserver
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from openipn.codecs.open5gs_metrics import HEALTH_PATH, METRICS_PATH
from openipn.codecs.prom_text import CONTENT_TYPE, MetricFamily, encode

MetricsCallback = Callable[[], Sequence[MetricFamily]]

_LOG = logging.getLogger(__name__)
_TEXT = "text/plain; charset=utf-8"
_POLL_SECONDS = 0.05  # how fast serve_forever notices stop()


@dataclass(frozen=True)
class _Reply:
    status: HTTPStatus
    body: str
    content_type: str = _TEXT


_BAD_METHOD = _Reply(HTTPStatus.BAD_REQUEST, "Invalid HTTP Method\n")
_BAD_PATH = _Reply(HTTPStatus.BAD_REQUEST, "Bad Request\n")
_HEALTHY = _Reply(HTTPStatus.OK, "OK\n")


def stamped(families: Sequence[MetricFamily], timestamp_ms: int) -> list[MetricFamily]:
    """The families with every sample carrying this timestamp (text format 0.0.4 allows one).

    The twin runs on a simulated, often accelerated clock: the timestamp tells a scraper the
    simulated time the values belong to, so it can use event time rather than arrival time.
    """
    return [
        replace(family, samples=[replace(s, timestamp_ms=timestamp_ms) for s in family.samples])
        for family in families
    ]


def _metrics_reply(nf: str, callback: MetricsCallback) -> _Reply:
    try:
        return _Reply(HTTPStatus.OK, encode(callback()), CONTENT_TYPE)
    except Exception:
        _LOG.exception("metrics callback of %s failed", nf)
        return _Reply(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error\n")


def _reply_for(method: str, target: str, nf: str, callback: MetricsCallback) -> _Reply:
    if method != "GET":
        return _BAD_METHOD
    path = target.split("?", 1)[0]  # the query string is not part of the matched URL
    if path == HEALTH_PATH:
        return _HEALTHY
    if path == METRICS_PATH:
        return _metrics_reply(nf, callback)
    return _BAD_PATH


class _NfServer(ThreadingHTTPServer):
    """The HTTP server of one NF."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], nf: str, callback: MetricsCallback) -> None:
        self.nf = nf
        self.callback = callback
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Handler(BaseHTTPRequestHandler):
    server: _NfServer
    server_version = "openipn-twin"

    def _respond(self) -> None:
        reply = _reply_for(self.command, self.path, self.server.nf, self.server.callback)
        body = reply.body.encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _respond

    def log_message(self, format: str, *args: object) -> None:
        """Send access logs to logging instead of stderr."""
        _LOG.debug("%s %s: " + format, self.server.nf, self.address_string(), *args)


class MetricsServers:
    """One small HTTP server per NF, each on its own port of 127.0.0.1 (0 picks a free port)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._servers: dict[str, _NfServer] = {}
        self._threads: list[threading.Thread] = []

    def start(self, nfs: Mapping[str, tuple[int, MetricsCallback]]) -> dict[str, int]:
        """Bind and serve every NF; returns the actual port of each. All or none start."""
        if self._servers:
            raise RuntimeError("metrics servers already started")
        try:
            for name, (port, callback) in nfs.items():
                self._servers[name] = _NfServer((self.host, port), name, callback)
        except OSError:
            self._close()
            raise
        for name, server in self._servers.items():
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},
                name=f"metrics-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self.ports

    @property
    def ports(self) -> dict[str, int]:
        """Actual port of each NF's server."""
        return {name: server.server_port for name, server in self._servers.items()}

    def url(self, nf: str) -> str:
        """The scrape URL of one NF."""
        return f"http://{self.host}:{self._servers[nf].server_port}{METRICS_PATH}"

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and close every port; safe to call twice."""
        for server in self._servers.values():
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout)
        self._close()

    def _close(self) -> None:
        for server in self._servers.values():
            server.server_close()
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> MetricsServers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
