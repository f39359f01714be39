"""Site-file validation: a small valid network, then one broken rule at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from openipn.model.arfcn import arfcn_to_mhz
from openipn.model.document import Issue, SiteFileError
from openipn.model.radio import Cell
from openipn.model.site import Permit
from openipn.model.subscribers import Subscription
from openipn.sitefile import check_site_text, dump_site_text

NID = "000007ed9d5"
IMEIS = ("356938035643809", "356938035643817")
ICCIDS = ("8986000000000000010", "8986000000000000028")
SUPIS = ("imsi-999990000000001", "imsi-999990000000002")
K = "DEADBEEF0123456789ABCDEFCAFEF00D"  # recognisable, must never be echoed
OPC = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
ARFCN = 801_667  # 6025.005 MHz


def valid_site() -> dict[str, Any]:
    def cell(name: str, gnb: str, local_id: int, pci: int, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "gnb": gnb,
            "cell_local_id": local_id,
            "pci": pci,
            "tac": 1,
            "arfcn_dl": ARFCN,
            "bandwidth_mhz": 100,
            "tx_power_dbm": 24,
            "antenna_gain_dbi": 5,
            "area": "workshop-a",
            "slices": ["urllc", "embb"],
            **extra,
        }

    def element(name: str, role: str) -> dict[str, Any]:
        return {"name": name, "role": role, "vendor": "acme", "location_area": "workshop-a"}

    def terminal(index: int) -> dict[str, Any]:
        return {
            "name": f"agv-0{index + 1}",
            "type": "agv",
            "imei": IMEIS[index],
            "supi": SUPIS[index],
            "expected_area": "workshop-a",
            "application": "agv-nav",
        }

    def subscription(index: int) -> dict[str, Any]:
        return {
            "supi": SUPIS[index],
            "iccid": ICCIDS[index],
            "k": K,
            "opc": OPC,
            "profile": "agv-profile",
            "imei": IMEIS[index],
        }

    return {
        "format": "openipn-site/v1",
        "site": {"name": "plant-1", "anchor": {"latitude": 31.2, "longitude": 121.5}},
        "snpn": {"plmn": {"mcc": "999", "mnc": "99"}, "nid": NID},
        "areas": [
            {"name": "workshop-a", "polygon": [[0, 0], [100, 0], [100, 60], [0, 60]]},
            {"name": "data-room", "kind": "data_room", "polygon": [[100, 0], [110, 0], [110, 10]]},
        ],
        "permits": [
            {
                "name": "permit-6ghz",
                "number": "MIIT-2024-0042",
                "holder": "Plant One Ltd",
                "valid_from": "2024-01-01",
                "valid_until": "2028-12-31",
                "ranges": [{"start_mhz": 5925, "end_mhz": 6125}],
                "max_eirp_dbm": 40,
                "area": [[-10, -10], [120, -10], [120, 70], [-10, 70]],
            }
        ],
        "managed_elements": [
            element("me-gnb-1", "gnb"),
            element("me-gnb-2", "gnb"),
            element("me-core", "core"),
            element("me-upf", "upf"),
            element("me-edge", "edge"),
            element("me-sw", "transport"),
        ],
        "gnbs": [
            {"name": "gnb-1", "managed_element": "me-gnb-1", "gnb_id": 1, "area": "workshop-a"},
            {"name": "gnb-2", "managed_element": "me-gnb-2", "gnb_id": 2, "area": "workshop-a"},
        ],
        "cells": [
            cell(
                "cell-1a",
                "gnb-1",
                1,
                10,
                position={"x": 20, "y": 20, "z": 6},
                broadcast_nids=[NID],
                neighbours=["cell-2a"],
            ),
            cell("cell-1b", "gnb-1", 2, 11),
            cell("cell-2a", "gnb-2", 1, 12, neighbours=["cell-1a"]),
        ],
        "core_functions": [
            {"name": "amf-1", "type": "AMF", "managed_element": "me-core"},
            {"name": "smf-1", "type": "SMF", "managed_element": "me-core"},
        ],
        "upfs": [
            {
                "name": "upf-1",
                "role": "edge",
                "managed_element": "me-upf",
                "dnns": ["factory"],
                "slices": ["urllc", "embb"],
            }
        ],
        "edge_nodes": [{"name": "mec-1", "managed_element": "me-edge", "upf": "upf-1"}],
        "transport_nodes": [{"name": "sw-1", "type": "switch", "managed_element": "me-sw"}],
        "links": [
            {"name": "l-gnb1", "a": "gnb-1", "b": "sw-1", "capacity_mbps": 10_000},
            {"name": "l-gnb2", "a": "gnb-2", "b": "sw-1", "capacity_mbps": 10_000},
            {"name": "l-amf", "a": "amf-1", "b": "sw-1", "capacity_mbps": 10_000},
            {"name": "l-upf", "a": "upf-1", "b": "sw-1", "capacity_mbps": 10_000},
            {"name": "l-mec", "a": "mec-1", "b": "upf-1", "capacity_mbps": 25_000},
        ],
        "slices": [
            {"name": "urllc", "sst": 2, "sd": "000001", "sla": {"latency_budget_ms": 5}},
            {"name": "embb", "sst": 1},
        ],
        "applications": [
            {
                "name": "agv-nav",
                "class": "agv_control",
                "slice": "urllc",
                "edge_node": "mec-1",
                "latency_budget_ms": 10,
                "areas": ["workshop-a"],
            }
        ],
        "sim_profiles": [{"name": "agv-profile", "slices": ["urllc"], "dnns": ["factory"]}],
        "terminals": [terminal(0), terminal(1)],
        "subscriptions": [subscription(0), subscription(1)],
    }


def issues_of(site: dict[str, Any]) -> list[Issue]:
    _, issues = check_site_text(yaml.safe_dump(site, sort_keys=False))
    return issues


def mutated(change: Callable[[dict[str, Any]], object]) -> list[Issue]:
    site = copy.deepcopy(valid_site())
    change(site)
    return issues_of(site)


def assert_issue(issues: list[Issue], path: str, phrase: str) -> None:
    hits = [i for i in issues if i.path == path and phrase in i.message]
    assert hits, f"no issue at {path} with {phrase!r}; got: {[str(i) for i in issues]}"


# --- the valid document ------------------------------------------------------------


def test_cell_carrier_is_inside_the_permitted_band() -> None:
    assert arfcn_to_mhz(ARFCN) == pytest.approx(6025.005)
    document, _ = check_site_text(yaml.safe_dump(valid_site(), sort_keys=False))
    cell = document.objects("cells")[0]
    permit = document.objects("permits")[0]
    assert isinstance(cell, Cell)
    assert isinstance(permit, Permit)
    assert cell.band_edges_mhz == pytest.approx((5975.005, 6075.005))
    assert permit.covers(*cell.band_edges_mhz)
    assert cell.eirp_dbm == 29


def test_valid_document_has_no_issues() -> None:
    document, issues = check_site_text(yaml.safe_dump(valid_site(), sort_keys=False))
    assert issues == []
    assert len(document.objects("cells")) == 3
    assert len(document.objects("subscriptions")) == 2


def test_dump_and_reload_is_still_valid() -> None:
    document, _ = check_site_text(yaml.safe_dump(valid_site(), sort_keys=False))
    reloaded, issues = check_site_text(dump_site_text(document))
    assert issues == []
    assert [c.name for c in reloaded.objects("cells")] == ["cell-1a", "cell-1b", "cell-2a"]


# --- one rule at a time ---------------------------------------------------------


def _set(*keys: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(site: dict[str, Any]) -> None:
        target: Any = site
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def _all_cells(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(site: dict[str, Any]) -> None:
        for cell in site["cells"]:
            cell[field] = value

    return change


def _swap_key(section: str, index: int, old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(site: dict[str, Any]) -> None:
        item = site[section][index]
        item[new] = item.pop(old)

    return change


def _copy_field(section: str, field: str, src: int, dst: int) -> Callable[[dict[str, Any]], None]:
    def change(site: dict[str, Any]) -> None:
        site[section][dst][field] = site[section][src][field]

    return change


def _remove_upf_slice(site: dict[str, Any]) -> None:
    site["upfs"][0]["slices"].remove("embb")


def _extra_section(site: dict[str, Any]) -> None:
    site["cell"] = []


RULES = [
    pytest.param(
        _set("cells", 1, "pci", value=1012), "cells[cell-1b].pci", "outside 0..1007", id="pci"
    ),
    pytest.param(_set("snpn", "plmn", "mcc", value="12"), "snpn.plmn.mcc", "not an MCC", id="mcc"),
    pytest.param(_set("snpn", "plmn", "mnc", value="9"), "snpn.plmn.mnc", "not an MNC", id="mnc"),
    pytest.param(_set("snpn", "nid", value="300007ed9d5"), "snpn.nid", "assignment mode", id="nid"),
    pytest.param(_set("snpn", "nid", value="7ed9d5"), "snpn.nid", "11 hexadecimal", id="nid-len"),
    pytest.param(
        _set("cells", 0, "tac", value=2**24), "cells[cell-1a].tac", "outside 0..16777215", id="tac"
    ),
    pytest.param(
        _set("cells", 2, "arfcn_dl", value=633_334),  # 3500.01 MHz
        "cells[cell-2a].arfcn_dl",
        "outside every range of the site's frequency permits",
        id="arfcn-outside-permit",
    ),
    pytest.param(
        _all_cells("arfcn_dl", 804_000),  # 6060 MHz: upper edge 6110 ok
        None,
        None,
        id="arfcn-inside-permit",
    ),
    pytest.param(
        _set("cells", 2, "arfcn_dl", value=804_000),  # 6010-6110 MHz overlaps 5975-6075
        "cells[cell-2a].arfcn_dl",
        "overlaps the carrier of cells[cell-1a]",
        id="carrier-overlap",
    ),
    pytest.param(
        _set("cells", 2, "arfcn_dl", value=805_001),  # 6075.015 MHz: upper edge 6125.015
        "cells[cell-2a].arfcn_dl",
        "outside every range",
        id="channel-edge-over-permit",
    ),
    pytest.param(
        _set("cells", 0, "tx_power_dbm", value=36),  # 36 + 5 dBi = 41 dBm > 40
        "cells[cell-1a].tx_power_dbm",
        "EIRP 41 dBm (power 36 + gain 5) exceeds the permit's 40 dBm",
        id="eirp",
    ),
    pytest.param(_set("cells", 0, "tx_power_dbm", value=35), None, None, id="eirp-at-limit"),
    pytest.param(
        _set("cells", 0, "position", value={"x": 500, "y": 20}),
        "cells[cell-1a].position",
        "outside the permitted area",
        id="outside-permit-area",
    ),
    pytest.param(
        _copy_field("subscriptions", "supi", 0, 1),
        "subscriptions[imsi-999990000000001].supi",
        f"duplicate subscription '{SUPIS[0]}'",
        id="duplicate-supi",
    ),
    pytest.param(
        _copy_field("terminals", "supi", 0, 1),
        "terminals[agv-02].supi",
        f"duplicate SUPI {SUPIS[0]}",
        id="two-terminals-one-supi",
    ),
    pytest.param(
        _copy_field("subscriptions", "iccid", 0, 1),
        "subscriptions[imsi-999990000000002].iccid",
        f"duplicate ICCID {ICCIDS[0]}",
        id="duplicate-iccid",
    ),
    pytest.param(
        _copy_field("terminals", "imei", 0, 1),
        "terminals[agv-02].imei",
        f"duplicate IMEI {IMEIS[0]}",
        id="duplicate-imei",
    ),
    pytest.param(
        _set("terminals", 1, "imei", value=IMEIS[0][:-1] + "7"),
        "terminals[agv-02].imei",
        "Luhn",
        id="imei-luhn",
    ),
    pytest.param(
        _set("subscriptions", 0, "iccid", value=ICCIDS[0][:-1] + "1"),
        "subscriptions[imsi-999990000000001].iccid",
        "Luhn",
        id="iccid-luhn",
    ),
    pytest.param(
        _set("subscriptions", 0, "supi", value="999990000000001"),
        "subscriptions[999990000000001].supi",
        "write 'imsi-999990000000001'",
        id="supi-prefix",
    ),
    pytest.param(
        _set("gnbs", 1, "gnb_id", value=1), "gnbs[gnb-2].gnb_id", "duplicate gNB ID 1", id="gnb-id"
    ),
    pytest.param(
        _set("gnbs", 0, "gnb_id", value=2**22),
        "gnbs[gnb-1]",
        "does not fit in gnb_id_length 22",
        id="gnb-id-length",
    ),
    pytest.param(
        _set("cells", 1, "cell_local_id", value=1),
        "cells[cell-1b].cell_local_id",
        "the NCI would collide",
        id="nci",
    ),
    pytest.param(
        _set("cells", 2, "pci", value=10),  # declared neighbour of cell-1a
        "cells[cell-1a].pci",
        "PCI 10 collides with neighbour cell-2a on ARFCN 801667",
        id="pci-collision-declared",
    ),
    pytest.param(
        _set("cells", 1, "pci", value=10),  # same gNB as cell-1a
        "cells[cell-1b].pci",
        "PCI 10 collides with neighbour cell-1a",
        id="pci-collision-cosited",
    ),
    pytest.param(
        _set("cells", 2, "pci", value=11),  # cell-1a hears cell-1b and cell-2a on PCI 11
        "cells[cell-1a].pci",
        "PCI confusion: neighbours cell-1b and cell-2a both use PCI 11",
        id="pci-confusion",
    ),
    pytest.param(
        _set("cells", 0, "broadcast_nids", value=["100000000ab"]),
        "cells[cell-1a].broadcast_nids",
        f"does not include the SNPN's NID {NID}",
        id="broadcast-nid",
    ),
    pytest.param(
        _set("cells", 0, "gnb", value="gnb-9"),
        "cells[cell-1a].gnb",
        "'gnb-9' names no gnb",
        id="ref-gnb",
    ),
    pytest.param(
        _set("links", 0, "b", value="sw-9"),
        "links[l-gnb1].b",
        "'sw-9' names no gnb or core_function or upf or edge_node or transport_node",
        id="ref-link",
    ),
    pytest.param(
        _set("terminals", 0, "supi", value="imsi-999990000000099"),
        "terminals[agv-01].supi",
        "names no subscription",
        id="ref-terminal-supi",
    ),
    pytest.param(
        _set("applications", 0, "slice", value="mmtc"),
        "applications[agv-nav].slice",
        "'mmtc' names no slice",
        id="ref-application-slice",
    ),
    pytest.param(
        _set("cells", 0, "neighbours", value=["cell-9"]),
        "cells[cell-1a].neighbours",
        "'cell-9' names no cell",
        id="ref-neighbour",
    ),
    pytest.param(_remove_upf_slice, "slices[embb]", "slice embb has no UPF", id="slice-no-upf"),
    pytest.param(
        _set("applications", 0, "slice", value="embb"),
        None,
        None,
        id="app-slice-anchored-by-edge-upf",
    ),
    pytest.param(
        _set("sim_profiles", 0, "dnns", value=["factory", "internet"]),
        "sim_profiles[agv-profile].dnns[1]",
        "no UPF serves DNN 'internet'",
        id="profile-dnn",
    ),
    pytest.param(
        _set("subscriptions", 0, "imei", value=IMEIS[1]),
        "terminals[agv-01].imei",
        f"differs from the IMEI {IMEIS[1]}",
        id="imei-binding",
    ),
    pytest.param(
        _swap_key("cells", 0, "tx_power_dbm", "tx_powr_dbm"),
        "cells[cell-1a].tx_powr_dbm",
        "unknown field",
        id="unknown-field",
    ),
    pytest.param(_extra_section, "cell", "unknown section", id="unknown-section"),
    pytest.param(
        _set("transport_nodes", 0, "name", value="gnb-1"),
        "transport_nodes[gnb-1].name",
        "'gnb-1' is also a gnb",
        id="node-name-clash",
    ),
]


@pytest.mark.parametrize(("change", "path", "phrase"), RULES)
def test_rule(change: Callable[[dict[str, Any]], None], path: str | None, phrase: str) -> None:
    issues = mutated(change)
    if path is None:
        assert issues == []
    else:
        assert_issue(issues, path, phrase)


def test_pci_reuse_on_another_carrier_is_not_a_collision() -> None:
    def change(site: dict[str, Any]) -> None:
        site["cells"][2]["pci"] = 10
        site["cells"][2]["arfcn_dl"] = 806_667  # 6100.005 MHz
        site["cells"][2]["bandwidth_mhz"] = 40  # edges 6080..6120: clear of 5975..6075

    assert mutated(change) == []


def test_duplicate_yaml_key_is_an_error() -> None:
    text = yaml.safe_dump(valid_site(), sort_keys=False)
    assert text.count("  pci: 10\n") == 1
    text = text.replace("  pci: 10\n", "  pci: 10\n  pci: 1000\n")
    with pytest.raises(SiteFileError, match="duplicate key 'pci'"):
        check_site_text(text)


def test_missing_site_and_snpn_reported() -> None:
    def change(site: dict[str, Any]) -> None:
        del site["site"], site["snpn"]

    issues = mutated(change)
    assert_issue(issues, "site", "required section is missing")
    assert_issue(issues, "snpn", "required section is missing")


def test_five_errors_are_all_reported() -> None:
    def change(site: dict[str, Any]) -> None:
        site["cells"][1]["pci"] = 1012
        site["snpn"]["plmn"]["mcc"] = "12"
        site["cells"][0]["gnb"] = "gnb-9"
        site["upfs"][0]["dnn"] = ["factory"]
        site["terminals"][1]["imei"] = IMEIS[0]

    issues = mutated(change)
    paths = {i.path for i in issues}
    expected = {
        "cells[cell-1b].pci",
        "snpn.plmn.mcc",
        "cells[cell-1a].gnb",
        "upfs[upf-1].dnn",
        "terminals[agv-02].imei",
    }
    assert expected <= paths, [str(i) for i in issues]


# --- secrets ------------------------------------------------------------------


def test_secrets_are_not_dumped() -> None:
    document, issues = check_site_text(yaml.safe_dump(valid_site(), sort_keys=False))
    assert issues == []
    sub = document.objects("subscriptions")[0]
    assert isinstance(sub, Subscription)
    assert sub.k is not None
    assert sub.k.get_secret_value() == K.lower()  # parsed and kept, just never shown
    text = dump_site_text(document)
    for secret in (K, OPC):
        assert secret.lower() not in text.lower()
    loaded = yaml.safe_load(text)
    assert not {"k", "op", "opc"} & set(loaded["subscriptions"][0])


def test_secrets_are_not_in_repr_or_str() -> None:
    sub = Subscription(supi=SUPIS[0], k=K, op=OPC)
    for text in (repr(sub), str(sub)):
        assert K.lower() not in text.lower()
        assert OPC.lower() not in text.lower()


@pytest.mark.parametrize(
    "bad_k",
    [K[:-2], K + "00", K[:-1] + "Z"],
    ids=["short", "long", "non-hex"],
)
def test_malformed_k_is_not_echoed_in_errors(bad_k: str) -> None:
    site = valid_site()
    site["subscriptions"][0]["k"] = bad_k
    issues = issues_of(site)
    assert_issue(issues, "subscriptions[imsi-999990000000001].k", "32 hexadecimal digits")
    assert all(bad_k.lower() not in str(i).lower() for i in issues)
    assert all(K[:24].lower() not in str(i).lower() for i in issues)


@pytest.mark.parametrize(
    "line",
    [f"  k: '{K}\n", f"  k: {K}: x\n", f"  k: {K}\n  k: {K}\n"],
    ids=["unterminated-quote", "stray-colon", "duplicate-key"],
)
def test_yaml_syntax_error_does_not_echo_k(line: str) -> None:
    text = f"subscriptions:\n- supi: {SUPIS[0]}\n" + line
    with pytest.raises(SiteFileError) as excinfo:
        check_site_text(text)
    assert K not in str(excinfo.value)


# --- bugs found -------------------------------------------------------------------


def test_cell_local_id_must_fit_next_to_a_32_bit_gnb_id() -> None:
    def change(site: dict[str, Any]) -> None:
        site["gnbs"][0].update(gnb_id=2**31, gnb_id_length=32)
        site["cells"][0]["cell_local_id"] = 16

    issues = mutated(change)
    assert any(i.path.startswith("cells[cell-1a]") for i in issues), [str(i) for i in issues]


def test_imei_and_imeisv_of_one_device_are_duplicates() -> None:
    def change(site: dict[str, Any]) -> None:
        site["terminals"][1]["imei"] = IMEIS[0][:14] + "01"  # IMEISV of terminal 0
        site["subscriptions"][1]["imei"] = IMEIS[0][:14] + "01"

    assert_issue(mutated(change), "terminals[agv-02].imei", "duplicate IMEI")


def test_unhashable_yaml_key_is_a_site_file_error() -> None:
    with pytest.raises(SiteFileError):
        check_site_text("? [a]\n: 1\n")
