"""The openipn-nrm YANG module, its Python schema table and the NETCONF XML codec."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pyang import context, repository

from openipn.codecs.netconf_xml import (
    Change,
    config_to_xml,
    edit_config_changes,
    edit_xml_for,
    to_string,
    xml_to_config,
)
from openipn.codecs.nrm_yang import (
    MANAGED_ELEMENT,
    NRM_CAPABILITY,
    NRM_NS,
    YANG_DIR,
    LeafSpec,
    LeafType,
    ListSpec,
    RpcError,
    format_value,
)

MODULE_PATH = YANG_DIR / "openipn-nrm@2026-12-07.yang"
ME = "me-gnb-1"
CELL_DN = f"ManagedElement={ME},GNBDUFunction=gnb-1,NRCellDU=cell-1"
CELL_XPATH = (
    f"/oipn:ManagedElement[oipn:id='{ME}']/oipn:GNBDUFunction[oipn:id='gnb-1']"
    "/oipn:NRCellDU[oipn:id='cell-1']"
)
INT_BOUNDS = {"uint8": (0, 255), "uint16": (0, 65535), "uint32": (0, 2**32 - 1)}


def base_tree() -> dict[str, Any]:
    cell = {
        "administrativeState": "UNLOCKED",
        "nRPCI": 120,
        "nRTAC": 1,
        "txPower": 24.0,
        "cellIndividualOffset": 0.0,
        "antennaTilt": 10.0,
    }
    gnb = {
        "attributes": {"gNBId": 1, "gNBIdLength": 22},
        "NRCellDU": {"cell-1": {"attributes": cell}},
    }
    return {"ManagedElement": {ME: {"attributes": {}, "GNBDUFunction": {"gnb-1": gnb}}}}


def edit(body: str, base: dict[str, Any] | None = None, default: str = "merge") -> Any:
    xml = (
        '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" '
        'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">'
        f'<ManagedElement xmlns="{NRM_NS}"><id>{ME}</id><GNBDUFunction><id>gnb-1</id>'
        f"{body}</GNBDUFunction></ManagedElement></config>"
    )
    return edit_config_changes(xml, base_tree() if base is None else base, default)


def cell_edit(attributes: str, operation: str = "") -> str:
    op = f' nc:operation="{operation}"' if operation else ""
    return f"<NRCellDU{op}><id>cell-1</id><attributes>{attributes}</attributes></NRCellDU>"


# --- the YANG module -----------------------------------------------------------------------


def test_module_passes_pyang_strict_without_warnings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pyang", "--strict", str(MODULE_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def load_module() -> Any:
    ctx = context.Context(repository.FileRepository(str(YANG_DIR), use_env=False))
    ctx.strict = True
    module = ctx.add_module(MODULE_PATH.name, MODULE_PATH.read_text(encoding="utf-8"))
    ctx.validate()
    assert ctx.errors == []
    return module


def yang_leaf(leaf: Any) -> tuple[object, ...]:
    """A comparable description of a YANG leaf: type, bounds, fraction digits, enums, config."""
    type_stmt = leaf.search_one("type")
    while type_stmt.i_typedef is not None:
        type_stmt = type_stmt.i_typedef.search_one("type")
    base = type_stmt.arg
    if base == "enumeration":
        values = tuple(enum.arg for enum in type_stmt.search("enum"))
        return ("enumeration", 0, 0, 0, values, leaf.i_config)
    bounds = type_stmt.search_one("range") or type_stmt.search_one("length")
    if bounds is not None:
        low, high = (float(part) for part in bounds.arg.split(".."))
    else:
        low, high = INT_BOUNDS[base]
    digits = type_stmt.search_one("fraction-digits")
    kind = "integer" if base in INT_BOUNDS else base
    return (kind, low, high, int(digits.arg) if digits else 0, (), leaf.i_config)


def table_leaf(leaf: LeafSpec) -> tuple[object, ...]:
    return (leaf.type.value, leaf.low, leaf.high, leaf.fraction_digits, leaf.values, leaf.config)


def compare_class(yang_list: Any, spec: ListSpec) -> None:
    assert yang_list.keyword == "list" and yang_list.search_one("key").arg == "id"
    attributes = yang_list.search_one("container", "attributes")
    yang_leaves = {leaf.arg: yang_leaf(leaf) for leaf in attributes.i_children}
    assert yang_leaves == {leaf.name: table_leaf(leaf) for leaf in spec.leaves}, spec.name
    children = [child for child in yang_list.i_children if child.keyword == "list"]
    assert [child.arg for child in children] == [child.name for child in spec.children]
    for child, child_spec in zip(children, spec.children, strict=True):
        compare_class(child, child_spec)


def test_python_schema_table_matches_the_yang_module() -> None:
    module = load_module()
    assert module.search_one("namespace").arg == NRM_NS
    assert module.search_one("revision").arg in NRM_CAPABILITY
    compare_class(module.search_one("list", "ManagedElement"), MANAGED_ELEMENT)


def test_restart_rpc_takes_a_target_and_returns_a_status() -> None:
    restart = load_module().search_one("rpc", "restart")
    target = restart.search_one("input").search_one("leaf", "target")
    assert target.search_one("mandatory").arg == "true"
    assert restart.search_one("output").search_one("leaf", "status") is not None


# --- XML codec -----------------------------------------------------------------------------


def test_config_round_trips_through_xml() -> None:
    tree = base_tree()
    xml = to_string(config_to_xml(tree))
    assert "<txPower>24.0</txPower>" in xml
    assert xml_to_config(xml) == tree


def test_xml_to_config_skips_other_modules_and_keeps_state() -> None:
    xml = (
        '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
        '<other xmlns="urn:example:other"><x>1</x></other>'
        f'<ManagedElement xmlns="{NRM_NS}"><id>me</id><UPFFunction><id>upf</id><attributes>'
        "<operationalState>DISABLED</operationalState></attributes></UPFFunction>"
        "</ManagedElement></data>"
    )
    tree = xml_to_config(xml)
    upf = tree["ManagedElement"]["me"]["UPFFunction"]["upf"]
    assert upf["attributes"] == {"operationalState": "DISABLED"}


@pytest.mark.parametrize(
    ("leaf", "value", "text"),
    [("txPower", 24, "24.0"), ("txPower", 20.25, "20.25"), ("antennaTilt", -3.5, "-3.5")],
)
def test_decimal64_is_written_canonically(leaf: str, value: float, text: str) -> None:
    spec = MANAGED_ELEMENT.children[0].children[0].leaf(leaf)
    assert spec is not None and spec.type is LeafType.DECIMAL64
    assert format_value(spec, value) == text


def test_merge_changes_exactly_the_edited_leaves() -> None:
    base = base_tree()
    new, changes = edit(
        cell_edit("<txPower>20.5</txPower><administrativeState>LOCKED</administrativeState>")
    )
    assert changes == [
        Change(f"{CELL_DN}/attributes/administrativeState", "UNLOCKED", "LOCKED"),
        Change(f"{CELL_DN}/attributes/txPower", 24.0, 20.5),
    ]
    assert changes[1].dn == CELL_DN and changes[1].attribute == "txPower"
    assert base == base_tree()  # the input is not modified
    assert (
        new["ManagedElement"][ME]["GNBDUFunction"]["gnb-1"]["NRCellDU"]["cell-1"]["attributes"][
            "nRPCI"
        ]
        == 120
    )


@pytest.mark.parametrize(
    ("attributes", "leaf", "message"),
    [
        ("<nRPCI>1012</nRPCI>", "nRPCI", "1012 is outside 0..1007"),
        ("<txPower>20.125</txPower>", "txPower", "fraction digits"),
        ("<cellIndividualOffset>25</cellIndividualOffset>", "cellIndividualOffset", "-24..24"),
        ("<administrativeState>OFF</administrativeState>", "administrativeState", "LOCKED"),
        ("<nRTAC>x1</nRTAC>", "nRTAC", "not an integer"),
        ("<operationalState>ENABLED</operationalState>", "operationalState", "read-only"),
    ],
)
def test_invalid_values_give_invalid_value_with_the_path(
    attributes: str, leaf: str, message: str
) -> None:
    with pytest.raises(RpcError) as caught:
        edit(cell_edit(attributes))
    assert caught.value.tag == "invalid-value"
    assert caught.value.path == f"{CELL_XPATH}/oipn:attributes/oipn:{leaf}"
    assert message in caught.value.message


def test_create_an_existing_cell_is_data_exists_and_delete_a_missing_one_data_missing() -> None:
    with pytest.raises(RpcError) as exists:
        edit(cell_edit("<nRPCI>1</nRPCI>", "create"))
    assert exists.value.tag == "data-exists" and exists.value.path == CELL_XPATH
    with pytest.raises(RpcError) as missing:
        edit('<NRCellDU nc:operation="delete"><id>cell-9</id></NRCellDU>')
    assert missing.value.tag == "data-missing"
    _, changes = edit('<NRCellDU nc:operation="remove"><id>cell-9</id></NRCellDU>')
    assert changes == []


def test_delete_and_create_whole_entries() -> None:
    new, changes = edit('<NRCellDU nc:operation="delete"><id>cell-1</id></NRCellDU>')
    assert [(c.path, c.new) for c in changes] == [(CELL_DN, None)]
    assert (
        changes[0].old
        == base_tree()["ManagedElement"][ME]["GNBDUFunction"]["gnb-1"]["NRCellDU"]["cell-1"]
    )
    assert "NRCellDU" not in new["ManagedElement"][ME]["GNBDUFunction"]["gnb-1"]
    body = '<NRCellDU nc:operation="create"><id>cell-2</id><attributes><nRPCI>7</nRPCI>'
    _, created = edit(body + "</attributes></NRCellDU>")
    assert created == [
        Change(CELL_DN.replace("cell-1", "cell-2"), None, {"attributes": {"nRPCI": 7}})
    ]


def test_replace_entry_drops_unmentioned_leaves_and_leaf_delete_removes_one() -> None:
    new, _ = edit(cell_edit("<nRPCI>5</nRPCI>", "replace"))
    cell = new["ManagedElement"][ME]["GNBDUFunction"]["gnb-1"]["NRCellDU"]["cell-1"]
    assert cell == {"attributes": {"nRPCI": 5}}
    _, changes = edit(cell_edit('<antennaTilt nc:operation="delete"/>'))
    assert changes == [Change(f"{CELL_DN}/attributes/antennaTilt", 10.0, None)]


def test_default_operation_none_ignores_leaves_without_operation() -> None:
    _, changes = edit(cell_edit("<nRPCI>5</nRPCI>"), default="none")
    assert changes == []
    with pytest.raises(RpcError) as caught:
        edit(cell_edit("<nRPCI>5</nRPCI>").replace("cell-1", "cell-7"), default="none")
    assert caught.value.tag == "data-missing"


def test_unknown_element_namespace_and_operation_are_rejected() -> None:
    with pytest.raises(RpcError) as unknown:
        edit(cell_edit("<power>1</power>"))
    assert unknown.value.tag == "unknown-element"
    assert unknown.value.info["bad-element"] == "power"
    with pytest.raises(RpcError) as foreign:
        edit('<x xmlns="urn:example:other"/>')
    assert foreign.value.tag == "unknown-namespace"
    with pytest.raises(RpcError) as bad_op:
        edit(cell_edit("<nRPCI>5</nRPCI>", "upsert"))
    assert bad_op.value.tag == "bad-attribute"


def test_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    xml = (
        f'<!DOCTYPE config [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
        '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
        f'<ManagedElement xmlns="{NRM_NS}"><id>me</id><attributes><userLabel>&e;</userLabel>'
        "</attributes></ManagedElement></config>"
    )
    tree, _ = edit_config_changes(xml, {})
    assert "TOP-SECRET" not in repr(tree)


def test_rpc_error_round_trips_through_xml() -> None:
    error = RpcError("invalid-value", "nRPCI: bad", path=f"{CELL_XPATH}/oipn:attributes/oipn:nRPCI")
    error.info["bad-element"] = "nRPCI"
    element = error.to_xml()
    assert element.find("{*}error-path").nsmap["oipn"] == NRM_NS
    parsed = RpcError.from_xml(etree.fromstring(etree.tostring(element)))
    assert (parsed.tag, parsed.error_type, parsed.severity) == (
        "invalid-value",
        "application",
        "error",
    )
    assert (parsed.path, parsed.message, parsed.info) == (error.path, error.message, error.info)


def test_edit_xml_for_builds_an_edit_the_codec_applies() -> None:
    config = edit_xml_for(CELL_DN, {"txPower": 18, "antennaTilt": None})
    _, changes = edit_config_changes(config, base_tree())
    assert changes == [
        Change(f"{CELL_DN}/attributes/txPower", 24.0, 18.0),
        Change(f"{CELL_DN}/attributes/antennaTilt", 10.0, None),
    ]
    with pytest.raises(ValueError, match="no attribute"):
        edit_xml_for(CELL_DN, {"power": 1})
