"""Bulk SIM import and export (CSV), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from openipn.app import Services, build_services, initialise
from openipn.model.identifiers import luhn_digit
from openipn.settings import Settings
from openipn.sitefile import parse_site_text
from openipn.store import credentials
from openipn.store.queries import get_object
from openipn.store.sim_csv import ImportReport, export_sims, import_sims

SITE = (Path(__file__).parent.parent / "site_minimal.yaml").read_text(encoding="utf-8")
SITE_SUPI = "imsi-999990000000001"
# TS 35.208 test set 1
K1 = "465b5ce8b199b49faa5f0a2ee238a6bc"
OP1 = "cdc202d5123e20f62b6d676ac72cb318"
OPC1 = "cd63cb71954a9f4e48a5994e37a02baf"
COLUMNS = ("imsi", "iccid", "k", "opc", "profile", "imei", "description")


def imsi(index: int) -> str:
    return f"9999900001{index:05d}"


def iccid(index: int) -> str:
    body = f"8986{index:015d}"
    return body + luhn_digit(body)


def imei(index: int) -> str:
    body = f"35693803{index:06d}"
    return body + luhn_digit(body)


def secret(index: int, salt: str) -> str:
    return hashlib.md5(f"{salt}{index}".encode()).hexdigest()


def sim(index: int, **changes: str) -> dict[str, str]:
    row = {
        "imsi": imsi(index),
        "iccid": iccid(index),
        "k": secret(index, "k"),
        "opc": secret(index, "opc"),
        "profile": "sensors" if index % 2 else "cameras",
        "imei": imei(index) if index % 3 == 0 else "",
        "description": f"SIM {index}",
    }
    row.update(changes)
    return row


def to_csv(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> io.StringIO:
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
    return io.StringIO("\n".join(lines) + "\n")


@pytest.fixture
def services(tmp_path: Path, database_url: str) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    initialise(settings)
    built = build_services(settings)
    built.inventory.apply(parse_site_text(SITE), author="test", reason="site")
    yield built
    built.close()


def run(services: Services, source: io.StringIO | Path, **options: bool) -> ImportReport:
    return import_sims(services, source, author="alice", reason="batch 7", **options)


def stored_subs(services: Services) -> dict[str, dict[str, object]]:
    document = services.inventory.export()
    return {sub.supi: sub.model_dump() for sub in document.objects("subscriptions")}  # type: ignore[attr-defined]


def where(report: ImportReport) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in report.errors}


def test_valid_import_creates_subscriptions_in_one_version(services: Services) -> None:
    calls: list[tuple[int, int]] = []
    report = import_sims(
        services,
        to_csv([sim(i) for i in range(50)]),
        author="alice",
        reason="batch 7",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert report.ok and (report.rows, report.created, report.updated) == (50, 50, 0)
    assert report.version == 2 and report.summary().endswith("(version 2)")
    version = services.inventory.versions()[-1]
    assert (version.source, version.author, version.creates) == ("sims-import", "alice", 50)
    subs = stored_subs(services)
    assert len(subs) == 51
    assert (
        subs[f"imsi-{imsi(3)}"]["imei"] == imei(3)
        and subs[f"imsi-{imsi(3)}"]["profile"] == "sensors"
    )
    assert calls[-1] == (100, 100) and calls == sorted(calls)


def test_every_bad_row_is_reported_and_nothing_written(services: Services) -> None:
    rows = [
        sim(0),
        sim(1, imsi="12345"),  # too short for an IMSI
        sim(2, iccid=iccid(2)[:-1] + str((int(iccid(2)[-1]) + 1) % 10)),  # Luhn
        sim(3, k="xyz"),
        sim(4, opc=""),  # neither op nor opc
        sim(5, imei="123"),
        sim(6, k=""),
        sim(7, profile="bad name!"),
    ]
    text = to_csv(rows).getvalue() + f"{imsi(8)},{iccid(8)}\n"  # too few fields
    report = run(services, io.StringIO(text))
    assert where(report) == {
        (2, "imsi"),
        (3, "iccid"),
        (4, "k"),
        (5, "opc"),
        (6, "imei"),
        (7, "k"),
        (8, "profile"),
        (9, ""),
    }
    assert str(report.errors[0]).startswith("row 2 (line 3), column imsi: '12345' is not an IMSI")
    assert "expected 7 fields" in str(report.errors[-1])
    assert report.version is None and report.created == 0
    assert services.inventory.latest_version() == 1


def test_more_field_errors_amf_sqn_auth_method_both_op_and_opc(services: Services) -> None:
    columns = ("imsi", "k", "op", "opc", "amf", "sqn", "auth_method")
    rows = [
        {"imsi": imsi(1), "k": K1, "op": OP1, "opc": OPC1},
        {"imsi": imsi(2), "k": K1, "opc": OPC1, "amf": "80000"},
        {"imsi": imsi(3), "k": K1, "opc": OPC1, "sqn": "1"},
        {"imsi": imsi(4), "k": K1, "opc": OPC1, "auth_method": "EAP_MD5"},
        {"imsi": imsi(5), "k": K1, "opc": OPC1, "amf": "9001", "auth_method": "EAP_AKA_PRIME"},
    ]
    report = run(services, to_csv(rows, columns))
    assert where(report) == {(1, "op/opc"), (2, "amf"), (3, "sqn"), (4, "auth_method")}
    assert services.inventory.latest_version() == 1


def test_duplicates_within_the_file_name_both_rows(services: Services) -> None:
    rows = [sim(i) for i in range(6)]
    rows[1]["imsi"] = rows[0]["imsi"]
    rows[4]["iccid"] = rows[2]["iccid"]
    rows[5]["imei"] = rows[3]["imei"][:14] + "07"  # the IMEISV of the same device
    report = run(services, to_csv(rows))
    assert where(report) == {(2, "imsi"), (5, "iccid"), (6, "imei")}
    messages = {error.row: str(error) for error in report.errors}
    assert f"duplicate SUPI imsi-{imsi(0)} (also row 1, line 2)" in messages[2]
    assert f"duplicate ICCID {iccid(2)} (also row 3, line 4)" in messages[5]
    assert "(also row 4, line 5)" in messages[6]
    assert services.inventory.latest_version() == 1


def test_existing_supi_is_a_conflict_without_update(services: Services) -> None:
    assert run(services, to_csv([sim(i) for i in range(5)])).version == 2
    rows = [sim(i) for i in range(6)]
    rows[1]["profile"] = "cameras"
    report = run(services, to_csv(rows))
    assert where(report) == {(i, "imsi") for i in range(1, 6)}
    assert "already exists; import with update to replace it" in report.errors[0].message
    assert services.inventory.latest_version() == 2


def test_update_replaces_and_counts(services: Services) -> None:
    run(services, to_csv([sim(i) for i in range(5)]))
    rows = [sim(i) for i in range(6)]
    rows[1]["profile"] = "cameras"
    rows[2]["k"] = secret(2, "new k")
    report = run(services, to_csv(rows), update=True)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (1, 2, 3)
    assert report.version == 3
    assert services.inventory.versions()[-1].updates == 2
    assert stored_subs(services)[f"imsi-{imsi(1)}"]["profile"] == "cameras"


def test_dry_run_counts_but_writes_nothing(services: Services) -> None:
    report = run(services, to_csv([sim(i) for i in range(5)]), dry_run=True)
    assert report.ok and report.created == 5 and report.version is None and report.dry_run
    assert services.inventory.latest_version() == 1 and len(stored_subs(services)) == 1


@pytest.mark.parametrize("update", [False, True])
def test_iccid_or_imei_of_another_stored_supi_is_an_error(services: Services, update: bool) -> None:
    run(services, to_csv([sim(i) for i in range(4)]))
    rows = [sim(10, iccid=iccid(1)), sim(11, imei=imei(3))]
    report = run(services, to_csv(rows), update=update)
    assert where(report) == {(1, "iccid"), (2, "imei")}
    assert f"belongs to subscription imsi-{imsi(1)}" in report.errors[0].message
    assert f"is bound to subscription imsi-{imsi(3)}" in report.errors[1].message
    assert services.inventory.latest_version() == 2


def test_update_may_swap_iccids_between_sims_it_names(services: Services) -> None:
    run(services, to_csv([sim(1), sim(2)]))
    swapped = [sim(1, iccid=iccid(2)), sim(2, iccid=iccid(1))]
    report = run(services, to_csv(swapped), update=True)
    assert report.ok and report.updated == 2
    assert stored_subs(services)[f"imsi-{imsi(1)}"]["iccid"] == iccid(2)


def test_unknown_profile(services: Services) -> None:
    report = run(services, to_csv([sim(1), sim(2, profile="robots")]))
    assert where(report) == {(2, "profile")}
    assert report.errors[0].message == (
        "SIM profile 'robots' does not exist; known: cameras, sensors"
    )
    misspelt = run(services, to_csv([sim(1), sim(2, profile="camera")]))
    assert misspelt.errors[0].message == (
        "SIM profile 'camera' does not exist; did you mean 'cameras'?"
    )


def test_an_imsi_of_another_plmn_is_refused_and_nothing_imported(services: Services) -> None:
    """The issue's case: 46000000200010 (MCC 460, MNC 00) on a 999-99 network."""
    report = run(services, to_csv([sim(1), sim(2, imsi="46000000200010"), sim(3)]))
    assert where(report) == {(2, "imsi")}
    assert str(report.errors[0]) == (
        "row 2 (line 3), column imsi: IMSI 46000000200010 is not of this network's PLMN 999-99: "
        "expected it to start with MCC 999 + MNC 99 (99999), TS 23.003 §2.2"
    )
    assert report.version is None and report.created == 0
    assert services.inventory.latest_version() == 1
    assert get_object(services.engine, "subscription", f"imsi-{imsi(1)}") is None


