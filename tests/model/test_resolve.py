"""One object identity: ObjectRef spellings, the one DN builder and the resolver of wire DNs."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from openipn.model.dn import DnBook, DnError, split_dn
from openipn.model.document import SiteDocument, parse_document
from openipn.model.objref import ObjectRef, ObjectRefError, required_type
from openipn.model.resolve import Resolver

VENDOR_ME = "seliitdus00487"


def site(**extra: Any) -> SiteDocument:
    """Two vendors' gNB elements, a core element, a UPF, an edge node, a switch and a clock."""
    raw: dict[str, Any] = {
        "managed_elements": [
            {
                "name": "me-vendor",
                "role": "gnb",
                "vendor": "Ericsson",
                "naming": {"dn_prefix": "SubNetwork=G3", "local_dn": VENDOR_ME},
            },
            {"name": "me-twin", "role": "gnb", "vendor": "OpenIPN"},
            {"name": "me-core", "role": "core", "vendor": "Open5GS"},
            {"name": "me-sw", "role": "transport", "vendor": "Acme"},
            {"name": "me-gm", "role": "timing", "vendor": "Acme"},
        ],
        "gnbs": [
            {"name": "gnb-v", "managed_element": "me-vendor", "gnb_id": 7, "du_function_id": 5},
            {"name": "gnb-a", "managed_element": "me-twin", "gnb_id": 1},
            {"name": "gnb-b", "managed_element": "me-twin", "gnb_id": 2},
        ],
        "cells": [
            {"name": "cell-v3", "gnb": "gnb-v", "cell_local_id": 3},
            {"name": "cell-a1", "gnb": "gnb-a", "cell_local_id": 1},
            {"name": "cell-b1", "gnb": "gnb-b", "cell_local_id": 1},
        ],
        "core_functions": [{"name": "amf-1", "type": "AMF", "managed_element": "me-core"}],
        "upfs": [{"name": "upf-1", "dnns": ["factory"], "managed_element": "me-core"}],
        "edge_nodes": [{"name": "mec-1", "upf": "upf-1", "managed_element": "me-core"}],
        "transport_nodes": [{"name": "sw-1", "type": "switch", "managed_element": "me-sw"}],
        "ptp_grandmasters": [{"name": "gm-1", "managed_element": "me-gm"}],
        "links": [{"name": "l-1", "a": "gnb-a", "b": "sw-1", "capacity_mbps": 1000}],
    }
    for cell in raw["cells"]:
        cell.update(pci=cell["cell_local_id"], tac=1, arfcn_dl=801667)
    raw.update(extra)
    document, issues = parse_document(raw)
    assert issues == []
    return document


def test_object_refs_accept_every_spelling_of_a_kind() -> None:
    assert ObjectRef.parse("cells:c1") == ObjectRef("cell", "c1")
    assert ObjectRef.parse("switch:sw-1") == ObjectRef("transport_node", "sw-1")
    assert ObjectRef.parse("nf:amf-1") == ObjectRef.parse("AMF:amf-1")
    assert str(ObjectRef.parse(" element : me-1 ")) == "managed_element:me-1"
    assert required_type("amf:x") is not None and required_type("nf:x") is None
    with pytest.raises(ObjectRefError, match="unknown kind 'tower'"):
        ObjectRef.parse("tower:1")
    with pytest.raises(ObjectRefError, match="not of the form kind:name"):
        ObjectRef.parse("cell")


def test_one_dn_per_object_from_the_site_file_naming() -> None:
    book = DnBook.from_document(site())
    vendor = f"SubNetwork=G3,ManagedElement={VENDOR_ME}"
    assert book.dn(ObjectRef("cell", "cell-v3")) == f"{vendor},GNBDUFunction=5,NRCellDU=3"
    assert book.dn(ObjectRef("cell", "cell-b1")) == (
        "ManagedElement=me-twin,GNBDUFunction=2,NRCellDU=1"
    )
    assert book.cell_dn("cell-a1", "NRCellCU").endswith("GNBCUCPFunction=1,NRCellCU=1")
    assert (
        book.dn(ObjectRef("core_function", "amf-1")) == "ManagedElement=me-core,AMFFunction=amf-1"
    )
    assert book.dn(ObjectRef("edge_node", "mec-1")) == "ManagedElement=me-core,EASFunction=mec-1"
    assert book.dn(ObjectRef("link", "l-1")) == "ManagedElement=me-sw,EP_RP=l-1"
    assert book.dn(ObjectRef("ptp_grandmaster", "gm-1")) == "ManagedElement=me-gm,PtpClock=gm-1"
    assert book.dn(ObjectRef("slice", "s1")) is None


