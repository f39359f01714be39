"""The OpenAPI document states every single-field rule the server enforces (issue 9, item 3).

schemathesis tolerated 422s for identifier formats, hexadecimal codes, DNs, channel bandwidths,
object references, version filters and site-file sections because the document did not state
them. Each rule is checked both ways here: the declared schema and the server agree on values
that keep the rule and on values that break it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from api_helpers import API, YAML, assert_problem
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from openipn.api import create_app
from openipn.api.schemas import OBJECT_PATTERN
from openipn.app import Services
from openipn.model.dn import DN_PATTERN, is_dn
from openipn.model.identifiers import PlmnId
from openipn.model.objref import OBJECT_REF_PATTERN, ObjectRef, ObjectRefError
from openipn.model.radio import Cell, EquipmentNaming
from openipn.model.services import Slice
from openipn.model.site import Snpn
from openipn.model.subscribers import Subscription, Terminal
from openipn.runtime import build_runtime

HEX32 = "0123456789abcdef0123456789ABCDEF"
CELL = {"name": "c", "gnb": "g", "cell_local_id": 1, "pci": 1, "tac": 1, "arfcn_dl": 650_000}
BASE: dict[type[BaseModel], dict[str, Any]] = {
    PlmnId: {"mcc": "999", "mnc": "99"},
    Snpn: {"plmn": {"mcc": "999", "mnc": "99"}, "nid": "10000000001"},
    Subscription: {"supi": "imsi-999990000000001"},
    Terminal: {"name": "t", "type": "agv"},
    Slice: {"name": "s", "sst": 1},
    Cell: CELL,
    EquipmentNaming: {},
}
# (model, field, values that keep the rule, values that break it)
RULES: list[tuple[type[BaseModel], str, list[Any], list[Any]]] = [
    (PlmnId, "mcc", ["999", "001"], ["99", "9999", "99a", "٩٩٩", ""]),
    (PlmnId, "mnc", ["01", "001"], ["1", "0001", "0x1"]),
    (Snpn, "nid", ["10000000001", "2ABCDEF0123"], ["30000000001", "1000000000", "1000000000g"]),
    (Subscription, "supi", ["imsi-999990000000001", "nai-a@b"], ["999990000000001", "imsi-1"]),
    (Subscription, "supi", [], ["nai-a b@c", "nai-a\x1e@c", "nai-a@b@c", "nai-@b"]),
    (
        Subscription,
        "iccid",
        ["8949000000000000000"],
        ["894900000000000000", "89490000000000000000a"],
    ),
    (Subscription, "imei", ["490154203237518", "4901542032375181"], ["49015420323751", "x" * 15]),
    (Subscription, "k", [HEX32], [HEX32[:-1], HEX32 + "0", "g" * 32]),
    (Subscription, "opc", [HEX32], ["", "0x" + HEX32[2:]]),
    (Subscription, "amf", ["8000", "fFfF"], ["800", "80000", "800g"]),
    (Subscription, "sqn", ["000000000000"], ["00000000000", "00000000000g"]),
    (Terminal, "imei", ["490154203237518"], ["4901542032375189 "]),
    (Slice, "sd", ["000001", "abcDEF"], ["00001", "0000001", "00000g"]),
    (Cell, "bandwidth_mhz", [5, 100, 400], [0, 6, 150, 300]),
    (Cell, "broadcast_nids", [["10000000001"] * 12], [["10000000001"] * 13, ["3" * 11]]),
    (EquipmentNaming, "dn_prefix", ["SubNetwork=G3", " A=1 , B = x=y "], ["", "G3", "A=1,", "=1"]),
    (EquipmentNaming, "dn_prefix", [], ["A=1,,B=2", "A= ", "A=1,B"]),
    (EquipmentNaming, "local_dn", ["seliitdus00487", "A=1,ManagedElement=x", "x=y"], []),
    (
        EquipmentNaming,
        "local_dn",
        [" ManagedElement = me "],
        ["", " ", "A=1,B=2", "A,ManagedElement=x"],
    ),
]


def property_schema(app_document: dict[str, Any], model: type[BaseModel], field: str) -> Any:
    """The declared schema of one field, with the document's components to resolve `$ref`s."""
    prop = app_document["components"]["schemas"][model.__name__]["properties"][field]
    return prop | {"components": app_document["components"]}


