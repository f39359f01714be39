"""A stable address for the twin's /metrics servers, known before the twin starts.

The platform starts first and reads its scrape targets once, but the twin picks its /metrics
ports when it starts. The platform therefore scrapes `http://127.0.0.1:<proxy>/<function>/metrics`
and this proxy forwards to the port the twin wrote to its endpoints file (503 while the twin is
not running, so a stopped twin shows as scrape failures on the platform's /metrics).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

FORWARD_TIMEOUT_S = 5.0


class MetricsProxy:
    """Forwards GET /<function>/metrics to the twin's server of that function."""

    def __init__(self, endpoints: Path) -> None:
        """Forward to the ports listed under `metrics` in ``endpoints`` (read when it appears)."""
        self._endpoints = endpoints
        self._ports: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics-proxy", daemon=True
        )

    @property
    def port(self) -> int:
        """The port the platform scrapes."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def forget(self) -> None:
        """The twin stopped: its ports mean nothing now."""
        self._ports = {}

    def target_port(self, function: str) -> int | None:
        """The twin's /metrics port of ``function``, once the twin has written its endpoints."""
        if not self._ports and self._endpoints.exists():
            try:
                data: dict[str, Any] = json.loads(self._endpoints.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None  # being written; the next scrape reads it
            self._ports = {str(k): int(v) for k, v in (data.get("metrics") or {}).items()}
        return self._ports.get(function)


def _handler_class(proxy: MetricsProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            function, _, rest = self.path.strip("/").partition("/")
            port = proxy.target_port(function)
            if port is None or rest != "metrics":
                self._reply(503, b"the twin is not serving this function now\n", "text/plain")
                return
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=FORWARD_TIMEOUT_S)
            except httpx.HTTPError:
                self._reply(503, b"the twin did not answer\n", "text/plain")
                return
            kind = answer.headers.get("content-type", "text/plain")
            self._reply(answer.status_code, answer.content, kind)

        def _reply(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """No access log on the terminal."""

    return Handler