@pytest.mark.parametrize(
    ("wire", "ref"),
    [
        # a real vendor file: dnPrefix + plain-name localDn + numeric ids
        (f"SubNetwork=G3,ManagedElement={VENDOR_ME},GNBDUFunction=5,NRCellDU=3", "cell:cell-v3"),
        (f"ManagedElement={VENDOR_ME},GNBDUFunction=5,NRCellDU=3", "cell:cell-v3"),  # no prefix
        (f"SubNetwork=G3,{VENDOR_ME},GNBDUFunction=5,NRCellDU=3", "cell:cell-v3"),  # plain RDN
        (
            f"SubNetwork=Other,ManagedElement={VENDOR_ME},GNBCUCPFunction=5,NRCellCU=3",
            "cell:cell-v3",
        ),
        ("ManagedElement=me-vendor,GNBDUFunction=gnb-v,NRCellDU=cell-v3", "cell:cell-v3"),  # names
        ("ManagedElement=me-twin,GNBDUFunction=2,NRCellDU=1", "cell:cell-b1"),
        ("ManagedElement=me-twin,GNBDUFunction=1,NRCellDU=1,NRSectorCarrier=1", "cell:cell-a1"),
        ("ManagedElement=me-twin,GNBCUUPFunction=2", "gnb:gnb-b"),
        (f"ManagedElement={VENDOR_ME},NRCellDU=3", "cell:cell-v3"),  # its element has one gNB
        ("ManagedElement=me-core,AMFFunction=amf-1", "core_function:amf-1"),
        ("ManagedElement=me-core,AMFFunction=1", "core_function:amf-1"),  # its one AMF
        ("ManagedElement=me-core,UPFFunction=upf-1,EP_N3=1", "upf:upf-1"),
        ("ManagedElement=me-core,EdgeNode=mec-1", "edge_node:mec-1"),
        ("ManagedElement=me-sw,TransportLink=l-1", "link:l-1"),
        ("ManagedElement=me-twin,EP_RP=l-1", "link:l-1"),  # the other end's port
        ("ManagedElement=me-gm,PtpClock=gm-1", "ptp_grandmaster:gm-1"),
        ("ManagedElement=me-sw,PtpClock=sw-1", "transport_node:sw-1"),
        ("me-core", "managed_element:me-core"),
    ],
)
def test_wire_dns_resolve_to_the_model_object(wire: str, ref: str) -> None:
    assert str(Resolver(site()).resolve(wire).ref) == ref


def test_resolution_gives_the_canonical_dn_keeping_the_tail() -> None:
    resolver = Resolver(site())
    found = resolver.resolve(f"ManagedElement={VENDOR_ME},GNBDUFunction=gnb-v,NRCellDU=cell-v3")
    assert found.dn == f"SubNetwork=G3,ManagedElement={VENDOR_ME},GNBDUFunction=5,NRCellDU=3"
    found = resolver.resolve("ManagedElement=me-core,UPFFunction=upf-1,EP_N3=1")
    assert (
        found.dn == "ManagedElement=me-core,UPFFunction=upf-1,EP_N3=1" and found.tail == "EP_N3=1"
    )


def test_relative_dns_resolve_below_the_sender() -> None:
    resolver = Resolver(site())
    assert str(resolver.resolve("GNBDUFunction=2,NRCellDU=1", element="me-twin").ref) == (
        "cell:cell-b1"
    )
    assert resolver.source(VENDOR_ME) == ObjectRef("managed_element", "me-vendor")


@pytest.mark.parametrize(
    "wire",
    [
        "ManagedElement=me-unknown,GNBDUFunction=1,NRCellDU=1",  # element not modelled
        "ManagedElement=me-twin,GNBDUFunction=9,NRCellDU=1",  # no such gNB function
        "ManagedElement=me-twin,GNBDUFunction=1,NRCellDU=77",  # no such cell
        "ManagedElement=me-core,SMFFunction=smf-9",
        "GNBDUFunction=1,NRCellDU=1",  # relative, no sender
        "ManagedElement=me-twin,NRCellDU=1",  # two gNBs on the element: which one?
    ],
)
def test_unmodelled_objects_are_kept_as_seen(wire: str) -> None:
    found = Resolver(site()).resolve(wire)
    assert found.ref is None and found.dn == wire


def test_a_resolver_pickles_without_its_cache() -> None:
    resolver = Resolver(site())
    resolver.resolve("ManagedElement=me-twin,GNBDUFunction=1,NRCellDU=1")
    again = pickle.loads(pickle.dumps(resolver))
    assert again._cache == {}
    assert str(again.resolve("ManagedElement=me-twin,GNBDUFunction=1").ref) == "gnb:gnb-a"


def test_malformed_dns_are_errors() -> None:
    with pytest.raises(DnError):
        split_dn("ManagedElement=,X=1")
    for naming, field in (
        ({"dn_prefix": "A=1,,B=2"}, "dn_prefix"),
        ({"dn_prefix": "G3"}, "dn_prefix"),
    ):
        element = {"name": "x", "role": "gnb", "vendor": "v", "naming": naming}
        _, issues = parse_document({"managed_elements": [element]})
        assert [i.path for i in issues] == [f"managed_elements[x].naming.{field}"]