def accepted_by_model(model: type[BaseModel], field: str, value: Any) -> bool:
    """Whether the model takes a valid object with the field set to `value`."""
    try:
        model.model_validate(BASE[model] | {field: value})
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("model", "field", "good", "bad"),
    RULES,
    ids=[f"{model.__name__}.{field}-{n}" for n, (model, field, _, _) in enumerate(RULES)],
)
def test_declared_field_schema_and_model_agree(
    document: dict[str, Any], model: type[BaseModel], field: str, good: list[Any], bad: list[Any]
) -> None:
    """Each value keeps or breaks the rule for the schema and the model alike."""
    validator = jsonschema.Draft202012Validator(property_schema(document, model, field))
    for value in good:
        assert validator.is_valid(value), f"the schema refuses {value!r}"
        assert accepted_by_model(model, field, value), f"the model refuses {value!r}"
    for value in bad:
        assert not validator.is_valid(value), f"the schema admits {value!r}"
        assert not accepted_by_model(model, field, value), f"the model admits {value!r}"


def test_mcc_against_the_pattern_is_a_422_naming_it(
    document: dict[str, Any], applied: TestClient
) -> None:
    """The schema and the server agree: the MCC pattern is declared and enforced."""
    assert document["components"]["schemas"]["PlmnId"]["properties"]["mcc"]["pattern"]
    snpn = {"plmn": {"mcc": "99", "mnc": "99"}, "nid": "10000000001"}
    body = assert_problem(applied.put(f"{API}/snpn", json=snpn), 422)
    assert "is not an MCC" in body["errors"][0]["message"]


def parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    """The schema of one query parameter of a GET (or the POST of pm-files)."""
    operations = document["paths"][path]
    operation = operations.get("get") or operations["post"]
    found = [p for p in operation["parameters"] if p["name"] == name]
    return dict(found[0]["schema"])


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("site", True),
        (" cell:C01 ", True),
        ("CELLS : x", True),
        ("amf:x", True),
        ("ManagedElement=me1,GNBDUFunction=1", True),
        ("a\\,b=1", True),
        ("cel:x", False),
        ("cell:", False),
        ("cell", False),
        ("Site", False),
        ("A=1,,B=2", False),
        ("cell:x=", False),
    ],
)
def test_object_parameter_pattern_agrees_with_the_server(
    document: dict[str, Any], served: TestClient, text: str, valid: bool
) -> None:
    """`object` of /kpis: `site`, `kind:name` with a known kind, or a DN; else a 422."""
    schema = parameter(document, f"{API}/kpis", "object")
    assert jsonschema.Draft202012Validator(schema).is_valid(text) is valid
    response = served.get(f"{API}/kpis", params={"name": "AMFMeanRegNbr", "object": text})
    refused = (404, 422) if not valid else (422,)  # `Site` names the site's key: not found
    assert (response.status_code in refused) is not valid, response.text


@pytest.mark.parametrize(
    ("text", "valid"),
    [("2026-12-07", True), ("2026-12-07T08:30:00Z", True), ("", True), ("yesterday", False)],
)
def test_version_filter_is_declared_as_a_date_or_date_time(
    document: dict[str, Any], applied: TestClient, text: str, valid: bool
) -> None:
    """since/until: anyOf date, date-time (or empty: no filter), as the server reads them."""
    text_schema = parameter(document, f"{API}/versions", "since")["anyOf"][0]
    choices = text_schema["anyOf"]
    assert {"format": "date"} in choices and {"format": "date-time"} in choices
    assert choices[2] == {"enum": [""]}
    response = applied.get(f"{API}/versions", params={"since": text})
    assert (response.status_code == 200) is valid, response.text


