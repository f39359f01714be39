"""The fast decode path gives exactly the general decoder's tables, or declines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openipn.codecs.ts32435_pm import (
    FileHeader,
    ManagedElement,
    MeasInfo,
    MeasValue,
    PmFile,
    encode_meas_collec,
)
from openipn.collect.pm_fast import PmTable, fast_tables
from openipn.collect.pm_parse import general_tables

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
END = dt.datetime(2025, 3, 1, 10, 15, tzinfo=dt.UTC)


def same(fast: list[PmTable], general: list[PmTable]) -> None:
    assert len(fast) == len(general)
    for a, b in zip(fast, general, strict=True):
        assert (a.objects, a.types, a.start, a.seconds) == (b.objects, b.types, b.start, b.seconds)
        np.testing.assert_array_equal(a.values, b.values)  # NaN == NaN here


def pm_file(
    infos: list[MeasInfo],
    prefix: str | None = "SubNetwork=x",
    element: str = "ManagedElement=gnb-1",
) -> PmFile:
    return PmFile(
        FileHeader(begin_time=END - dt.timedelta(minutes=15), dn_prefix=prefix),
        ManagedElement(element),
        tuple(infos),
        END,
    )


def well_formed_dns(tables: list[PmTable]) -> bool:
    """Every RDN of every object DN has a `=` (TS 32.300 annex C)."""
    return all("=" in rdn for t in tables for dn in t.objects for rdn in dn.split(","))


numbers = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)
results = st.one_of(numbers, st.none(), st.sampled_from(["1,2,,4", ", , ,", "7,8"]))


# relative, element-rooted, and rooted at the plain name of an Ericsson-style element
LDN_FORMS = ["NRCellDU=", "ManagedElement=gnb-1,NRCellDU=", "gnb-1,NRCellDU="]
ELEMENTS = ["ManagedElement=gnb-1", "gnb-1", "SubNetwork=x,ManagedElement=gnb-1"]


@st.composite
def meas_infos(draw: st.DrawFn, values: st.SearchStrategy[object]) -> MeasInfo:
    width = draw(st.integers(1, 6))
    rows = draw(st.integers(0, 5))
    types = tuple(f"C.{i}" for i in range(width))
    meas_values = tuple(
        MeasValue(
            draw(st.sampled_from(LDN_FORMS)) + str(row),
            tuple(draw(values) for _ in range(width)),  # type: ignore[misc]
            draw(st.booleans()),
        )
        for row in range(rows)
    )
    period = draw(st.sampled_from([60, 300, 900]))
    return MeasInfo(period, END, types, meas_values, meas_info_id=draw(st.none() | st.just("g")))


@settings(max_examples=60, deadline=None)
@given(st.lists(meas_infos(numbers), min_size=1, max_size=3), st.sampled_from(ELEMENTS))
def test_plain_files_take_the_fast_path_with_identical_results(
    infos: list[MeasInfo], element: str
) -> None:
    data = encode_meas_collec(pm_file(infos, element=element))
    fast = fast_tables(data)
    assert fast is not None
    same(fast, general_tables(data))
    assert well_formed_dns(fast)


@settings(max_examples=60, deadline=None)
@given(st.lists(meas_infos(results), min_size=1, max_size=3))
def test_unknowns_and_arrays_decline_or_agree(infos: list[MeasInfo]) -> None:
    data = encode_meas_collec(pm_file(infos, element="gnb-1"))
    fast = fast_tables(data)
    if fast is not None:
        same(fast, general_tables(data))
        assert well_formed_dns(fast)
    has_odd = any(
        r is None or isinstance(r, str) for i in infos for v in i.meas_values for r in v.results
    )
    assert (fast is None) == has_odd


PLAIN = (FIXTURES / "A20250301.1000+0000-1015+0000_gnb-7.xml").read_text()
# Textual changes the fast path must not silently misread: each declines (or agrees).
MUTATIONS = {
    "comment-in-body": ('<r p="2">4000</r>', '<!-- <r p="2">1</r> --><r p="2">4000</r>'),
    "cdata": ('<r p="1">1200</r>', '<r p="1"><![CDATA[1200]]></r>'),
    "r-order": ('<r p="1">17</r>\n        <r p="2">16</r>', '<r p="2">16</r><r p="1">17</r>'),
    "empty-r": ('<r p="1">0</r>', '<r p="1"></r>'),
    "single-quotes": ('<r p="1">0</r>', "<r p='1'>0</r>"),
    "underscore": ('<r p="1">0</r>', '<r p="1">1_000</r>'),
    "xmlns-below-root": ("<measData>", '<measData xmlns:v="urn:v">'),
    "entity": ('<r p="1">0</r>', '<r p="1">&#49;</r>'),
    "measTypes-form": ('<measType p="1">RRU.PrbUsedDl</measType>', "<measTypes>a</measTypes>"),
    "measValue-outside": ("</measData>", '<measValue measObjLdn="x"/></measData>'),
    "two-elements": ("</measData>", '<managedElement localDn="ManagedElement=b"/></measData>'),
    "extra-r": ('<r p="2">16</r>', '<r p="2">16</r><r p="3">1</r>'),
    "gt-in-ldn": ('measObjLdn="GNBDUFunction=1,NRCellDU=1"', 'measObjLdn="a>b"'),
    "suspect-spaced": ("<suspect>true</suspect>", "<suspect> true </suspect>"),
    "ampersand-between": ("</measValue>\n      <measValue", "</measValue> & <measValue"),
    "text-between": ("</measValue>\n      <measValue", "</measValue> x <measValue"),
    "vertical-tab-in-value": ('<r p="1">0</r>', '<r p="1">0\x0b</r>'),
    "form-feed-between": ('<r p="1">0</r>\n', '<r p="1">0</r>\x0c'),
    "bad-ldn-attribute": ('measObjLdn="GNBDUFunction=1,NRCellDU=2"', 'measObjLdn="a" b'),
    "lt-in-ldn": ('measObjLdn="GNBDUFunction=1,NRCellDU=2"', 'measObjLdn="a<b"'),
}


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_unusual_files_decline_or_agree(case: str) -> None:
    old, new = MUTATIONS[case]
    assert old in PLAIN
    data = PLAIN.replace(old, new, 1).encode()
    fast = fast_tables(data)
    try:
        general = general_tables(data)
    except ValueError:
        assert fast is None  # the general decoder rejects it: the fast path must not accept
        return
    if fast is not None:
        same(fast, general)


def test_plain_fixture_takes_fast_path() -> None:
    assert fast_tables(PLAIN.encode()) is not None
