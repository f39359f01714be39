"""SNPN identifiers: PLMN ID, NID, names derived from them, NCI, Luhn, SUPI, ICCID, IMEI."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from openipn.model.identifiers import (
    NidAssignmentMode,
    PlmnId,
    check_iccid,
    check_imei,
    check_nid,
    check_supi,
    home_network_domain,
    luhn_digit,
    luhn_ok,
    nci,
    nid_assignment_mode,
    serving_network_name,
)
from openipn.model.site import Snpn

IMEI = "490154203237518"  # the classic valid IMEI example
ICCID_19 = "8986000000000000010"
ICCID_20 = "89860000000000000019"  # 19 digits + Luhn digit 9


# --- PLMN ID -----------------------------------------------------------------


@pytest.mark.parametrize(("mcc", "mnc"), [("001", "01"), ("460", "001"), ("999", "99")])
def test_plmn_accepts_3_digit_mcc_and_2_or_3_digit_mnc(mcc: str, mnc: str) -> None:
    plmn = PlmnId(mcc=mcc, mnc=mnc)
    assert (plmn.mcc, plmn.mnc) == (mcc, mnc)
    assert str(plmn) == f"{mcc}-{mnc}"


def test_plmn_mnc3_pads_two_digit_mnc() -> None:
    assert PlmnId(mcc="999", mnc="99").mnc3 == "099"
    assert PlmnId(mcc="999", mnc="123").mnc3 == "123"


@pytest.mark.parametrize(
    ("mcc", "mnc", "phrase"),
    [
        ("12", "01", "not an MCC"),
        ("abcd", "01", "not an MCC"),
        ("1234", "01", "not an MCC"),
        ("999", "1", "not an MNC"),
        ("999", "1234", "not an MNC"),
        ("999", "ab", "not an MNC"),
    ],
)
def test_plmn_rejects_malformed(mcc: str, mnc: str, phrase: str) -> None:
    with pytest.raises(ValidationError, match=phrase):
        PlmnId(mcc=mcc, mnc=mnc)


# --- NID ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nid", "mode"),
    [
        ("000007ed9d5", NidAssignmentMode.COORDINATED_OPTION_1),
        ("100000000ab", NidAssignmentMode.SELF_ASSIGNED),
        ("2ffffffffff", NidAssignmentMode.COORDINATED_OPTION_2),
    ],
)
def test_nid_assignment_mode_from_first_digit(nid: str, mode: NidAssignmentMode) -> None:
    assert nid_assignment_mode(nid) is mode


def test_check_nid_lowercases() -> None:
    assert check_nid("000007ED9D5") == "000007ed9d5"


@pytest.mark.parametrize("first", list("3456789abcdef"))
def test_nid_with_unknown_assignment_mode_is_rejected(first: str) -> None:
    with pytest.raises(ValueError, match="assignment mode"):
        check_nid(first + "0000000001")


@pytest.mark.parametrize("nid", ["000007ed9d", "000007ed9d50", "000007ed9dg", ""])
def test_nid_must_be_11_hex_digits(nid: str) -> None:
    with pytest.raises(ValueError, match="11 hexadecimal digits"):
        check_nid(nid)


def test_snpn_derives_assignment_mode_and_rejects_a_contradicting_one() -> None:
    plmn = {"mcc": "999", "mnc": "99"}
    snpn = Snpn(plmn=plmn, nid="100000000ab")
    assert snpn.nid_assignment is NidAssignmentMode.SELF_ASSIGNED
    with pytest.raises(ValidationError, match="encodes assignment mode self_assigned"):
        Snpn(plmn=plmn, nid="100000000ab", nid_assignment="coordinated_option_1")


# --- names derived from PLMN + NID (TS 23.003 §28.2, TS 24.501) ----------------


def test_home_network_domain_and_serving_network_name() -> None:
    plmn = PlmnId(mcc="999", mnc="99")
    assert home_network_domain(plmn, "000007ed9d5") == (
        "5gc.nid000007ed9d5.mnc099.mcc999.3gppnetwork.org"
    )
    assert serving_network_name(plmn, "000007ed9d5") == (
        "5G:mnc099.mcc999.3gppnetwork.org:000007ed9d5"
    )


def test_derived_names_use_three_digit_mnc_and_lower_case_nid() -> None:
    snpn = Snpn(plmn={"mcc": "460", "mnc": "123"}, nid="2ABCDEF0123")
    assert snpn.home_network_domain == "5gc.nid2abcdef0123.mnc123.mcc460.3gppnetwork.org"
    assert snpn.serving_network_name == "5G:mnc123.mcc460.3gppnetwork.org:2abcdef0123"


# --- NCI (TS 38.300 §8.2) ------------------------------------------------------


def test_nci_with_22_bit_gnb_id_leaves_14_local_bits() -> None:
    # 0x12345 << 14 = 74565 * 16384 = 1_221_672_960
    assert nci(0x12345, 22, 3) == 1_221_672_963
    assert nci(1, 22, 16383) == 0b1_11111111111111
    with pytest.raises(ValueError, match="14 bits"):
        nci(1, 22, 16384)


def test_nci_with_32_bit_gnb_id_leaves_4_local_bits() -> None:
    assert nci(0xFFFFFFFF, 32, 15) == 2**36 - 1
    assert nci(0xABCDEF01, 32, 2) == 0xABCDEF012
    with pytest.raises(ValueError, match="4 bits"):
        nci(1, 32, 16)


def test_nci_rejects_negative_cell_local_id() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        nci(1, 22, -1)


def test_nci_rejects_gnb_id_wider_than_its_length() -> None:
    with pytest.raises(ValueError):
        nci(1 << 22, 22, 0)


# --- Luhn ----------------------------------------------------------------------


def test_luhn_known_imei() -> None:
    assert luhn_ok(IMEI)
    assert luhn_digit(IMEI[:-1]) == IMEI[-1]


@pytest.mark.parametrize("position", range(len(IMEI)))
def test_luhn_detects_every_single_digit_change(position: int) -> None:
    for digit in "0123456789":
        if digit != IMEI[position]:
            changed = IMEI[:position] + digit + IMEI[position + 1 :]
            assert not luhn_ok(changed), changed


# --- SUPI (TS 23.003 §2.2B) ----------------------------------------------------


@pytest.mark.parametrize(
    "supi", ["imsi-999990000000001", "imsi-001010", "nai-agv01@factory.example"]
)
def test_supi_accepted(supi: str) -> None:
    assert check_supi(supi) == supi


def test_bare_digits_supi_gets_the_prefix_hint() -> None:
    with pytest.raises(ValueError, match="write 'imsi-999990000000001'"):
        check_supi("999990000000001")


@pytest.mark.parametrize(
    "supi",
    [
        "imsi-12345",  # too short
        "imsi-1234567890123456",  # 16 digits
        "imsi-99999000000000a",
        "nai-agv01",  # no realm
        "nai-a@b@c",
        "suci-0-999-99-0000-0-0-0000000001",
        "IMSI-999990000000001",
    ],
)
def test_supi_rejected(supi: str) -> None:
    with pytest.raises(ValueError, match="is not a SUPI"):
        check_supi(supi)


# --- ICCID and IMEI ---------------------------------------------------------------


@pytest.mark.parametrize("iccid", [ICCID_19, ICCID_20])
def test_iccid_accepted(iccid: str) -> None:
    assert check_iccid(iccid) == iccid


@pytest.mark.parametrize(
    ("iccid", "phrase"),
    [
        ("8986000000000000011", "Luhn"),
        ("898600000000000001", "19 or 20 digits"),  # 18 digits
        ("898600000000000000190", "19 or 20 digits"),  # 21 digits
        ("89860000000000000A0", "19 or 20 digits"),
    ],
)
def test_iccid_rejected(iccid: str, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        check_iccid(iccid)


def test_imei_and_imeisv_accepted() -> None:
    assert check_imei(IMEI) == IMEI
    assert check_imei("4901542032375101") == "4901542032375101"  # IMEISV: no check digit


@pytest.mark.parametrize(
    ("imei", "phrase"),
    [
        ("490154203237519", "Luhn"),
        ("49015420323751", "15 digits"),
        ("49015420323751800", "15 digits"),
        ("49015420323751X", "15 digits"),
    ],
)
def test_imei_rejected(imei: str, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        check_imei(imei)


# --- bugs: identifier checks are looser than they look ---------------------------


@pytest.mark.parametrize(
    "check",
    [
        lambda: check_supi("imsi-999990000000001\n"),
        lambda: check_supi("nai-agv01@factory.example\n"),
        lambda: check_nid("000007ed9d5\n"),
        lambda: PlmnId(mcc="999\n", mnc="99"),
    ],
    ids=["supi-imsi", "supi-nai", "nid", "mcc"],
)
def test_trailing_newline_rejected(check: object) -> None:
    with pytest.raises(ValueError):
        check()  # type: ignore[operator]


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "check",
    [
        lambda: check_iccid(ICCID_19.translate(FULLWIDTH)),
        lambda: check_imei(IMEI.translate(FULLWIDTH)),
    ],
    ids=["iccid", "imei"],
)
def test_non_ascii_digits_rejected(check: object) -> None:
    with pytest.raises(ValueError):
        check()  # type: ignore[operator]
