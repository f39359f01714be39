"""One object identity across every interface, on a vendor-named element.

The element `me-gnb-ws1-01` of the small plant is declared with its equipment's naming
(dnPrefix `SubNetwork=G3`, plain-name local DN `seliitdus00487`, GNBDUFunction id 5). A vendor
style PM file, a VES fault with a relative objectInstance, a stndDefined 3GPP alarm with a full
href, the element's NETCONF tree and the Prometheus target of the AMF each name the same
objects differently; every one resolves to the model's `kind:name`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from lxml import etree
from ncclient import manager
from prometheus_client.parser import text_string_to_metric_families
from ves_3gpp_kit import stnd_alarm
from ves_kit import BEARER, fault, make_services, running, wait_until

from openipn.app import Services
from openipn.codecs.ves import event_body
from openipn.collect.prom_targets import targets_from_site
from openipn.model.alarms import PerceivedSeverity
from openipn.model.document import SiteDocument, parse_document
from openipn.model.objref import ObjectRef
from openipn.runtime import build_runtime
from openipn.twin.netconf.server import NetconfSite
from openipn.twin.netconf.site import datastore_from_site

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small.yaml"
VENDOR_ID = "seliitdus00487"
ELEMENT = "me-gnb-ws1-01"
LDN_C1 = f"ManagedElement={VENDOR_ID},GNBDUFunction=5,NRCellDU=1"  # as the file writes it
UNMODELLED = f"ManagedElement={VENDOR_ID},GNBDUFunction=5,NRCellDU=99"
NRM = "urn:openipn:yang:openipn-nrm"
SINGLE = "/eventListener/v7"
NOW = dt.datetime.now(dt.UTC)
END = NOW.replace(minute=NOW.minute - NOW.minute % 15, second=0, microsecond=0)


def vendor_site() -> SiteDocument:
    """The small plant with one element named the way its equipment names itself."""
    raw: dict[str, Any] = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    element = next(me for me in raw["managed_elements"] if me["name"] == ELEMENT)
    element["naming"] = {"dn_prefix": "SubNetwork=G3", "local_dn": VENDOR_ID}
    for gnb in raw["gnbs"]:
        if gnb["managed_element"] == ELEMENT:
            gnb["du_function_id"] = 5
    document, issues = parse_document(raw)
    assert issues == []
    return document


def vendor_pm_file(end: dt.datetime) -> bytes:
    """An Ericsson-style TS 32.435 file: dnPrefix, plain-name localDn, numeric cell ids."""
    values = "".join(
        f'<measValue measObjLdn="{ldn}"><r p="1">{used}</r><r p="2">273</r></measValue>'
        for ldn, used in (
            (LDN_C1, 30),
            (f"ManagedElement={VENDOR_ID},GNBDUFunction=5,NRCellDU=2", 60),
            (UNMODELLED, 90),
        )
    )
    begin = (end - dt.timedelta(minutes=15)).isoformat()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<measCollecFile xmlns="http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec">
  <fileHeader fileFormatVersion="32.435 V10.0" vendorName="Ericsson AB" dnPrefix="SubNetwork=G3">
    <fileSender localDn="{VENDOR_ID}" elementType="RadioNode"/>
    <measCollec beginTime="{begin}"/>
  </fileHeader>
  <measData>
    <managedElement localDn="{VENDOR_ID}" swVersion="CXP9024418/6"/>
    <measInfo measInfoId="NRCellDU">
      <granPeriod duration="PT900S" endTime="{end.isoformat()}"/>
      <repPeriod duration="PT900S"/>
      <measType p="1">RRU.PrbUsedDl</measType>
      <measType p="2">RRU.PrbAvailDl</measType>
      {values}
    </measInfo>
  </measData>
  <fileFooter><measCollec endTime="{end.isoformat()}"/></fileFooter>
</measCollecFile>
""".encode()


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    built.inventory.apply(vendor_site(), author="tester", reason="identity test")
    yield built
    built.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with running(services, build_runtime(services)) as test_client:
        yield test_client


def refs(client: TestClient) -> dict[str, str | None]:
    body = client.get("/api/v1/measurements/objects", params={"page_size": 1000}).json()
    return {item["object"]: item["ref"] for item in body["items"]}


