"""Terminal status, history, status list, SLA and latency map over HTTP, fed by the twin.

The twin's simulation of examples/small.yaml runs three minutes; its terminal report events go
through the platform's handler into the database and a real telemetry store; the API reads them.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import API, YAML, assert_problem
from fastapi import FastAPI
from fastapi.testclient import TestClient

from openipn.api import create_app
from openipn.api.sla import sla_router
from openipn.api.terminals import terminals_router
from openipn.app import Services
from openipn.codecs.ves_parse import parse_event
from openipn.collect.events import StoredEvent
from openipn.collect.terminals import TerminalStatusHandler
from openipn.sitefile import parse_site_text
from openipn.store.telemetry.parquet_store import open_telemetry_store
from openipn.twin.emit.terminal_reports import reporter_for
from openipn.twin.sim.engine import Simulation
from openipn.twin.sim.impairments import Impairments

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(minutes=3)
SILENT = "qccam-ws1-008"  # in the model, never reported


@functools.cache
def twin_events() -> list[dict[str, Any]]:
    """Three minutes of terminal reports of the small site, without SILENT."""
    sim = Simulation(parse_site_text(SMALL.read_text(encoding="utf-8")), seed=4, start=START)
    reporter = reporter_for(sim, 60.0, "terminal-monitor", "OpenIPN twin")
    assert reporter is not None
    sequence = iter(range(1, 1000)).__next__
    events = []
    for _ in range(18):
        events += reporter.events(sim.step(Impairments()).terminals, sim.now, sequence)
    for event in events:
        block = event["measurementFields"]
        block["additionalMeasurements"] = [
            m for m in block["additionalMeasurements"] if m["name"] != SILENT
        ]
    return events


def with_terminal_routes(app: FastAPI) -> FastAPI:
    """Mount the routers as the lead will: before the collection's /terminals/{name:path}."""
    count = len(app.router.routes)
    app.include_router(terminals_router())
    app.include_router(sla_router())
    added = app.router.routes[count:]
    del app.router.routes[count:]
    app.router.routes[0:0] = added
    return app


@pytest.fixture
def client(services: Services, tmp_path: Path) -> Iterator[TestClient]:
    """A client of an API whose store holds small.yaml and three minutes of its reports."""
    telemetry = open_telemetry_store(tmp_path / "telemetry")
    handler = TerminalStatusHandler(services.engine, telemetry)
    stored = [
        StoredEvent(i, dt.datetime.now(dt.UTC), parse_event(e), e)
        for i, e in enumerate(copy.deepcopy(twin_events()))
    ]
    handler.handle(stored)
    app = with_terminal_routes(create_app(services))
    app.state.telemetry = telemetry
    try:
        with TestClient(app, raise_server_exceptions=False) as test_client:
            response = test_client.post(
                f"{API}/apply", content=SMALL.read_text(encoding="utf-8"), headers=YAML
            )
            assert response.status_code == 200, response.text
            yield test_client
    finally:
        telemetry.close()


def last_values(name: str) -> dict[str, str]:
    last = twin_events()[-1]["measurementFields"]["additionalMeasurements"]
    found: dict[str, str] = next(m["hashMap"] for m in last if m["name"] == name)
    return found


def test_status_of_a_reporting_terminal(client: TestClient) -> None:
    body = client.get(f"{API}/terminals/agv-ws1-001/status").json()
    sent = last_values("agv-ws1-001")
    assert body["telemetry"] == "reporting" and body["in_model"] is True
    assert dt.datetime.fromisoformat(body["reported_at"]) == END
    assert body["registered"] is (sent["registered"] == "true")
    assert body["cell"] == sent.get("cell") and body["slice"] == sent["snssai"]
    assert body["position"]["x_m"] == pytest.approx(float(sent["xM"]))
    if "latencyMs" in sent:
        assert body["latency_ms"] == pytest.approx(float(sent["latencyMs"]))
    model = client.get(f"{API}/terminals/agv-ws1-001").json()  # the model route still answers
    assert model["application"] == "agv-control"