def test_two_gnbs_of_one_element_need_distinct_function_ids() -> None:
    from openipn.model.validation import validate_document

    gnbs = [
        {"name": "gnb-a", "managed_element": "me-twin", "gnb_id": 1, "du_function_id": 2},
        {"name": "gnb-b", "managed_element": "me-twin", "gnb_id": 2},  # ordinal 2
    ]
    issues = validate_document(site(gnbs=gnbs, cells=[], links=[]))
    assert [i.path for i in issues if "function_id" in i.path] == ["gnbs[gnb-b].du_function_id"]


def test_terminal_reports_name_the_terminal() -> None:
    from openipn.model.dn import terminal_dn

    terminal = {"name": "agv-1", "type": "agv", "supi": "imsi-999990000000001"}
    resolver = Resolver(site(terminals=[terminal]))
    assert str(resolver.resolve(terminal_dn("agv-1")).ref) == "terminal:agv-1"
    assert resolver.resolve(terminal_dn("agv-9")).ref is None


def test_vendor_forms_beyond_the_twin() -> None:
    resolver = Resolver(site())
    ericsson = (
        f"SubNetwork=G3,ManagedElement={VENDOR_ME},ManagedElement=1,GNBDUFunction=5,NRCellDU=3"
    )
    assert str(resolver.resolve(ericsson).ref) == "cell:cell-v3"
    lte = resolver.resolve("ManagedElement=me-twin,ENBFunction=1,EUtranCellFDD=L1")
    assert lte.ref is None and lte.dn == "ManagedElement=me-twin,ENBFunction=1,EUtranCellFDD=L1"
    port = resolver.resolve("ManagedElement=me-twin,GNBDUFunction=1,NRCellDU=1,EP_F1U=2")
    assert str(port.ref) == "cell:cell-a1" and port.tail == "EP_F1U=2"
    # a free-text objectInstance belongs to its sender
    assert str(resolver.resolve("eth0 port 1/2", element="me-sw").ref) == "managed_element:me-sw"


def test_equal_local_ids_are_told_apart_by_their_prefix() -> None:
    def naming(x: str) -> dict[str, str]:
        return {"dn_prefix": f"SubNetwork=G3,MeContext=site{x}", "local_dn": "ManagedElement=1"}

    elements = [
        {"name": f"me-{x}", "role": "gnb", "vendor": "v", "naming": naming(x)} for x in "AB"
    ]
    gnbs = [{"name": f"gnb-{x}", "managed_element": f"me-{x}", "gnb_id": i}
            for i, x in enumerate("AB", start=1)]  # fmt: skip
    resolver = Resolver(site(managed_elements=elements, gnbs=gnbs, cells=[], links=[],
                             core_functions=[], upfs=[], edge_nodes=[], transport_nodes=[],
                             ptp_grandmasters=[]))  # fmt: skip
    assert str(resolver.resolve("MeContext=siteB,ManagedElement=1,GNBDUFunction=1").ref) == (
        "gnb:gnb-B"
    )
    full = "DC=x,SubNetwork=G3,MeContext=siteA,ManagedElement=1,GNBDUFunction=1"
    assert str(resolver.resolve(full).ref) == "gnb:gnb-A"
    assert resolver.resolve("ManagedElement=1,GNBDUFunction=1").ref is None  # which one?


def test_a_single_element_site_takes_relative_dns() -> None:
    elements = [{"name": "me-1", "role": "gnb", "vendor": "v",
                 "management": {"ves_source_name": "gnb-1-ves"}}]  # fmt: skip
    gnbs = [{"name": "gnb-1", "managed_element": "me-1", "gnb_id": 1}]
    cells = [{"name": "c1", "gnb": "gnb-1", "cell_local_id": 4, "pci": 1, "tac": 1,
              "arfcn_dl": 801667}]  # fmt: skip
    document, issues = parse_document({"managed_elements": elements, "gnbs": gnbs, "cells": cells})
    assert issues == []
    assert str(Resolver(document).resolve("GNBDUFunction=1,NRCellDU=4").ref) == "cell:c1"


def test_an_undeclared_cucp_id_that_meets_a_declared_one_is_reported() -> None:
    from openipn.model.validation import validate_document

    gnbs = [
        {"name": "gnb-a", "managed_element": "me-twin", "gnb_id": 1, "cucp_function_id": 2},
        {"name": "gnb-b", "managed_element": "me-twin", "gnb_id": 2},  # DU 2, so CU-CP 2
    ]
    issues = validate_document(site(gnbs=gnbs, cells=[], links=[]))
    assert [i.path for i in issues if "function_id" in i.path] == ["gnbs[gnb-b].cucp_function_id"]


def test_a_numeric_function_id_names_only_the_one_function_of_its_class() -> None:
    amfs = [{"name": f"amf-{i}", "type": "AMF", "managed_element": "me-core"} for i in (1, 2)]
    resolver = Resolver(site(core_functions=amfs))
    assert resolver.resolve("ManagedElement=me-core,AMFFunction=1").ref is None  # which AMF?
    assert str(resolver.resolve("ManagedElement=me-core,AMFFunction=amf-2").ref) == (
        "core_function:amf-2"
    )