def test_an_imsi_longer_than_15_digits_is_refused(services: Services) -> None:
    report = run(services, to_csv([sim(1, imsi=imsi(1) + "0")]))
    assert where(report) == {(1, "imsi")}
    assert "not an IMSI (6 to 15 digits)" in str(report.errors[0])
    assert services.inventory.latest_version() == 1


def test_op_is_converted_to_opc_and_never_stored(services: Services) -> None:
    columns = ("imsi", "iccid", "k", "op", "profile")
    row = {"imsi": imsi(1), "iccid": iccid(1), "k": K1, "op": OP1, "profile": "sensors"}
    assert run(services, to_csv([row], columns)).created == 1
    supi = f"imsi-{imsi(1)}"
    sealed = _sealed(services, supi)
    assert sealed is not None and set(sealed) == {"k", "opc"}
    assert credentials.unseal(services.box, supi, sealed) == (
        bytes.fromhex(K1),
        bytes.fromhex(OPC1),
    )
    data = get_object(services.engine, "subscription", supi)
    assert data is not None and not {"k", "op", "opc"} & set(data)
    assert OP1 not in json.dumps(data) and OP1 not in str(sealed)


def _sealed(services: Services, supi: str) -> dict[str, str] | None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from openipn.store.schema import InventoryRow

    with Session(services.engine) as session:
        query = select(InventoryRow.secrets).where(InventoryRow.name == supi)
        return session.scalar(query)


