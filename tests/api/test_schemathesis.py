"""schemathesis over the whole API: every operation, all checks, bounded examples and time.

The API has no authentication yet, so the generated requests write: they run against a store
of their own (SQLite in a temporary data directory) holding the small fixture site.
A new 500, an undeclared status or media type, a response off its schema, an accepted invalid
request or a wrong 405 fails the test. A schema-valid request may still be refused (422) only
for a reason listed in CROSS_OBJECT (the schema of one object cannot know the others),
TWO_FIELDS (rules between two fields or parameters), CHECK_DIGITS or CONTENT (a file's or an
event's content): rules no JSON schema of one field states. Every single-field rule is declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_helpers import SITE_FILE, YAML
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from openipn.api import create_app
from openipn.app import build_services, initialise
from openipn.runtime import build_runtime
from openipn.settings import Settings

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 8


CROSS_OBJECT = {
    r"names no \w+": "refers to an object that does not exist",
    r"has no UPF": "a slice needs a UPF that serves it",
    r"no UPF serv(es|ing) DNN": "a profile's DNN served by a UPF of one of its slices",
    r"outside every range of the site's frequency permit": "a cell's carrier within a permit",
    r"connects \S+ to itself": "a link's two ends are two objects",
    r"link endpoints need unique node names": "node names unique across kinds",
    r": duplicate (.* \((also |\d+ \w+ have)|cell_local_id \d+ on gNB )": (
        "identifiers unique across objects (gNB IDs, cell IDs, IMSIs)"
    ),
    r"collides with": "a PCI distinct from its neighbours' on the same ARFCN",
    r"overlaps the carrier of": "carriers of the site on different ARFCNs do not overlap",
    r": '.*' does not match '.*' in the URL$": "the name in the body differs from the path's",
    r"one (domain|stndDefinedNamespace) per batch": "the events of one VES batch share them",
    r"is not of this network's PLMN": "a SIM's IMSI within the SNPN's PLMN",
    r"does not include the SNPN's NID": "a cell broadcasting NIDs broadcasts the SNPN's",
    r"required for a new subscription": "a SIM not yet stored needs K and OP or OPc",
    r"required section is missing": "site/snpn removed by a fuzzed write to another object",
}
# Rules between two fields of one object or two parameters of one request: a JSON schema states
# each field alone, so a schema-valid request may still break one of these.
TWO_FIELDS = {
    r"does not fit in gnb_id_length": "a gNB ID within its declared length",
    r"is not above": "a range's end above its start",
    r"is before valid_from": "a permit's validity end after its start",
    r"encodes assignment mode": "an SNPN's nid_assignment is the mode its NID's first digit",
    r"must be (before|after)": "a window's start before its end (from, to)",
    r"shorten the range or coarsen": "at most 10,000 KPI buckets (range and granularity)",
    r"give exactly one of": "topology/behind takes link or node",
    r"commonEventHeader\.stndDefinedNamespace: (missing|must be a string)": (
        "a stndDefined event names its namespace (domain and stndDefinedNamespace)"
    ),
    r"give op or opc, not both": "a SIM's operator code: OP or OPc",
    r"required when op or opc is given|required with k \(or give op\)": "K with OP or OPc",
}
# A check digit over a field's digits: a regular language in theory, but no pattern of
# reasonable size states it; the schema declares the digits, the server the Luhn digit.
CHECK_DIGITS = {
    r"fails the (ICCID|IMEI) Luhn check digit": "ICCID and IMEI check digit (ITU-T E.118)",
}
# The content of a file or event: the schema declares the envelope, a content standard the rest.
CONTENT = {
    r"(no managedElement|measCollecFile|measDataFile|not a PM file|not well-formed XML)": (
        "PM file (TS 32.435)"
    ),
    r"no file part": "a multipart PM upload needs a file part with a filename",
    # the domain blocks and a namespace's data: the header is declared, so its errors are not here
    r"^(event|eventList)(\[\d+\])?(\.(?!commonEventHeader\b)\S+)?: (?!commonEventHeader\b)": (
        "a VES 7 event's domain block (CommonEventFormat 30.2.1)"
    ),
}
QUERY_LISTS = {  # a negated list parameter still reaches the server as repeated strings: valid
    # (the acceptance of such a case is tolerated only when this very parameter was negated)
    "GET /api/v1/measurements": "name",
}
NETWORK_WRITES = {"/api/v1/apply", "/api/v1/versions/{number}/restore", "/api/v1/site"}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A running app over its own store (SQLite) holding the fixture site."""
    root: Path = tmp_path_factory.mktemp("schemathesis")
    settings_ = Settings(
        data_dir=root / "data",
        database_url=f"sqlite:///{root}/openipn.db",
        author="fuzzer",
        ves_auth="none",  # the listener's input checks are fuzzed, not its 401
    )
    initialise(settings_)
    services = build_services(settings_)
    app = create_app(services, build_runtime(services))
    try:
        with TestClient(app) as client:  # runs the lifespan: the VES collector and PM intake
            reapply(client)
            yield client
    finally:
        services.close()


