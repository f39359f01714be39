"""GET /api/v1/kpis/catalog, /api/v1/kpis and /api/v1/measurements over the PM fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import assert_problem
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assure.kpi_kit import P1, load_fixture, small_site  # tests/ is on sys.path (rootdir conftest)
from openipn.api.kpis import kpi_router
from openipn.api.measurements import measurements_router
from openipn.api.problems import install_problem_handlers
from openipn.app import build_services, initialise
from openipn.assure.kpi_catalog import KPIS
from openipn.settings import Settings

RANGE = {"from": "2026-03-02T10:00:00Z", "to": "2026-03-02T10:30:00Z"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app holding examples/small.yaml (SQLite) and the fixture's counters."""
    data = Path(tmp_path_factory.mktemp("data"))
    settings = Settings(data_dir=data, author="tester")
    initialise(settings)
    services = build_services(settings)
    services.inventory.apply(small_site(), author="tester", reason="kpi tests")
    store = load_fixture(settings.telemetry_dir)
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(kpi_router())
    app.include_router(measurements_router())
    app.state.services, app.state.telemetry = services, store
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    store.close()
    services.close()


def test_catalog(client: TestClient) -> None:
    items = client.get("/api/v1/kpis/catalog").json()["items"]
    assert [i["name"] for i in items] == [k.name for k in KPIS]
    rsr = next(i for i in items if i["name"] == "RSR")
    assert rsr["unit"] == "%" and rsr["tag"] == "V" and "slice" in rsr["objects"]
    assert rsr["counters"]["RM.RegInitSucc"] == "AMFFunction"


def test_kpi_series_reproduces_the_hand_computed_values(client: TestClient) -> None:
    query = RANGE | {"name": "HOSR", "object": "gnb:gnb-ws1-01", "granularity": "all"}
    body = client.get("/api/v1/kpis", params=query).json()
    (row,) = body["rows"]
    assert row["value"] == pytest.approx(100 * 34 / 37)  # (11 + 23) / (12 + 25)
    assert row["bucket_start"] == P1.isoformat() and body["unit"] == "%"
    query = RANGE | {"name": "RSR", "object": "slice:embb-vision", "granularity": "15m"}
    values = [r["value"] for r in client.get("/api/v1/kpis", params=query).json()["rows"]]
    # P1: succ 18 + 5 + 20 over req 20 + 5 + 20; P2: 0 + 0 + 18 over 10 + 0 + 20
    assert values == [pytest.approx(100 * 43 / 45), pytest.approx(100 * 18 / 30)]


def test_rows_say_whether_their_bucket_is_complete(client: TestClient) -> None:
    query = {"name": "RRCSetupSR", "object": "site", "granularity": "15m"}
    query |= {"from": "2026-03-02T10:00:00Z", "to": "2026-03-02T11:00:00Z"}
    rows = client.get("/api/v1/kpis", params=query).json()["rows"]
    assert [r["complete"] for r in rows] == [True, True, False, False]  # data ends 10:30


def test_kpi_by_dn(client: TestClient) -> None:
    dn = "ManagedElement=me-upf-1,UPFFunction=upf-1"
    query = RANGE | {"name": "N3ThpUpstream", "object": dn, "granularity": "all"}
    (row,) = client.get("/api/v1/kpis", params=query).json()["rows"]
    assert row["value"] == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("query", "path", "text"),
    [
        ({"name": "Nope"}, "query.name", "known: RSR, PDUSessionEstabSR"),
        ({"name": "RSR", "object": "gnb:gnb-ws1-01"}, "query.object", "not defined for gnb"),
        ({"name": "HOSR", "object": "slice:embb-vision"}, "query.object", "no per-slice"),
        ({"name": "RSR", "from": "2026-03-02T11:00Z", "to": "2026-03-02T10:00Z"}, "query.from", ""),
        ({"name": "RSR", "granularity": "5m"}, "query.granularity", ""),
    ],
)
def test_bad_input_names_the_parameter(
    client: TestClient, query: dict[str, str], path: str, text: str
) -> None:
    body = assert_problem(client.get("/api/v1/kpis", params=query), 422)
    assert [e["path"] for e in body["errors"]] == [path]
    assert text in body["detail"] or text in body["errors"][0]["message"]