def test_default_export_has_no_secrets(services: Services) -> None:
    rows = [sim(i) for i in range(20)]
    run(services, to_csv(rows))
    out = io.StringIO()
    assert export_sims(services, out) == 21
    text = out.getvalue()
    assert text.splitlines()[0] == "imsi,iccid,profile,imei,amf,sqn,auth_method,description"
    for row in rows:
        assert row["k"] not in text and row["opc"] not in text
    assert K1 not in text and OPC1 not in text
    assert f"{imsi(3)},{iccid(3)},sensors,{imei(3)},8000,000000000000,5G_AKA,SIM 3" in text


def test_export_with_secrets_round_trips(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [sim(i) for i in range(50)]
    run(services, to_csv(rows))
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        count = export_sims(services.engine, out, with_secrets=True, box=services.box, actor="bob")
    assert count == 51
    text = out.getvalue()
    assert text.splitlines()[0].endswith(",k,opc")
    assert f"{K1},{OPC1}" in text  # the site's SIM: its OP was turned into OPc
    assert all(f"{row['k']},{row['opc']}" in text for row in rows)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == ["subscriber secrets exported by bob: 51 rows"]
    assert K1 not in caplog.text and rows[0]["k"] not in caplog.text
    again = run(services, io.StringIO(text), update=True)
    assert again.ok and (again.unchanged, again.created, again.updated) == (51, 0, 0)
    assert again.version is None and services.inventory.latest_version() == 2


def test_export_needs_a_box_for_secrets(services: Services) -> None:
    with pytest.raises(ValueError, match="SecretBox"):
        export_sims(services.engine, io.StringIO(), with_secrets=True)


def test_secrets_never_in_errors_report_or_logs(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [
        sim(1, k=K1, iccid=K1),  # K pasted into the ICCID column
        sim(2, k=K1[:-1]),  # K one digit short
        sim(3, k=K1, imei=K1),
        sim(4, k=K1, opc=OPC1, profile="nope"),
    ]
    with caplog.at_level(logging.DEBUG):
        report = run(services, to_csv(rows))
        headless = run(services, io.StringIO(f"{imsi(1)},{K1},{OPC1}\n"))
    assert len(report.errors) == 4 and len(headless.errors) == 1
    shown = "\n".join(map(str, report.errors + headless.errors))
    shown += json.dumps(report.as_dict()) + repr(report) + caplog.text
    for value in (K1, K1[:-1], OPC1, K1.upper()):
        assert value not in shown
    assert "(secret)" in shown


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (b"imsi,k,opc\n999990000100001,\xff\xfe,x\n", "not UTF-8 text"),
        (b"imsi;k;opc\n999990000100001;a;b\n", "separated by semicolons"),
        (b"imsi\tk\topc\n", "separated by tabs"),
        (b"999990000100001,465b5ce8b199b49faa5f0a2ee238a6bc\n", "looks like data"),
        (b"imsi,k,opc,colour\n1,2,3,4\n", "unknown column(s) colour"),
        (b"imsi,iccid\n1,2\n", "required column k is missing"),
        (b"imsi,supi,k,opc\n1,2,3,4\n", "not both"),
        (b"imsi,k,opc\n", "header but no SIM rows"),
        (b'imsi,k,opc\n"1,2,3\n', "not a readable CSV file"),
    ],
)
def test_malformed_files(services: Services, tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "sims.csv"
    path.write_bytes(content)
    report = run(services, path)
    assert not report.ok and report.rows == 0
    assert any(expected in str(error) for error in report.errors), report.errors
    assert all(error.row == 0 for error in report.errors)
    assert services.inventory.latest_version() == 1


def test_path_with_excel_bom_and_crlf_and_mixed_case_header(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "sims.csv"
    text = to_csv([sim(1), sim(2)]).getvalue().replace("imsi,", " IMSI ,", 1)
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    report = run(services, path)
    assert report.ok and report.created == 2, report.errors


def test_line_numbers_count_blank_lines(services: Services) -> None:
    text = (
        to_csv([sim(1)]).getvalue() + "\n\n" + to_csv([sim(2, k="zz")]).getvalue().split("\n", 1)[1]
    )
    report = run(services, io.StringIO(text))
    assert [(e.row, e.line, e.column) for e in report.errors] == [(2, 5, "k")]


def test_supi_column_and_nai_export(services: Services) -> None:
    columns = ("supi", "k", "opc")
    rows = [{"supi": "nai-agv7@factory.example", "k": K1, "opc": OPC1}]
    assert run(services, to_csv(rows, columns)).created == 1
    out = io.StringIO()
    export_sims(services, out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("supi,") and lines[1].startswith("imsi-999990000000001,")
    assert lines[2].startswith("nai-agv7@factory.example,")


def test_imei_binding_must_match_the_terminal_holding_the_sim(services: Services) -> None:
    site = SITE + (
        f"terminals:\n  - {{name: agv-1, type: agv, imei: '{imei(1)}', supi: {SITE_SUPI}}}\n"
    )
    services.inventory.apply(parse_site_text(site), author="test", reason="terminal")
    columns = ("imsi", "k", "opc", "imei")
    row = {"imsi": SITE_SUPI.removeprefix("imsi-"), "k": K1, "opc": OPC1, "imei": imei(2)}
    report = run(services, to_csv([row], columns), update=True)
    assert where(report) == {(1, "imei")}
    assert "terminal agv-1" in report.errors[0].message
    row["imei"] = imei(1)
    assert run(services, to_csv([row], columns), update=True).updated == 1


def test_store_rule_errors_are_placed_on_their_rows(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openipn.model.document import Issue, SiteFileError

    def refuse(**_: object) -> None:
        raise SiteFileError(
            [
                Issue(f"subscriptions[imsi-{imsi(2)}].iccid", "some network rule"),
                Issue("terminals[agv-1].imei", "another rule"),
            ]
        )

    monkeypatch.setattr(services.inventory, "edit", refuse)
    report = run(services, to_csv([sim(1), sim(2)]))
    assert (report.created, report.version) == (0, None)
    assert [str(error) for error in report.errors] == [
        "terminals[agv-1].imei: another rule",
        "row 2 (line 3), column iccid: some network rule",
    ]


def test_many_rows_look_stored_sims_up_in_one_scan(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openipn.store import sim_csv_check

    rows = [sim(i) for i in range(12)]
    run(services, to_csv(rows))
    monkeypatch.setattr(sim_csv_check, "SCAN_ABOVE", 3)
    rows[4]["description"] = "moved to line 2"
    report = run(services, to_csv([*rows, sim(12)]), update=True)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 11)


def test_binary_streams_are_decoded_as_utf8(services: Services) -> None:
    data = to_csv([sim(1)]).getvalue().encode()
    assert run(services, io.BytesIO(b"\xef\xbb\xbf" + data)).created == 1
    report = run(services, io.BytesIO(data.replace(b"SIM 1", b"SIM \xe9")))
    byte = data.index(b"SIM 1") + 5  # 1-based position of the bad byte
    assert [(e.line, e.message) for e in report.errors] == [
        (2, f"not UTF-8 text (byte {byte}); save the file as 'CSV UTF-8'")
    ]
