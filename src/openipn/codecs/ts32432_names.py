"""TS 32.432 PM file names, e.g. ``A20260302.0600+0800-0615+0800_gnb-1.xml``.

Grammar (TS 32.432 clause 4.3, standards.md §1.3 [K]):
``<Type><Startdate>.<Starttime>-[<Enddate>.]<Endtime>[_<UniqueId>][_-_<RC>]`` where a time is
``HHMMshhmm`` (local time, then the signed UTC offset).  ``parse_pm_file_name`` also accepts
the real-world variants of standards.md §1.3: no UTC offset (naive datetimes), ``_`` instead of
``+`` before the offset, a DN as UniqueId, and a vendor ``_-<jobId>`` part before the UniqueId.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum


class PmFileType(StrEnum):
    """TS 32.432 file type: how many NEs and granularity periods one file holds."""

    A = "A"  # one NE, one granularity period
    B = "B"  # several NEs, one granularity period
    C = "C"  # one NE, several granularity periods
    D = "D"  # several NEs, several granularity periods


@dataclass(frozen=True, slots=True)
class PmFileName:
    """A parsed PM file name; begin/end are naive when the name carries no UTC offset."""

    file_type: PmFileType
    begin: datetime
    end: datetime
    unique_id: str | None = None
    running_count: int | None = None  # RC: only to avoid a name clash
    job_id: str | None = None  # vendor variant `_-<jobId>`, not in TS 32.432
    extension: str = ""


_NAME = re.compile(
    r"(?P<type>[ABCD])(?P<bdate>[0-9]{8})\.(?P<btime>[0-9]{4})(?P<boff>[-+_][0-9]{4})?"
    r"-(?:(?P<edate>[0-9]{8})\.)?(?P<etime>[0-9]{4})(?(boff)(?P<eoff>[-+_][0-9]{4}))"
    r"(?:_-(?P<job>[^_]+))?(?:_(?P<uid>.+?))??(?:_-_(?P<rc>[0-9]+))?"
    r"(?P<ext>(?:\.(?:xml|gz|tar|tgz|zip|bz2|bin|ber|asn1))*)",
    re.IGNORECASE,
)
_SIGNS = {"+": 1, "-": -1, "_": 1}  # "_" for "+": a non-conformant vendor variant


def _offset_text(offset: timedelta) -> str:
    minutes, remainder = divmod(offset, timedelta(minutes=1))
    if remainder or abs(minutes) >= 24 * 60:
        raise ValueError(f"UTC offset {offset} is not whole minutes within ±23:59")
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _check_unique_id(unique_id: str) -> str:
    if not unique_id or "/" in unique_id or "\x00" in unique_id:
        raise ValueError(f"unique id {unique_id!r} cannot be part of a file name")
    return unique_id


def pm_file_name(
    begin: datetime,
    end: datetime,
    unique_id: str | None = None,
    utc_offset: timedelta | None = None,
    *,
    running_count: int | None = None,
    file_type: PmFileType = PmFileType.A,
    extension: str = ".xml",
) -> str:
    """File name for one granularity period, in local time at ``utc_offset`` (default: begin's).

    The end date is written only when the period ends on another local date (crosses midnight).
    """
    offset = begin.utcoffset() if utc_offset is None else utc_offset
    if offset is None or end.utcoffset() is None:
        raise ValueError("begin and end must be timezone-aware")
    if end <= begin:
        raise ValueError(f"end {end} is not after begin {begin}")
    stamp, zone = _offset_text(offset), timezone(offset)
    first, last = begin.astimezone(zone), end.astimezone(zone)
    if any(moment.second or moment.microsecond for moment in (first, last)):
        raise ValueError("TS 32.432 names carry whole minutes only")
    end_date = "" if last.date() == first.date() else f"{last:%Y%m%d}."
    name = f"{file_type}{first:%Y%m%d.%H%M}{stamp}-{end_date}{last:%H%M}{stamp}"
    if unique_id is not None:
        name += f"_{_check_unique_id(unique_id)}"
    if running_count is not None:
        name += f"_-_{running_count}"
    name += extension
    parsed = parse_pm_file_name(name)
    if (parsed.unique_id, parsed.running_count) != (unique_id, running_count):
        raise ValueError(f"unique id {unique_id!r} would be misread in {name!r}")
    return name


def _zone(text: str | None) -> timezone | None:
    if text is None:
        return None
    minutes = int(text[1:3]) * 60 + int(text[3:5])
    return timezone(_SIGNS[text[0]] * timedelta(minutes=minutes))


def _moment(date: str, time: str, zone: timezone | None) -> datetime:
    return datetime.strptime(date + time, "%Y%m%d%H%M").replace(tzinfo=zone)


def parse_pm_file_name(name: str) -> PmFileName:
    """Parse a TS 32.432 PM file name (or a known vendor variant); ValueError if it is none."""
    match = _NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name!r} is not a TS 32.432 PM file name")
    parts = match.groupdict()
    try:
        begin = _moment(parts["bdate"], parts["btime"], _zone(parts["boff"]))
        end = _moment(parts["edate"] or parts["bdate"], parts["etime"], _zone(parts["eoff"]))
    except ValueError as exc:
        raise ValueError(f"{name!r} is not a TS 32.432 PM file name: {exc}") from None
    if parts["edate"] is None and end <= begin:
        end += timedelta(days=1)  # no end date written although the period crosses midnight
    return PmFileName(
        file_type=PmFileType(parts["type"].upper()),
        begin=begin,
        end=end,
        unique_id=parts["uid"],
        running_count=None if parts["rc"] is None else int(parts["rc"]),
        job_id=parts["job"],
        extension=parts["ext"],
    )
