"""Helpers for the scraper tests: an Open5GS-like AMF/UPF on real HTTP with values we set."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from openipn.codecs.open5gs_metrics import MetricValue, families_for
from openipn.codecs.prom_text import MetricFamily
from openipn.store.telemetry.api import Sample, TelemetryStore
from openipn.twin.emit.metrics_server import MetricsServers, stamped

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
AMF_DN = "ManagedElement=me-core-1,AMFFunction=amf-1"
UPF_DN = "ManagedElement=me-upf-1,UPFFunction=upf-1"


@dataclass
class FakeNf:
    """The values one NF shows and the (simulated) time it stamps them with."""

    nf_type: str
    values: dict[str, MetricValue] = field(default_factory=dict)
    at: dt.datetime | None = T0  # None: samples carry no timestamp
    down: bool = False

    def families(self) -> list[MetricFamily]:
        if self.down:
            raise RuntimeError("not running")
        families = families_for(self.nf_type, self.values)
        if self.at is None:
            return families
        return stamped(families, int(self.at.timestamp() * 1000))


def serve(nfs: dict[str, FakeNf]) -> tuple[MetricsServers, dict[str, str]]:
    """The twin's own /metrics servers on 127.0.0.1, one per fake NF; returns their URLs."""
    servers = MetricsServers()
    servers.start({name: (0, nf.families) for name, nf in nfs.items()})
    return servers, {name: servers.url(name) for name in nfs}


class RawServer:
    """A tiny HTTP server answering every GET with a fixed body, optionally after a delay."""

    def __init__(self, body: str, delay_s: float = 0.0) -> None:
        outer = self
        self.body, self.delay = body, threading.Event()
        self.delay_s = delay_s

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if outer.delay_s:
                    outer.delay.wait(outer.delay_s)
                data = outer.body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/metrics"

    def close(self) -> None:
        self.delay.set()
        self.server.shutdown()
        self.server.server_close()


def stored(
    store: TelemetryStore, prefix: str = "", objects: list[str] | None = None
) -> dict[tuple[str, str, dt.datetime, int], float]:
    """Everything in the store as {(object, measurement, start, seconds): value}."""
    names = store.measurement_names(prefix)
    if not names:
        return {}
    rows: list[Sample] = store.samples(
        measurements=names,
        objects=objects,
        start=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
    )
    return {(s.object, s.measurement, s.start, s.seconds): s.value for s in rows}