def test_a_vendor_pm_file_lines_up_with_the_site_file(client: TestClient) -> None:
    posted = client.post("/api/v1/pm-files", content=vendor_pm_file(END), params={"name": "A.xml"})
    assert posted.status_code == 201, posted.text
    answer = posted.json()  # what the file brought in
    assert answer["measurements"] == ["RRU.PrbAvailDl", "RRU.PrbUsedDl"]
    assert len(answer["objects"]) == 3
    assert answer["unmodelled"] == [f"SubNetwork=G3,{UNMODELLED}"]
    found = refs(client)
    canonical = f"SubNetwork=G3,{LDN_C1}"
    assert found[canonical] == "cell:gnb-ws1-01-c1"
    assert found[f"SubNetwork=G3,{UNMODELLED}"] is None  # kept, not dropped
    assert set(found.values()) == {"cell:gnb-ws1-01-c1", "cell:gnb-ws1-01-c2", None}
    span = {"from": (END - dt.timedelta(hours=1)).isoformat(), "to": END.isoformat()}
    by_ref = client.get("/api/v1/measurements", params=span | {"object": "cell:gnb-ws1-01-c1"})
    by_ldn = client.get("/api/v1/measurements", params=span | {"object": LDN_C1})
    assert by_ldn.status_code == 200, by_ldn.text
    values = [(i["measurement"], i["value"]) for i in by_ldn.json()["items"]]
    assert values == [(i["measurement"], i["value"]) for i in by_ref.json()["items"]]
    assert ("RRU.PrbUsedDl", 30.0) in values
    metrics = client.get("/metrics").text  # the platform's KPI labels name model objects
    labels = {
        sample.labels["object"]
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "openipn_kpi"
    }
    assert "gnb:gnb-ws1-01" in labels  # the vendor-named gNB, from the file's counters
    assert all(ObjectRef.parse(label) for label in labels)
    discovered = client.get("/api/v1/discovered").json()["items"]
    (item,) = [i for i in discovered if i["dn"] == f"SubNetwork=G3,{UNMODELLED}"]
    assert item["source"] == "pm-file" and item["names"] == ["RRU.PrbAvailDl", "RRU.PrbUsedDl"]


def test_ves_and_3gpp_alarms_name_the_model_cells(client: TestClient) -> None:
    relative = fault(VENDOR_ID, "cellOutage", obj="GNBDUFunction=5,NRCellDU=1", at=NOW)
    cleared = fault(VENDOR_ID, "cellOutage", PerceivedSeverity.CLEARED, sequence=1,
                    obj=f"SubNetwork=G3,ManagedElement={VENDOR_ID},GNBDUFunction=5,NRCellDU=1",
                    at=NOW + dt.timedelta(seconds=1))  # fmt: skip
    full = stnd_alarm(dn=f"SubNetwork=G3,ManagedElement={VENDOR_ID},GNBDUFunction=5,NRCellDU=2",
                      name=VENDOR_ID, at=NOW)  # fmt: skip
    stray = fault("gnb-elsewhere", "cellOutage", obj="ManagedElement=gnb-elsewhere", at=NOW)
    for event in (relative, full, stray, cleared):
        assert client.post(SINGLE, json=event_body(event), headers=BEARER).status_code == 202

    def alarms() -> list[dict[str, Any]]:
        return list(client.get("/api/v1/alarms").json()["items"])

    wait_until(lambda: len(alarms()) == 3 and not all(a["active"] for a in alarms()))
    by_ref = {a["ref"]: a for a in alarms()}
    # raised with a relative DN, cleared with the full one: one alarm, under the model's DN
    c1 = by_ref["cell:gnb-ws1-01-c1"]
    assert c1["object"] == f"SubNetwork=G3,{LDN_C1}" and c1["active"] is False
    assert by_ref["cell:gnb-ws1-01-c2"]["active"] is True
    assert by_ref[None]["object"] == "ManagedElement=gnb-elsewhere"

    def stray_listed() -> bool:
        items = client.get("/api/v1/discovered", params={"source": "ves"}).json()["items"]
        return any(i["dn"] == "ManagedElement=gnb-elsewhere" for i in items)

    wait_until(stray_listed)


def test_netconf_and_metrics_targets_resolve_to_the_same_objects(services: Services) -> None:
    document = vendor_site()
    resolver = services.identity.resolver()
    with NetconfSite(datastore_from_site(document), username="oam", password="pw") as site:
        session = {"username": "oam", "password": "pw", "hostkey_verify": False}
        with manager.connect(host="127.0.0.1", port=site.ports[ELEMENT], **session) as nc:
            tree = etree.fromstring(nc.get_config("running").data_xml.encode())
    found = set()
    for cell in tree.iter(f"{{{NRM}}}NRCellDU"):
        gnb = cell.getparent()
        element = gnb.getparent()
        dn = ",".join(
            f"{etree.QName(node).localname}={node.findtext(f'{{{NRM}}}id')}"
            for node in (element, gnb, cell)
        )
        found.add(str(resolver.resolve(dn).ref))
    assert found == {"cell:gnb-ws1-01-c1", "cell:gnb-ws1-01-c2"}
    for target in targets_from_site(document):
        ref = resolver.resolve(target.dn).ref
        assert ref is not None and ref.kind in ("core_function", "upf"), target.dn
    assert ObjectRef.parse("nf:amf-1") == ObjectRef("core_function", "amf-1")
