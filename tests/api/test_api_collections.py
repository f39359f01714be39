"""Per-kind collections: list, filter, paginate, get, create, replace, patch, delete."""

from __future__ import annotations

from typing import Any

from api_helpers import API, assert_problem
from fastapi.testclient import TestClient

NEW_CELL: dict[str, Any] = {
    "name": "C10",
    "gnb": "GNB1",
    "cell_local_id": 10,
    "pci": 30,
    "tac": 1,
    "arfcn_dl": 801667,
    "slices": ["s1"],
}


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def version_count(client: TestClient) -> int:
    return int(client.get(f"{API}/versions").json()["total"])


def test_list_filters_and_paginates_cells(applied: TestClient) -> None:
    everything = applied.get(f"{API}/cells").json()
    assert everything["total"] == 9
    assert (everything["page"], everything["page_size"]) == (1, 100)
    first = applied.get(f"{API}/cells", params={"gnb": "GNB1", "page_size": 4})
    assert names(first) == ["C01", "C02", "C03", "C04"]
    assert first.json()["total"] == 6
    second = applied.get(f"{API}/cells", params={"gnb": "GNB1", "page_size": 4, "page": 2})
    assert names(second) == ["C05", "C06"]
    assert names(applied.get(f"{API}/cells?gnb=GNB1&page_size=4&page=3")) == []


def test_filters_by_type_of_field(applied: TestClient) -> None:
    locked = applied.get(f"{API}/cells?gnb=GNB1&administrative_state=LOCKED")
    assert names(locked) == ["C04", "C06"]
    assert names(applied.get(f"{API}/cells?tac=2")) == ["C05", "C06"]
    assert names(applied.get(f"{API}/cells?tx_power_dbm=20")) == ["C06"]
    assert names(applied.get(f"{API}/cells?pci=10")) == ["C01", "C07"]
    assert names(applied.get(f"{API}/applications?class=agv_control")) == ["AGV"]
    assert names(applied.get(f"{API}/ptp_grandmasters?gnss_locked=true")) == ["GM1"]
    assert names(applied.get(f"{API}/ptp_grandmasters?gnss_locked=false")) == []
    assert names(applied.get(f"{API}/cells?name_contains=c0&gnb=GNB2")) == ["BAY/C09", "C07", "C08"]
    assert names(applied.get(f"{API}/cells?name_contains=bay/")) == ["BAY/C09"]
    assert names(applied.get(f"{API}/cells?name_contains=%25")) == []


def test_bad_filters_are_problems(applied: TestClient) -> None:
    body = assert_problem(applied.get(f"{API}/cells?colour=red"), 422)
    assert body["errors"][0]["path"] == "query.colour"
    assert "pci" in body["detail"] and "gnb" in body["detail"]
    assert "slices" not in body["detail"]  # lists are not filterable
    assert_problem(applied.get(f"{API}/cells?slices=s1"), 422)
    assert_problem(applied.get(f"{API}/cells?pci=ten"), 422)
    body = assert_problem(applied.get(f"{API}/cells?page_size=1001"), 422)
    assert body["errors"][0]["path"] == "query.page_size"


def test_get_cell_with_derived_nci(applied: TestClient) -> None:
    cell = applied.get(f"{API}/cells/C01").json()
    assert cell["pci"] == 10
    derived = cell["derived"]
    assert derived["nci"] == (1 << 14) | 1  # gNB ID 1 in 22 bits, cell local id 1
    assert derived["nci_hex"] == "000004001"
    assert derived["frequency_dl_mhz"] == 6025.005
    assert derived["band_edges_mhz"] == [5975.005, 6075.005]
    assert derived["eirp_dbm"] == 29.0


def test_names_with_slashes(applied: TestClient) -> None:
    cell = applied.get(f"{API}/cells/BAY/C09").json()
    assert cell["name"] == "BAY/C09"
    assert cell["derived"]["nci_hex"] == "001234003"  # gNB ID 0x1234 in 24 bits
    patched = applied.patch(f"{API}/cells/BAY/C09", json={"tac": 4})
    assert patched.status_code == 200, patched.text
    assert applied.get(f"{API}/cells/BAY/C09").json()["tac"] == 4