def test_site_file_sections_are_declared(document: dict[str, Any], applied: TestClient) -> None:
    """plan/apply bodies: the sections of a site file, and no other."""
    body = document["paths"][f"{API}/plan"]["post"]["requestBody"]["content"]
    schema = body["application/yaml"]["schema"]
    assert schema["additionalProperties"] is False
    assert {"format", "site", "snpn", "cells", "subscriptions"} <= schema["properties"].keys()
    refused = applied.post(f"{API}/plan", content="site: {}\ncels: []\n", headers=YAML)
    assert "unknown section" in str(assert_problem(refused, 422)["errors"])


@pytest.mark.parametrize(
    ("name", "valid"),
    [("a" * 200, True), ("é" * 50, True), ("a" * 201, False), ("é" * 51, False)],
)
def test_pm_file_name_schema_admits_only_what_fits_200_bytes(
    document: dict[str, Any], served: TestClient, name: str, valid: bool
) -> None:
    """The name's rule is bytes; the schema admits 200 ASCII characters or 50 of any kind."""
    schema = parameter(document, f"{API}/pm-files", "name")
    assert jsonschema.Draft202012Validator(schema).is_valid(name) is valid
    response = served.post(f"{API}/pm-files", params={"name": name}, content=b"<x/>", headers=XML)
    assert_problem(response, 422)  # either the name (declared) or the content (not a PM file)
    on_name = [e for e in response.json()["errors"] if e["path"] == "query.name"]
    assert bool(on_name) is not valid, response.text


XML = {"content-type": "application/xml"}


@pytest.fixture
def served(services: Services) -> Iterator[TestClient]:
    """The API as `serve` runs it (telemetry store and workers), its store empty."""
    app = create_app(services, build_runtime(services))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def ves_event(**header: Any) -> dict[str, Any]:
    """A heartbeat event whose header fields may be replaced."""
    common = {
        "domain": "heartbeat",
        "eventId": "hb-1",
        "eventName": "Heartbeat_gnb",
        "lastEpochMicrosec": 1_765_000_000_000_000,
        "priority": "Normal",
        "reportingEntityName": "gnb",
        "sequence": 0,
        "sourceName": "gnb",
        "startEpochMicrosec": 1_765_000_000_000_000,
        "version": "4.1",
        "vesEventListenerVersion": "7.2.1",
    }
    return {
        "commonEventHeader": common | header,
        "heartbeatFields": {"heartbeatFieldsVersion": "3.0", "heartbeatInterval": 60},
    }


def test_ves_body_declares_the_common_event_header(document: dict[str, Any]) -> None:
    """`event` with its commonEventHeader's required members and the domain enumeration."""
    content = document["paths"]["/eventListener/v7"]["post"]["requestBody"]["content"]
    event = content["application/json"]["schema"]["properties"]["event"]
    header = event["properties"]["commonEventHeader"]
    assert {"domain", "eventId", "sourceName", "startEpochMicrosec"} <= set(header["required"])
    assert "heartbeat" in header["properties"]["domain"]["enum"]
    validator = jsonschema.Draft202012Validator(content["application/json"]["schema"])
    assert validator.is_valid({"event": ves_event()})
    assert not validator.is_valid({"event": ves_event(domain="beat")})


@pytest.mark.parametrize("micros", [2.534023008e17, -1e18])
def test_ves_time_beyond_a_datetime_is_a_400(open_ves: TestClient, micros: float) -> None:
    """An epoch beyond the year 9999 was a 500 (OverflowError) once the body was declared."""
    event = ves_event(startEpochMicrosec=micros)
    response = open_ves.post("/eventListener/v7", json={"event": event})
    body = assert_problem(response, 400)
    assert "startEpochMicrosec" in body["detail"]
    assert open_ves.post("/eventListener/v7", json={"event": ves_event()}).status_code == 202


DN_TEXT = st.text(alphabet=st.sampled_from(list("ab=,\\ \t\x1e:")), max_size=14)
REF_TEXT = st.text(alphabet=st.sampled_from(list("cellCELK\u212a:= \tx")), max_size=10)


