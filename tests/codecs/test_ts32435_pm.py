"""TS 32.435 / TS 28.532 PM file codec: XSD-valid output, round-trip, samples and quirks."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openipn.codecs.ts32435_pm import (
    FileHeader,
    ManagedElement,
    MeasInfo,
    MeasValue,
    PmFile,
    PmFileError,
    Result,
    array_values,
    encode_meas_collec,
    full_dn,
    parse_result,
)
from openipn.codecs.ts32435_read import decode

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "samples"
FIXTURES = Path(__file__).resolve().parent / "pm_fixtures"
XSD_FILE = SAMPLES / "measCollec_plusString.xsd"
SAMPLE_32435 = SAMPLES / "A20181002.0000-1000-0015-1000_5G.xml"
SAMPLE_28532 = SAMPLES / "A20181004.0000-1000-0015-1000_5G.xml"
NEPAL = timezone(timedelta(hours=5, minutes=45))
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=timezone(timedelta(hours=8)))
T1 = T0 + timedelta(minutes=1)
HEAD = (
    '<?xml version="1.0"?><measCollecFile '
    'xmlns="http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec">'
    '<fileHeader fileFormatVersion="32.435 V10.0"><fileSender/>'
    '<measCollec beginTime="2026-03-02T06:00:00Z"/></fileHeader><measData><managedElement/>'
)
TAIL = (
    '</measData><fileFooter><measCollec endTime="2026-03-02T06:01:00Z"/></fileFooter>'
    "</measCollecFile>"
)
INFO = '<measInfo><granPeriod duration="PT60S" endTime="2026-03-02T06:01:00Z"/>'


def rich_file() -> PmFile:
    """A file using every feature the encoder writes."""
    cells = (
        MeasValue("GNBCUCPFunction=1,NRCellCU=1", (10, 2.5, None, "86,87,2")),
        MeasValue('NRCellCU="quoted" & <odd>\ttab\nnewline', (-7, 1e-05, 3, "a&b<c>"), True),
        MeasValue("ManagedElement=gnb-1,NRCellCU=3", (10**30, -0.5, None, "Ω\runicode")),
    )
    infos = (
        MeasInfo(60, T1, ("RRC.ConnMean", "DRB.UEThpDl.01", "RRC.ConnMax", "X.Pdf"), cells, "5.1"),
        MeasInfo(60, T1, ("SM.PduSessionCreationReq",), (), job_id="j&1", rep_period_s=900),
        MeasInfo(900, T1, (), (MeasValue("empty", (), True),)),
    )
    header = FileHeader(T0, "32.435 V10.0", "OpenIPN", "DC=x", "ManagedElement=gnb-1", "gNB")
    return PmFile(header, ManagedElement("ManagedElement=gnb-1", "Hall A", "1.0"), infos, T1)


def offsets(pm: PmFile) -> list[timedelta | None]:
    """Every UTC offset in a file (datetime == compares instants, not offsets)."""
    times = [pm.header.begin_time, pm.end_time, *(info.end_time for info in pm.meas_infos)]
    return [moment.utcoffset() for moment in times]


@pytest.fixture(scope="module")
def xsd() -> Any:
    """The TS 32.435 schema (ONAP variant with string results) from the shared folder."""
    if not XSD_FILE.exists():
        pytest.skip(f"measCollec XSD not available at {XSD_FILE}")
    import xmlschema

    return xmlschema.XMLSchema(str(XSD_FILE))


# --- encoder ---------------------------------------------------------------------


def test_encoded_file_is_valid_against_the_ts32435_schema(xsd: Any) -> None:
    data = encode_meas_collec(rich_file())
    xsd.validate(data.decode("utf-8"))


def test_encoding_uses_measType_p_r_p_form_nil_and_offsets() -> None:
    text = encode_meas_collec(rich_file()).decode("utf-8")
    assert '<measType p="2">DRB.UEThpDl.01</measType>' in text
    assert '<r p="3">NIL</r>' in text
    assert 'beginTime="2026-03-02T06:00:00+08:00"' in text
    assert '<granPeriod duration="PT60S"' in text and '<repPeriod duration="PT900S"/>' in text
    assert "<suspect>true</suspect>" in text and "measResults" not in text
    assert "&#9;tab&#10;newline" in text  # attribute whitespace survives normalisation


def test_round_trip_keeps_values_types_and_offsets() -> None:
    original = rich_file()
    decoded = decode(encode_meas_collec(original))
    assert decoded == original
    assert offsets(decoded) == offsets(original)
    results = decoded.meas_infos[0].meas_values[2].results
    assert [type(r) for r in results] == [int, float, type(None), str]


def test_numpy_scalars_are_written_as_plain_numbers() -> None:
    np = pytest.importorskip("numpy")
    row = (np.int64(7), np.float64(2.5), np.float32(0.5))
    info = MeasInfo(60, T1, ("A", "B", "C"), (MeasValue("o", row),))
    pm = PmFile(FileHeader(T0), ManagedElement(), (info,), T1)
    results = decode(encode_meas_collec(pm)).meas_infos[0].meas_values[0].results
    assert results == (7, 2.5, 0.5)
    assert [type(r) for r in results] == [int, float, float]


def test_digit_strings_with_underscores_stay_strings() -> None:
    info = MeasInfo(60, T1, ("A", "B"), (MeasValue("o", (1, "1_000")),))
    pm = PmFile(FileHeader(T0), ManagedElement(), (info,), T1)
    assert decode(encode_meas_collec(pm)).meas_infos[0].meas_values[0].results == (1, "1_000")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (math.nan, "not a measurement"),
        (math.inf, "not a measurement"),
        (True, "not int, float, str or None"),
        ("12", "read back as 12"),
        ("NIL", "read back as None"),
        (" padded", "read back"),
        ("bell\x07", "XML 1.0 cannot carry"),
    ],
)
def test_encoder_refuses_results_it_cannot_write_faithfully(value: Any, message: str) -> None:
    pm = PmFile(
        FileHeader(T0),
        ManagedElement(),
        (MeasInfo(60, T1, ("C",), (MeasValue("o", (value,)),)),),
        T1,
    )
    with pytest.raises((ValueError, TypeError), match=re.escape(message)):
        encode_meas_collec(pm)


def test_encoder_refuses_non_xml_names_and_second_offsets() -> None:
    bad_name = MeasInfo(60, T1, ("1starts.with.digit",))
    with pytest.raises(ValueError, match="not an XML Name"):
        encode_meas_collec(PmFile(FileHeader(T0), ManagedElement(), (bad_name,), T1))
    odd = datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=30)))
    with pytest.raises(ValueError, match="whole minutes"):
        encode_meas_collec(PmFile(FileHeader(odd), ManagedElement(), (), odd))


def test_domain_values_refuse_naive_times_and_ragged_rows() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FileHeader(datetime(2026, 3, 2, 6, 0))
    with pytest.raises(ValueError, match="2 results for 1 meas types"):
        MeasInfo(60, T1, ("C",), (MeasValue("o", (1, 2)),))


# --- hypothesis round trip -----------------------------------------------------------

XML_TEXT = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
)
ATTR = st.text(st.one_of(XML_TEXT, st.sampled_from("\t\n\r&<>\"'")), max_size=12)
NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,15}", fullmatch=True)
STRING_RESULT = st.text(st.one_of(XML_TEXT, st.sampled_from("&<>,\r")), min_size=1, max_size=12)
RESULT = st.one_of(
    st.none(),
    st.integers(-(10**25), 10**25),
    st.floats(allow_nan=False, allow_infinity=False),
    STRING_RESULT.filter(lambda s: type(parse_result(s)) is str and parse_result(s) == s),
)
ZONE = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
TIME = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=ZONE)


@st.composite
def meas_infos(draw: st.DrawFn) -> MeasInfo:
    types = tuple(draw(st.lists(NAME, max_size=4)))
    row = st.tuples(*[RESULT] * len(types))
    values = draw(st.lists(st.builds(MeasValue, ATTR, row, st.booleans()), max_size=3))
    optional = st.none() | ATTR
    return MeasInfo(
        draw(st.integers(0, 86400)),
        draw(TIME),
        types,
        tuple(values),
        draw(optional),
        draw(optional),
        draw(st.none() | st.integers(0, 86400)),
    )


PM_FILES = st.builds(
    PmFile,
    st.builds(FileHeader, TIME, ATTR, *[st.none() | ATTR] * 4),
    st.builds(ManagedElement, *[st.none() | ATTR] * 3),
    st.lists(meas_infos(), max_size=3).map(tuple),
    TIME,
)


@settings(max_examples=80, deadline=None)
@given(PM_FILES)
def test_decode_inverts_encode(pm: PmFile) -> None:
    decoded = decode(encode_meas_collec(pm))
    assert decoded == pm
    assert offsets(decoded) == offsets(pm)


@settings(max_examples=20, deadline=None)
@given(PM_FILES)
def test_generated_files_are_schema_valid(xsd: Any, pm: PmFile) -> None:
    xsd.validate(encode_meas_collec(pm).decode("utf-8"))


# --- the reference samples -----------------------------------------------------------


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"reference sample not available at {path}")
    return path


def test_sample_32435_values() -> None:
    pm = decode(require(SAMPLE_32435))
    assert pm.header.file_format_version == "32.435 V7.0"
    assert pm.header.sender_element_type == "RNC"
    assert pm.header.begin_time == datetime(2000, 3, 1, 12, 0, tzinfo=UTC)
    assert pm.header.begin_time.utcoffset() == timedelta(hours=2)
    assert pm.managed_element.user_label == "RNC Telecomville"
    first, second, third = pm.meas_infos
    assert (first.meas_info_id, second.meas_info_id, third.meas_info_id) == (
        None,
        "ENodeBFunction",
        None,
    )
    assert (first.job_id, first.gran_period_s, first.rep_period_s) == ("1231", 900, 1800)
    assert first.column("attTCHSeizures")["RncFunction=RF-1,UtranCell=Gbg-998"] == 890
    assert [v.suspect for v in first.meas_values] == [False, False, True]
    array = second.meas_values[0].results[1]
    assert array == "86,87,2,6,77,96,75,33,24"
    assert array_values(array) == (86, 87, 2, 6, 77, 96, 75, 33, 24)
    assert third.meas_values[2].results == (454, 569, 672, 785)
    assert pm.end_time == datetime(2000, 3, 1, 14, 15, tzinfo=timezone(timedelta(hours=2)))


def test_sample_28532_carries_the_same_measurements() -> None:
    old, new = decode(require(SAMPLE_32435)), decode(require(SAMPLE_28532))
    assert new.header.file_format_version == "28.532 V7.0"
    assert new.header.sender_local_dn == old.header.sender_local_dn
    assert (new.meas_infos, new.managed_element, new.end_time) == (
        old.meas_infos,
        old.managed_element,
        old.end_time,
    )


def test_sample_round_trips_through_the_encoder(xsd: Any) -> None:
    pm = decode(require(SAMPLE_32435))
    data = encode_meas_collec(pm)
    xsd.validate(data.decode("utf-8"))
    assert decode(data) == pm


def test_full_dn_of_relative_and_element_rooted_ldns() -> None:
    pm = decode(require(SAMPLE_32435))
    element = "DC=a1.companyNN.com,SubNetwork=1,IRPAgent=1,SubNetwork=CountryNN,MeContext=MEC-Gbg-1"
    assert pm.full_dn("RncFunction=RF-1,UtranCell=Gbg-997") == (
        f"{element},ManagedElement=RNC-Gbg-1,RncFunction=RF-1,UtranCell=Gbg-997"
    )
    assert pm.full_dn("ManagedElement=RNC-Gbg-1,ENodeBFunction=1") == (
        f"{element},ManagedElement=RNC-Gbg-1,ENodeBFunction=1"
    )


@pytest.mark.parametrize(
    ("ldn", "prefix", "element", "expected"),
    [
        ("DC=x,ManagedElement=1,A=1", "DC=x", "ManagedElement=1", "DC=x,ManagedElement=1,A=1"),
        ("A=1", "DC=x", "DC=x,ManagedElement=1", "DC=x,ManagedElement=1,A=1"),
        ("A=1", None, "ManagedElement=1", "ManagedElement=1,A=1"),
        ("A=a\\,b", None, None, "A=a\\,b"),
        # Ericsson: localDn is the ManagedElement's plain name (TS 32.300 annex C)
        (
            "ManagedElement=se1,GNBDUFunction=1",
            "SubNetwork=G3",
            "se1",
            "SubNetwork=G3,ManagedElement=se1,GNBDUFunction=1",
        ),
        (
            "GNBDUFunction=1,NRCellDU=3",
            "SubNetwork=G3",
            "se1",
            "SubNetwork=G3,ManagedElement=se1,GNBDUFunction=1,NRCellDU=3",
        ),
        (
            "se1,GNBDUFunction=1",
            "SubNetwork=G3",
            "se1",
            "SubNetwork=G3,ManagedElement=se1,GNBDUFunction=1",
        ),
        (
            "SubNetwork=G3,ManagedElement=se1,A=1",
            "SubNetwork=G3",
            "se1",
            "SubNetwork=G3,ManagedElement=se1,A=1",
        ),
        # Ericsson: the element's own MOs are written below its local `ManagedElement=1`
        (
            "ManagedElement=1,GNBDUFunction=5,NRCellDU=3",
            "SubNetwork=G3",
            "se1",
            "SubNetwork=G3,ManagedElement=se1,GNBDUFunction=5,NRCellDU=3",
        ),
    ],
)
def test_full_dn_rules(ldn: str, prefix: str | None, element: str | None, expected: str) -> None:
    assert full_dn(ldn, prefix, element) == expected


@pytest.mark.parametrize(("ldn", "element"), [("cell7", "se1"), ("A=1,b", None), ("A=1", "x,y")])
def test_full_dn_refuses_an_rdn_without_equals(ldn: str, element: str | None) -> None:
    with pytest.raises(PmFileError, match="has no '='"):
        full_dn(ldn, "SubNetwork=G3", element)


# --- project fixtures: real-world quirks ----------------------------------------------------


def test_quirks_of_real_32435_files() -> None:
    pm = decode(FIXTURES / "quirks_32435.xml")  # starts with <?xml-stylesheet?> before <?xml?>
    assert pm.header.vendor_name == "Example & Co"
    assert pm.header.begin_time.utcoffset() == timedelta(hours=5, minutes=45)
    vendor, listed, empty = pm.meas_infos
    assert vendor.meas_info_id == "PM=1,PmGroup=NRCellDU_GNBDU"
    assert (vendor.gran_period_s, vendor.rep_period_s, vendor.job_id) == (900, 900, "job-15min")
    assert vendor.meas_types[1] == "DRB.UEThpDl.010003e8"
    one, two, three = vendor.meas_values
    assert one.results == (1200, 35.5, None, "86,87,2,6,77")
    assert two == MeasValue(
        "ManagedElement=gnb-7,GNBDUFunction=1,NRCellDU=2", (None, 1e-05, 17, ", , ,"), True
    )
    assert array_values(two.results[3]) == (None, None, None, None)
    assert three == MeasValue("GNBDUFunction=1,NRCellDU=3", (7, None, 5, None), False)
    assert pm.full_dn(two.meas_obj_ldn) == pm.full_dn("GNBDUFunction=1,NRCellDU=2")
    assert listed.meas_types == ("RRC.ConnMean", "RRC.ConnEstabAtt.mo-Data")
    assert [v.results for v in listed.meas_values] == [(12.25, None), (-3, 40)]
    assert (empty.meas_info_id, empty.meas_types, empty.meas_values) == (
        "empty",
        ("SM.PduSessionCreationReq",),
        (),
    )


def test_quirks_of_28532_files() -> None:
    pm = decode((FIXTURES / "quirks_28532.xml").read_bytes())
    assert (pm.header.sender_local_dn, pm.header.sender_element_type) == (
        "SubNetwork=Plant,ManagedElement=amf-1",
        "AMF",
    )
    assert pm.header.begin_time == datetime(2026, 3, 2, tzinfo=UTC)
    assert pm.managed_element.sw_version == "2.7.0"
    (info,) = pm.meas_infos
    assert info.meas_values == (MeasValue("AMFFunction=1", (42, "degraded", None)),)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("17", 17),
        (" -3 ", -3),
        ("2.5", 2.5),
        ("1E3", 1000.0),
        ("NIL", None),
        ("NULL", None),
        ("", None),
        ("INF", math.inf),
        ("1_000", "1_000"),
        ("nan", "nan"),
        ("86,87", "86,87"),
    ],
)
def test_result_texts(text: str, value: Result) -> None:
    parsed = parse_result(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize(
    "first",
    [
        '<r p="1">1<!-- comment -->2</r>',
        '<r p="1">1<![CDATA[2]]></r>',
        '<r p="1">1<?vendor pi?>2</r>',
        '<r p="1">1&#50;</r>',
    ],
)
def test_value_text_split_by_markup_is_read_whole(first: str) -> None:
    types = '<measType p="1">A</measType><measType p="2">B</measType>'
    body = f'{INFO}{types}<measValue measObjLdn="o">{first}<r p="2">5</r></measValue></measInfo>'
    (info,) = decode((HEAD + body + TAIL).encode()).meas_infos
    assert info.meas_values[0].results == (12, 5)


def test_bom_and_several_leading_instructions_are_tolerated() -> None:
    data = b"\xef\xbb\xbf<?xml-stylesheet href='a'?>\n<?other x?>\n" + (HEAD + TAIL).encode()
    assert decode(data).header.file_format_version == "32.435 V10.0"


def test_large_file_streams_across_chunks_from_path_and_bytes(tmp_path: Path) -> None:
    types = tuple(f"C.c{i}" for i in range(50))
    rows = tuple(
        MeasValue(f"NRCellCU={c}", tuple(c * 100 + i for i in range(50)), c % 7 == 0)
        for c in range(400)
    )
    pm = PmFile(FileHeader(T0), ManagedElement(), (MeasInfo(60, T1, types, rows),) * 2, T1)
    data = encode_meas_collec(pm)
    assert len(data) > 4 * (1 << 17)  # several parser feeds
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    assert decode(path) == decode(str(path)) == decode(data) == pm


# --- malformed input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            f'{INFO}<measType p="1">A</measType><measValue measObjLdn="o"><r p="2">1</r>'
            "</measValue></measInfo>",
            "r p='2' has no measType",
        ),
        (
            f'{INFO}<measType p="1">A</measType><measValue measObjLdn="o"><r p="1">1</r>'
            '<r p="1">2</r></measValue></measInfo>',
            "repeats",
        ),
        (
            f'{INFO}<measType p="1">A</measType><measType p="1">B</measType></measInfo>',
            "missing or repeated",
        ),
        (
            f'{INFO}<measTypes>A B</measTypes><measValue measObjLdn="o"><measResults>1'
            "</measResults></measValue></measInfo>",
            "measResults has 1 values for 2 types",
        ),
        (
            f'{INFO}<measValue measObjLdn="o"><suspect>maybe</suspect></measValue></measInfo>',
            "not an xs:boolean",
        ),
        (
            f"{INFO}<measValue><suspect>true</suspect></measValue></measInfo>",
            "lacks required attribute measObjLdn",
        ),
        (
            '<measInfo><granPeriod duration="P1M" endTime="2026-03-02T06:01:00Z"/></measInfo>',
            "not a whole number of seconds",
        ),
        (
            '<measInfo><granPeriod duration="PT60S" endTime="2026-03-02T06:01:00"/></measInfo>',
            "has no UTC offset",
        ),
        (
            '<measInfo><granPeriod duration="PT60S" endTime="yesterday"/></measInfo>',
            "not an xs:dateTime",
        ),
        ("<measInfo/>", "measInfo has no granPeriod"),
        ('<measValue measObjLdn="o"/>', "measValue outside a measInfo"),
        ('</measData><measData><managedElement localDn="other"/>', "several managed elements"),
    ],
)
def test_semantic_errors_name_the_problem(body: str, message: str) -> None:
    with pytest.raises(PmFileError, match=re.escape(message)):
        decode((HEAD + body + TAIL).encode())


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "not well-formed XML", None),
        (b"<?xml-stylesheet href='x'?>\n<?xml version='1.0'?>\n<a>\n<b></a>", "mismatch", 4),
        (b'<?xml version="1.0"?><measCollecFile/>', "no fileHeader", None),
        (b"<other><fileHeader fileFormatVersion='1'/></other>", "is not a PM file", None),
        (HEAD.encode() + b"</measData></measCollecFile>", "no fileFooter", None),
        (
            (HEAD.replace(' fileFormatVersion="32.435 V10.0"', "") + TAIL).encode(),
            "fileHeader lacks required attribute fileFormatVersion",
            1,
        ),
    ],
)
def test_malformed_files_raise_pm_file_error(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(PmFileError, match=message) as caught:
        decode(data)
    assert isinstance(caught.value, ValueError)
    if line is not None:
        assert caught.value.line == line


LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))


@pytest.mark.parametrize(
    ("dtd", "value", "message"),
    [
        (f'<!ENTITY l0 "lol">{LAUGHS}', "&l9;", "entity amplification"),
        ('<!ENTITY ext SYSTEM "http://127.0.0.1:9/x">', "&ext;", "external entity"),
        ('<!ENTITY v "32.435">', "&v;", "DOCTYPE"),
    ],
)
def test_doctypes_and_entities_are_refused(dtd: str, value: str, message: str) -> None:
    body = HEAD.split("?>", 1)[1].replace("32.435 V10.0", value)
    data = f'<?xml version="1.0"?><!DOCTYPE measCollecFile [{dtd}]>{body}{TAIL}'
    with pytest.raises(PmFileError, match=message):
        decode(data.encode())