def test_unknown_object_and_kind_are_404_problems(applied: TestClient) -> None:
    body = assert_problem(applied.get(f"{API}/cells/NOPE"), 404)
    assert "NOPE" in body["detail"]
    body = assert_problem(applied.get(f"{API}/widgets"), 404)
    assert "widgets" in body["detail"] and "cells" in body["detail"]
    assert_problem(applied.get(f"{API}/widgets/W1"), 404)
    assert_problem(applied.put(f"{API}/cells/NOPE", json={**NEW_CELL, "name": "NOPE"}), 404)
    assert_problem(applied.patch(f"{API}/cells/NOPE", json={"pci": 3}), 404)
    assert_problem(applied.delete(f"{API}/cells/NOPE"), 404)


def test_create_then_conflict(applied: TestClient) -> None:
    created = applied.post(f"{API}/cells", json=NEW_CELL)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{API}/cells/C10"
    body = created.json()
    assert body["version"] == 2 and body["dry_run"] is False
    assert body["plan"]["counts"] == {"create": 1, "update": 0, "delete": 0}
    assert applied.get(f"{API}/cells/C10").json()["derived"]["nci"] == (1 << 14) | 10
    assert_problem(applied.post(f"{API}/cells", json=NEW_CELL), 409)


def test_create_with_field_error_names_the_path(applied: TestClient) -> None:
    body = assert_problem(applied.post(f"{API}/cells", json={**NEW_CELL, "pci": 1012}), 422)
    assert body["errors"] == [{"path": "cells[C10].pci", "message": "1012 is outside 0..1007"}]
    body = assert_problem(applied.post(f"{API}/cells", json={**NEW_CELL, "gnb": "GNB9"}), 422)
    assert body["errors"][0] == {
        "path": "cells[C10].gnb",
        "message": "'GNB9' names no gnb; did you mean 'GNB1' or 'GNB2'?",
    }
    body = assert_problem(applied.post(f"{API}/cells", json={**NEW_CELL, "gnb": "GNB-2"}), 422)
    assert body["errors"][0]["message"] == "'GNB-2' names no gnb; did you mean 'GNB2'?"
    body = assert_problem(applied.post(f"{API}/cells", json={**NEW_CELL, "colour": 1}), 422)
    assert body["errors"][0] == {"path": "cells[C10].colour", "message": "unknown field"}
    body = assert_problem(applied.post(f"{API}/cells", json={**NEW_CELL, "tx_powr_dbm": 20}), 422)
    assert body["errors"][0] == {
        "path": "cells[C10].tx_powr_dbm",
        "message": "unknown field; did you mean 'tx_power_dbm'?",
    }
    body = assert_problem(
        applied.post(f"{API}/cells", content=b"{bad", headers={"content-type": "application/json"}),
        400,
    )
    assert body["errors"][0]["path"] == "(body)"
    assert version_count(applied) == 1


def test_patch_out_of_range_pci(applied: TestClient) -> None:
    body = assert_problem(applied.patch(f"{API}/cells/C02", json={"pci": 1012}), 422)
    assert body["errors"][0]["path"].endswith(".pci")
    assert body["errors"][0]["path"] == "cells[C02].pci"
    assert body["errors"][0]["message"] == "1012 is outside 0..1007"
    assert applied.get(f"{API}/cells/C02").json()["pci"] == 11


def test_patch_pci_collision_changes_nothing(applied: TestClient) -> None:
    body = assert_problem(applied.patch(f"{API}/cells/C02", json={"pci": 10}), 422)
    paths = {error["path"] for error in body["errors"]}
    assert "cells[C02].pci" in paths
    assert any("collides" in error["message"] for error in body["errors"])
    assert applied.get(f"{API}/cells/C02").json()["pci"] == 11
    assert version_count(applied) == 1


