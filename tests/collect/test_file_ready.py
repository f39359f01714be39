"""FileReady notifications: announced PM files are fetched (file://, http://) and ingested."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from openipn.codecs import ves
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import StoredEvent
from openipn.collect.file_ready import FileReadyHandler
from openipn.collect.pm_intake import Outcome, PmIntake
from openipn.store.telemetry.parquet_store import open_telemetry_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
GNB = FIXTURES / "A20250301.1000+0000-1015+0000_gnb-7.xml"
QUIRKS = FIXTURES / "D20250301.1000+0000-1015+0000_quirks.xml"
AT = dt.datetime(2025, 3, 1, 10, 15, tzinfo=dt.UTC)
SOURCE = ves.EventSource(name="gnb-7", nf_type="gNB")


def stored(files: list[ves.PmFile], position: int = 1) -> StoredEvent:
    raw = ves.file_ready_event(SOURCE, at=AT, sequence=position, files=files)
    return StoredEvent(position, AT, parse_event(raw), raw)


@pytest.fixture
def handler(tmp_path: Path) -> Iterator[FileReadyHandler]:
    store = open_telemetry_store(tmp_path / "telemetry", durable=False)
    intake = PmIntake(store, tmp_path / "quarantine")
    ready = FileReadyHandler(intake, allowed_dirs=[tmp_path / "pm"])
    yield ready
    ready.close()
    store.close()


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "served"
    root.mkdir()
    serve = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), serve)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def test_file_uri_is_ingested_once(handler: FileReadyHandler, tmp_path: Path) -> None:
    pm_dir = tmp_path / "pm"
    pm_dir.mkdir()
    path = pm_dir / GNB.name
    path.write_bytes(GNB.read_bytes())
    announced = ves.PmFile(GNB.name, path.as_uri(), compression=ves.Compression.NONE)
    assert ves.Domain.NOTIFICATION in handler.domains
    handler.handle([stored([announced])])
    assert [(r.outcome, r.rows) for r in handler.results] == [(Outcome.STORED, 8)]
    handler.handle([stored([announced], 2)])  # redelivery: nothing stored twice
    assert [r.outcome for r in handler.results] == [Outcome.DUPLICATE]


def test_http_gzip_file_is_fetched(handler: FileReadyHandler, http_dir: tuple[str, Path]) -> None:
    base, root = http_dir
    (root / "q.xml.gz").write_bytes(gzip.compress(QUIRKS.read_bytes()))
    announced = ves.PmFile("q.xml.gz", f"{base}/q.xml.gz", compression=ves.Compression.GZIP)
    handler.handle([stored([announced])])
    assert [(r.outcome, r.rows) for r in handler.results] == [(Outcome.STORED, 12)]


def test_gone_or_forbidden_locations_are_skipped(
    handler: FileReadyHandler, http_dir: tuple[str, Path], tmp_path: Path
) -> None:
    secret = tmp_path / "elsewhere.xml"
    secret.write_bytes(GNB.read_bytes())
    files = [
        ves.PmFile("a.xml", secret.as_uri()),  # outside the allowed directories
        ves.PmFile("b.xml", (tmp_path / "pm" / "missing.xml").as_uri()),
        ves.PmFile("c.xml", f"{http_dir[0]}/missing.xml"),  # 404
        ves.PmFile("d.csv", f"{http_dir[0]}/d.csv", format_type="vendor#csv"),
    ]
    handler.handle([stored(files)])
    assert handler.results == []
    assert not (tmp_path / "quarantine").exists()


def test_server_error_raises_for_redelivery(handler: FileReadyHandler) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    announced = ves.PmFile("x.xml", f"http://127.0.0.1:{port}/x.xml")
    with pytest.raises(Exception, match=r"[Cc]onnect"):
        handler.handle([stored([announced])])


def test_other_notifications_are_ignored(handler: FileReadyHandler) -> None:
    raw = ves.config_change_event(SOURCE, at=AT, sequence=1, changes={"a": "b"})
    handler.handle([StoredEvent(1, AT, parse_event(raw), raw)])
    assert handler.results == []
