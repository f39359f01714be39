"""Suggestions for misspelt names, SUPI PLMN checks and the transport warnings of a site."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from test_validation import assert_issue, issues_of, valid_site

from openipn.model.document import parse_document
from openipn.model.identifiers import PlmnId
from openipn.model.radio import Cell
from openipn.model.subscriber_rules import imsi_plmn_problem
from openipn.model.suggest import did_you_mean, unknown_field_message
from openipn.model.validation import document_warnings
from openipn.sitefile import check_site_text

PLMN_999_99 = PlmnId(mcc="999", mnc="99")


# --- "did you mean" -------------------------------------------------------------------


def test_the_nearest_name_is_suggested() -> None:
    known = ["gnb-ws1-01", "gnb-ws1-02", "gnb-ws2-01"]
    assert did_you_mean("gnb-ws1-2", known) == "; did you mean 'gnb-ws1-02'?"


def test_equally_near_names_are_all_offered() -> None:
    assert did_you_mean("GNB9", ["GNB2", "GNB1"]) == "; did you mean 'GNB1' or 'GNB2'?"


def test_nothing_is_suggested_when_no_name_is_close() -> None:
    assert did_you_mean("zzz", ["gnb-ws1-01"]) == ""
    assert did_you_mean("x", []) == ""


def test_a_misspelt_field_suggests_the_field() -> None:
    assert unknown_field_message(Cell, ("tx_powr_dbm",)) == (
        "unknown field; did you mean 'tx_power_dbm'?"
    )
    assert unknown_field_message(Cell, ("position", "zz")) == "unknown field; did you mean 'z'?"
    assert unknown_field_message(Cell, ("position", "height")) == "unknown field"
    assert unknown_field_message(Cell, ("colour",)) == "unknown field"


def test_a_misspelt_reference_in_a_site_file_is_suggested() -> None:
    site = copy.deepcopy(valid_site())
    site["cells"][0]["gnb"] = "gnb1"
    assert_issue(issues_of(site), "cells[cell-1a].gnb", "'gnb1' names no gnb; did you mean")
    site["cells"][0]["gnb"] = "gnb-22"
    assert_issue(issues_of(site), "cells[cell-1a].gnb", "did you mean 'gnb-2'?")


def test_a_misspelt_field_in_a_site_file_is_suggested() -> None:
    site = copy.deepcopy(valid_site())
    site["cells"][1]["bandwith_mhz"] = site["cells"][1].pop("bandwidth_mhz")
    site["snpn"]["plmn"]["mnnc"] = site["snpn"]["plmn"].pop("mnc")
    issues = issues_of(site)
    assert_issue(issues, "cells[cell-1b].bandwith_mhz", "did you mean 'bandwidth_mhz'?")
    assert_issue(issues, "snpn.plmn.mnnc", "unknown field; did you mean 'mnc'?")


def test_a_misspelt_section_is_suggested() -> None:
    site = copy.deepcopy(valid_site())
    site["cels"] = site.pop("cells")
    assert_issue(issues_of(site), "cels", "unknown section; did you mean 'cells'?")


# --- SUPIs of the SNPN's PLMN (TS 23.003 §2.2) -------------------------------------------


@pytest.mark.parametrize(
    ("supi", "phrase"),
    [
        ("imsi-46000000200010", "expected it to start with MCC 999 + MNC 99 (99999)"),
        ("imsi-99999", "has 5 digits"),
        ("imsi-999990000000000001", None),  # 18 digits: the model's SUPI format refuses it
    ],
)
def test_an_imsi_of_another_plmn_or_length_is_refused(supi: str, phrase: str | None) -> None:
    problem = imsi_plmn_problem(supi, PLMN_999_99)
    if phrase is None:
        assert problem is not None and "at most 15 digits" in problem
    else:
        assert problem is not None and phrase in problem


def test_an_imsi_of_the_plmn_and_a_nai_pass() -> None:
    assert imsi_plmn_problem("imsi-999990000000001", PLMN_999_99) is None
    assert imsi_plmn_problem("nai-agv7@plant.example", PLMN_999_99) is None
    three_digit_mnc = PlmnId(mcc="999", mnc="099")
    assert imsi_plmn_problem("imsi-999099000000001", three_digit_mnc) is None
    assert imsi_plmn_problem("imsi-999990000000001", three_digit_mnc) is not None


def test_a_site_subscription_of_another_plmn_is_an_error() -> None:
    site = copy.deepcopy(valid_site())
    site["subscriptions"][1]["supi"] = site["terminals"][1]["supi"] = "imsi-460000002000100"
    issues = issues_of(site)
    assert_issue(issues, "subscriptions[imsi-460000002000100].supi", "PLMN 999-99")


# --- a gNB without a transport link ---------------------------------------------------------


def warnings_of(site: dict[str, Any]) -> list[str]:
    document, issues = check_site_text(yaml.safe_dump(site, sort_keys=False))
    assert issues == []
    return [str(warning) for warning in document_warnings(document)]


def test_a_linked_network_has_no_warnings() -> None:
    assert warnings_of(valid_site()) == []


def test_a_gnb_without_a_link_is_a_warning_not_an_error() -> None:
    site = copy.deepcopy(valid_site())
    site["links"] = [link for link in site["links"] if link["a"] != "gnb-2"]
    warnings = warnings_of(site)
    assert len(warnings) == 1
    assert warnings[0].startswith("gnbs[gnb-2]: gNB gnb-2 has no link")
    assert "AMF" in warnings[0]


def test_a_failed_object_is_named_by_its_key() -> None:
    site = copy.deepcopy(valid_site())
    site["cells"][1]["pci"] = 1012
    document, issues = parse_document(site)
    assert [str(issue) for issue in issues] == ["cells[cell-1b].pci: 1012 is outside 0..1007"]
    assert document.unparsed == {"cells": {"cell-1b"}}