def test_patch_merges_and_records_author(applied: TestClient) -> None:
    response = applied.patch(
        f"{API}/cells/C02?reason=retune",
        json={"pci": 20, "description": "north bay", "area": None},
        headers={"X-OpenIPN-Author": "alice", "content-type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    change = response.json()["plan"]["changes"][0]
    assert (change["op"], change["kind"], change["name"]) == ("update", "cell", "C02")
    assert {f["field"] for f in change["fields"]} == {"pci", "description"}
    cell = applied.get(f"{API}/cells/C02").json()
    assert (cell["pci"], cell["description"], cell["tac"]) == (20, "north bay", 1)
    latest = applied.get(f"{API}/versions").json()["items"][-1]
    assert (latest["author"], latest["reason"], latest["number"]) == ("alice", "retune", 2)


def test_patch_cannot_rename(applied: TestClient) -> None:
    body = assert_problem(applied.patch(f"{API}/cells/C02", json={"name": "C99"}), 422)
    assert body["errors"][0]["path"] == "cells[C02].name"


def test_replace(applied: TestClient) -> None:
    c01 = {**NEW_CELL, "name": "C01", "cell_local_id": 1, "pci": 40}
    response = applied.put(f"{API}/cells/C01", json=c01)
    assert response.status_code == 200, response.text
    assert applied.get(f"{API}/cells/C01").json()["pci"] == 40
    body = assert_problem(applied.put(f"{API}/cells/C02", json=c01), 422)
    assert body["errors"][0]["path"] == "cells[C02].name"


def test_delete(applied: TestClient) -> None:
    response = applied.delete(f"{API}/cells/C08")
    assert response.status_code == 200, response.text
    assert response.json()["plan"]["counts"]["delete"] == 1
    assert_problem(applied.get(f"{API}/cells/C08"), 404)
    body = assert_problem(applied.delete(f"{API}/gnbs/GNB2"), 422)  # cells still use it
    deleted = "'GNB2' names no gnb: this change deletes it, and this object still refers to it"
    assert {e["path"] for e in body["errors"] if e["message"] == deleted} == {
        "cells[C07].gnb",
        "cells[BAY/C09].gnb",  # C08 was deleted above
    }
    assert applied.get(f"{API}/gnbs/GNB2").status_code == 200


def test_dry_run_changes_nothing(applied: TestClient) -> None:
    patched = applied.patch(f"{API}/cells/C02?dry_run=true", json={"pci": 20})
    assert patched.status_code == 200, patched.text
    assert patched.json()["dry_run"] is True and patched.json()["version"] is None
    assert patched.json()["plan"]["counts"]["update"] == 1
    created = applied.post(f"{API}/cells?dry_run=true", json=NEW_CELL)
    assert created.status_code == 200 and created.json()["plan"]["counts"]["create"] == 1
    deleted = applied.delete(f"{API}/cells/C08?dry_run=1")
    assert deleted.status_code == 200 and deleted.json()["plan"]["counts"]["delete"] == 1
    assert applied.get(f"{API}/cells/C02").json()["pci"] == 11
    assert_problem(applied.get(f"{API}/cells/C10"), 404)
    assert applied.get(f"{API}/cells/C08").status_code == 200
    assert version_count(applied) == 1


def test_singletons(applied: TestClient) -> None:
    snpn = applied.get(f"{API}/snpn").json()
    assert snpn["nid"] == "10000000001"
    assert snpn["derived"] == {
        "serving_network_name": "5G:mnc099.mcc999.3gppnetwork.org:10000000001",
        "home_network_domain": "5gc.nid10000000001.mnc099.mcc999.3gppnetwork.org",
        "nid_assignment": "self_assigned",
    }
    site = applied.get(f"{API}/site").json()
    response = applied.put(f"{API}/site", json={**site, "description": "pilot line"})
    assert response.status_code == 200, response.text
    assert applied.get(f"{API}/site").json()["description"] == "pilot line"
    body = assert_problem(applied.put(f"{API}/snpn", json={**snpn, "nid": "9"}), 422)
    assert body["errors"][0]["path"] == "snpn.nid"


def test_empty_store(client: TestClient) -> None:
    assert client.get(f"{API}/cells").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 100,
    }
    assert_problem(client.get(f"{API}/site"), 404)
    body = assert_problem(client.post(f"{API}/cells", json=NEW_CELL), 422)
    assert {"site", "snpn"} <= {error["path"] for error in body["errors"]}