def test_unknown_and_silent_terminals(client: TestClient) -> None:
    assert_problem(client.get(f"{API}/terminals/no-such/status"), 404)
    assert_problem(client.get(f"{API}/terminals/no-such/history"), 404)
    body = client.get(f"{API}/terminals/{SILENT}/status").json()
    assert body == {"terminal": SILENT, "telemetry": "none", "reported_at": None, "in_model": True}


def test_history_of_a_terminal(client: TestClient) -> None:
    body = client.get(f"{API}/terminals/agv-ws1-001/history").json()
    starts = [dt.datetime.fromisoformat(i["start"]) for i in body["items"]]
    assert starts == [START, START + dt.timedelta(minutes=1), START + dt.timedelta(minutes=2)]
    assert all(i["seconds"] == 60 for i in body["items"])
    assert body["items"][-1]["x_m"] == pytest.approx(float(last_values("agv-ws1-001")["xM"]))
    narrow = client.get(
        f"{API}/terminals/agv-ws1-001/history",
        params={"from": (START + dt.timedelta(minutes=2)).isoformat(), "to": END.isoformat()},
    ).json()
    assert len(narrow["items"]) == 1
    bad = client.get(
        f"{API}/terminals/agv-ws1-001/history",
        params={"from": END.isoformat(), "to": START.isoformat()},
    )
    assert_problem(bad, 422)


def test_status_list_filters_and_pages(client: TestClient) -> None:
    everything = client.get(f"{API}/terminal-status", params={"page_size": 5}).json()
    assert everything["total"] == 19 and len(everything["items"]) == 5
    names = [i["terminal"] for i in everything["items"]]
    assert names == sorted(names)
    by_slice = client.get(f"{API}/terminal-status", params={"slice": "embb-vision"}).json()
    assert by_slice["total"] == 7  # eight cameras, one silent
    assert {i["slice"] for i in by_slice["items"]} == {"01000002"}
    cell = everything["items"][0]["cell"]
    if cell is not None:
        in_cell = client.get(f"{API}/terminal-status", params={"cell": cell}).json()
        assert in_cell["total"] >= 1 and {i["cell"] for i in in_cell["items"]} == {cell}
    registered = client.get(f"{API}/terminal-status", params={"registered": "false"}).json()
    assert all(not i["registered"] for i in registered["items"])


def test_sla_and_latency_map(client: TestClient) -> None:
    sla = client.get(f"{API}/sla").json()
    assert dt.datetime.fromisoformat(sla["to"]) == END  # anchored at the newest report
    agv = next(a for a in sla["applications"] if a["name"] == "agv-control")
    assert agv["latency"]["reports"]["total"] == 3 * 6
    assert agv["latency"]["intervals"]["measured"] == 3
    qc = next(a for a in sla["applications"] if a["name"] == "machine-vision-qc")
    assert (qc["terminals"], qc["terminals_reporting"]) == (8, 7)
    circles = client.get(f"{API}/latency-map", params={"application": "agv-control"}).json()
    coverage = circles["coverage"]
    assert coverage["measured"] + coverage["unmeasured"] == coverage["cells"]
    assert sum(a["reports"] for a in circles["areas"]) <= 18
    assert_problem(client.get(f"{API}/latency-map", params={"application": "nope"}), 404)
    bad = client.get(f"{API}/latency-map", params={"application": "agv-control", "cell_m": 0})
    assert_problem(bad, 422)


def test_without_a_telemetry_store_the_reads_say_so(services: Services) -> None:
    app = with_terminal_routes(create_app(services))
    with TestClient(app, raise_server_exceptions=False) as bare:
        assert_problem(bare.get(f"{API}/sla"), 503)
        listed = bare.get(f"{API}/terminal-status").json()
        assert listed["total"] == 0
