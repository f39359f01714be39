"""TS 32.432 PM file names: writing type A names and reading real-world variants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openipn.codecs.ts32432_names import PmFileName, PmFileType, parse_pm_file_name, pm_file_name

CST = timezone(timedelta(hours=8))
BEGIN = datetime(2026, 3, 2, 6, 0, tzinfo=CST)


def test_type_a_name_with_offset_and_unique_id() -> None:
    name = pm_file_name(BEGIN, BEGIN + timedelta(minutes=15), "gnb-1")
    assert name == "A20260302.0600+0800-0615+0800_gnb-1.xml"


def test_local_time_follows_the_requested_offset() -> None:
    utc_begin = BEGIN.astimezone(UTC)
    name = pm_file_name(utc_begin, utc_begin + timedelta(minutes=1), "x", timedelta(hours=-3.5))
    assert name == "A20260301.1830-0330-1831-0330_x.xml"
    assert pm_file_name(utc_begin, utc_begin + timedelta(minutes=1)) == (
        "A20260301.2200+0000-2201+0000.xml"
    )


def test_end_date_is_written_when_the_period_crosses_midnight() -> None:
    late = datetime(2026, 3, 2, 23, 45, tzinfo=CST)
    name = pm_file_name(late, late + timedelta(minutes=15), "gnb-1", running_count=2)
    assert name == "A20260302.2345+0800-20260303.0000+0800_gnb-1_-_2.xml"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"begin": datetime(2026, 3, 2, 6, 0)}, "timezone-aware"),
        ({"end": BEGIN}, "not after begin"),
        ({"end": BEGIN + timedelta(seconds=90)}, "whole minutes"),
        ({"unique_id": "a/b"}, "cannot be part of a file name"),
        ({"utc_offset": timedelta(seconds=30)}, "whole minutes"),
    ],
)
def test_pm_file_name_refuses(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"begin": BEGIN, "end": BEGIN + timedelta(minutes=1)}
    with pytest.raises(ValueError, match=message):
        pm_file_name(**(arguments | kwargs))


def at(hour: int, minute: int, offset: timedelta | None, day: int = 2) -> datetime:
    zone = None if offset is None else timezone(offset)
    return datetime(2026, 3, day, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (  # TS 32.432 conformant, ONAP datafile example shape
            "A20260302.2315+0200-2330+0200_PNF0-0-1MB.tar.gz",
            PmFileName(
                PmFileType.A,
                at(23, 15, timedelta(hours=2)),
                at(23, 30, timedelta(hours=2)),
                "PNF0-0-1MB",
                extension=".tar.gz",
            ),
        ),
        (  # no UTC offset: naive local times
            "A20260302.1900-1915_seliitdus00487.xml",
            PmFileName(
                PmFileType.A, at(19, 0, None), at(19, 15, None), "seliitdus00487", extension=".xml"
            ),
        ),
        (  # "_" instead of "+" before the offset
            "A20260302.0700_0100-0715_0100_GNODEB-0.xml",
            PmFileName(
                PmFileType.A,
                at(7, 0, timedelta(hours=1)),
                at(7, 15, timedelta(hours=1)),
                "GNODEB-0",
                extension=".xml",
            ),
        ),
        (  # DN as UniqueId, vendor job part, running count
            "D20260302.0934+0000-0936+0000_-0_DC=Keysight.com,ManagedElement=GNB-1_-_1.xml",
            PmFileName(
                PmFileType.D,
                at(9, 34, timedelta(0)),
                at(9, 36, timedelta(0)),
                "DC=Keysight.com,ManagedElement=GNB-1",
                running_count=1,
                job_id="0",
                extension=".xml",
            ),
        ),
        (  # negative offset, end date present
            "A20260302.2345-0500-20260303.0000-0500_ne.with.dots.xml",
            PmFileName(
                PmFileType.A,
                at(23, 45, timedelta(hours=-5)),
                at(0, 0, timedelta(hours=-5), day=3),
                "ne.with.dots",
                extension=".xml",
            ),
        ),
        (  # a numeric unique id is not mistaken for an offset when begin has none
            "A20260302.2345-0000_0100",
            PmFileName(PmFileType.A, at(23, 45, None), at(0, 0, None, day=3), "0100"),
        ),
    ],
)
def test_parse_real_world_names(name: str, expected: PmFileName) -> None:
    parsed = parse_pm_file_name(name)
    assert parsed == expected
    assert parsed.begin.utcoffset() == expected.begin.utcoffset()


@pytest.mark.parametrize(
    "name",
    ["B20260302.0600+0800.xml", "A2026030.0600-0615.xml", "A20261302.0600-0615.xml", "x.xml"],
)
def test_parse_refuses_what_is_not_a_pm_file_name(name: str) -> None:
    with pytest.raises(ValueError, match=r"not a TS 32\.432 PM file name"):
        parse_pm_file_name(name)


ZONES = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timedelta(minutes=m))
MINUTES = st.datetimes(datetime(2000, 1, 1), datetime(2099, 1, 1)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC)
)
UNIQUE = st.none() | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9=,.-]{0,19}", fullmatch=True).filter(
    lambda u: (
        not u.lower().endswith(
            (".xml", ".gz", ".tar", ".tgz", ".zip", ".bz2", ".bin", ".ber", ".asn1")
        )
    )
)


@given(MINUTES, st.integers(1, 24 * 60), UNIQUE, ZONES, st.none() | st.integers(0, 99))
def test_parse_inverts_pm_file_name(
    begin: datetime, minutes: int, unique_id: str | None, offset: timedelta, rc: int | None
) -> None:
    end = begin + timedelta(minutes=minutes)
    parsed = parse_pm_file_name(pm_file_name(begin, end, unique_id, offset, running_count=rc))
    assert (parsed.begin, parsed.end, parsed.unique_id, parsed.running_count) == (
        begin,
        end,
        unique_id,
        rc,
    )
    assert parsed.begin.utcoffset() == offset


@pytest.mark.parametrize("unique_id", ["-5", "ne.gz", "ne_-_3"])
def test_pm_file_name_refuses_unique_ids_that_would_be_misread(unique_id: str) -> None:
    with pytest.raises(ValueError, match="would be misread"):
        pm_file_name(BEGIN, BEGIN + timedelta(minutes=1), unique_id)