@pytest.fixture(scope="module")
def api_schema(fuzzed: TestClient) -> Any:
    """The OpenAPI document the app serves, loaded by schemathesis."""
    return schemathesis.openapi.from_asgi("/openapi.json", already_started(fuzzed.app))


def reapply(client: TestClient) -> None:
    """Put the fixture site back (a fuzzed apply or restore may have emptied the network)."""
    applied = client.post("/api/v1/apply", content=SITE_FILE.read_bytes(), headers=YAML)
    assert applied.status_code == 200, applied.text


def already_started(app: ASGIApp) -> ASGIApp:
    """The app without its lifespan: schemathesis opens a client (a lifespan) per request."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while True:  # ASGI lifespan: acknowledge startup and shutdown, start nothing twice
            phase = (await receive())["type"].removeprefix("lifespan.")
            await send({"type": f"lifespan.{phase}.complete"})
            if phase == "shutdown":
                return None

    return serve


schema = schemathesis.pytest.from_fixture("api_schema")


# derandomize fixes the seed, but Hypothesis also draws on constants it finds in the modules
# loaded: the examples of the whole suite differ from those of this file alone (check both).
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case: Any, fuzzed: TestClient) -> None:
    """Every generated request gets a declared, schema-conformant answer."""
    response = case.call()
    try:
        case.validate_response(response, excluded_checks=tolerated(case, response))
    finally:
        if case.operation.path in NETWORK_WRITES and response.status_code < 300:
            reapply(fuzzed)


def refusal_reasons(response: Any) -> list[str]:
    """`path: message` of each error of a refused request's problem (none for other responses)."""
    if response.status_code not in (400, 422):
        return []
    try:
        problem = response.json()
    except ValueError:
        return []
    errors = problem.get("errors") or [{"path": "", "message": problem.get("detail", "")}]
    return [f"{error.get('path', '')}: {error.get('message', '')}" for error in errors]


def mutated(case: Any) -> str | None:
    """The parameter a negative case broke, as schemathesis records it (None if unknown)."""
    data = case.meta.phase.data if case.meta is not None else None
    return getattr(data, "parameter", None)


def tolerated(case: Any, response: Any) -> list[CheckFunction]:
    """Checks skipped: acceptance when every refusal reason is listed; see QUERY_LISTS."""
    skipped: list[CheckFunction] = []
    reasons = refusal_reasons(response)
    listed = [*CROSS_OBJECT, *TWO_FIELDS, *CHECK_DIGITS, *CONTENT]
    if reasons and all(any(re.search(p, r) for p in listed) for r in reasons):
        skipped.append(positive_data_acceptance)
    listed = QUERY_LISTS.get(case.operation.label)
    if response.status_code < 300 and listed is not None and mutated(case) == listed:
        skipped.append(negative_data_rejection)
    return skipped