@settings(max_examples=3000, deadline=None, database=None)
@given(DN_TEXT)
def test_dn_pattern_is_what_split_dn_accepts(text: str) -> None:
    """The declared DN (escaped commas, blank parts, plain ids) is exactly is_dn's."""
    assert bool(re.search(rf"^{DN_PATTERN}$", text)) == is_dn(text)


def parses_as_ref(text: str) -> bool:
    """Whether ObjectRef.parse reads the text as `kind:name` (not the bare `site`/`snpn`)."""
    try:
        ObjectRef.parse(text)
    except ObjectRefError:
        return False
    return "=" not in text and text.strip().lower() not in ("site", "snpn")


@settings(max_examples=3000, deadline=None, database=None)
@given(REF_TEXT)
def test_object_ref_pattern_is_what_objectref_parse_reads(text: str) -> None:
    """Caseless kinds (the Kelvin sign lowers to `k`), stripped, with a non-blank name."""
    assert bool(re.search(rf"^{OBJECT_REF_PATTERN}$", text)) == parses_as_ref(text)


def test_object_pattern_answers_in_linear_time() -> None:
    """`\\,` read both as an escaped comma and as a part's end took 2**n steps (n=18: 12 s)."""
    search = "import re, sys; print(re.search(sys.argv[1], sys.argv[2]))"
    text = "\\," * 40 + "x"
    try:  # a subprocess: a runaway match is killed, not waited for
        done = subprocess.run(
            [sys.executable, "-c", search, OBJECT_PATTERN, text],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the object pattern backtracks exponentially on escaped commas")
    assert done.stdout.strip() == "None"


MERGE = "application/merge-patch+json"


def test_a_boolean_is_no_number_in_a_model_field(applied: TestClient) -> None:
    """pydantic's lax mode read `pci: true` as 1; the schema says integer, so does the server."""
    for body, path in [
        ({"pci": True}, "pci"),
        ({"tx_power_dbm": False}, "tx_power_dbm"),
        ({"position": {"x": True, "y": 1}}, "x"),
    ]:
        answer = applied.patch("/api/v1/cells/C01", json=body, headers={"Content-Type": MERGE})
        assert answer.status_code == 422, answer.text
        assert any(e["path"].endswith(path) for e in answer.json()["errors"]), answer.text
    optional = applied.patch(  # an optional number field (int | None) too
        "/api/v1/gnbs/GNB1", json={"du_function_id": True}, headers={"Content-Type": MERGE}
    )
    assert optional.status_code == 422, optional.text


def test_merge_patch_bodies_declare_the_kind_fields(
    document: dict[str, Any], applied: TestClient
) -> None:
    """A PATCH body names the kind's fields only; null only where a field may be removed."""
    patches = [
        (path, ops) for path, ops in document["paths"].items() if "patch" in ops and "put" in ops
    ]
    assert patches
    for path, ops in patches:
        schema = ops["patch"]["requestBody"]["content"][MERGE]["schema"]
        put_ref = ops["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        model = document["components"]["schemas"][put_ref.rsplit("/", 1)[-1]]
        assert schema["additionalProperties"] is False, path
        assert schema["properties"].keys() == model["properties"].keys(), path
        validator = with_components(schema, document)
        for required in model["required"]:
            assert not validator.is_valid({required: None}), (path, required)
    cells = document["paths"][f"{API}/cells/{{name}}"]["patch"]["requestBody"]["content"]
    validator = with_components(cells[MERGE]["schema"], document)
    assert validator.is_valid({"tilt_deg": None, "pci": 7})
    assert not validator.is_valid({"pci": 7, "pcii": 8})
    refused = applied.patch(f"{API}/cells/C01", json={"pcii": 8}, headers={"Content-Type": MERGE})
    assert "pcii" in str(assert_problem(refused, 422)["errors"])


def with_components(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A validator of a schema whose `#/components/...` references resolve in the document."""
    return jsonschema.Draft202012Validator(schema | {"components": document["components"]})