def test_an_unknown_object_is_a_404_naming_it(client: TestClient) -> None:
    for route in ("/api/v1/kpis", "/api/v1/measurements"):
        query = {"name": "RSR", "object": "cell:nope"}
        body = assert_problem(client.get(route, params=query), 404)
        assert "unknown cell 'nope'" in body["detail"]
        query = {"name": "RSR", "object": "ManagedElement=me-nowhere,GNBDUFunction=1"}
        body = assert_problem(client.get(route, params=query), 404)
        assert "ManagedElement=me-nowhere,GNBDUFunction=1" in body["detail"]


@pytest.mark.parametrize(
    "obj",
    ["managed_element:me-mec-1", "ManagedElement=me-mec-1", "edge_node:mec-1",
     "terminal:agv-ws1-001", "link:acc-gnb-ws1-01"],
)  # fmt: skip
def test_modelled_objects_without_data_are_no_404(client: TestClient, obj: str) -> None:
    body = client.get("/api/v1/measurements", params=RANGE | {"object": obj}).json()
    assert body["items"] == [] and "no data" in body["note"], body


def test_an_unknown_object_of_any_kind_is_a_404(client: TestClient) -> None:
    for obj in ("terminal:nope", "edge_node:nope", "managed_element:nope"):
        assert_problem(client.get("/api/v1/measurements", params={"object": obj}), 404)


def test_a_window_without_data_names_the_stored_range(client: TestClient) -> None:
    query = {"name": "RRC.ConnEstabAtt", "object": "cell:gnb-ws1-01-c2"}
    query |= {"from": "2026-01-01T00:00Z", "to": "2026-01-02T00:00Z"}
    body = client.get("/api/v1/measurements", params=query).json()
    assert body["items"] == [] and body["stored"]["from"] == P1.isoformat()
    assert "no data for cell:gnb-ws1-01-c2" in body["note"]
    kpi = client.get("/api/v1/kpis", params=query | {"name": "RRCSetupSR"}).json()
    assert kpi["stored"] == body["stored"]


def test_stored_objects_list_their_model_object_and_range(client: TestClient) -> None:
    body = client.get("/api/v1/measurements/objects", params={"page_size": 1000}).json()
    by_dn = {item["object"]: item for item in body["items"]}
    cell = by_dn["ManagedElement=me-gnb-ws1-01,GNBCUCPFunction=1,NRCellCU=2"]
    assert cell["ref"] == "cell:gnb-ws1-01-c2" and cell["from"] == P1.isoformat()
    assert body["total"] == len(by_dn) and cell["measurements"] >= 1


def test_raw_measurements_of_a_cell(client: TestClient) -> None:
    query = RANGE | {"name": "RRC.ConnEstabAtt", "object": "cell:gnb-ws1-01-c2"}
    body = client.get("/api/v1/measurements", params=query).json()
    assert [(i["object"], i["start"], i["value"]) for i in body["items"]] == [
        ("ManagedElement=me-gnb-ws1-01,GNBCUCPFunction=1,NRCellCU=2", P1.isoformat(), 10.0),
        (
            "ManagedElement=me-gnb-ws1-01,GNBCUCPFunction=1,NRCellCU=2",
            "2026-03-02T10:15:00+00:00",
            10.0,
        ),
    ]
    assert body["truncated"] is False
    query = RANGE | {"name": "GTP.InDataOctN3UPF", "object": "slice:urllc-control", "limit": "1"}
    body = client.get("/api/v1/measurements", params=query).json()
    assert [i["measurement"] for i in body["items"]] == ["GTP.InDataOctN3UPF.02000001"]
    assert body["truncated"] is True


def test_measurement_names(client: TestClient) -> None:
    names = client.get("/api/v1/measurements/names", params={"prefix": "MM.HoExe"}).json()
    found = [item["name"] for item in names["items"]]
    assert found == sorted(found) and "MM.HoExeInterSucc" in found
    assert all(item["from"] == P1.isoformat() and item["objects"] >= 1 for item in names["items"])


def test_no_store_configured_is_503() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(kpi_router())
    app.include_router(measurements_router())
    with TestClient(app) as bare:
        assert bare.get("/api/v1/kpis/catalog").status_code == 200  # needs no store
        assert_problem(bare.get("/api/v1/measurements/names"), 503)
