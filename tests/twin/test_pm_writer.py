"""Atomic PM file writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from openipn.twin.emit.pm_writer import write_atomically


def test_writes_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    path = write_atomically(tmp_path / "pm", "A20260302.0600+0000-0601+0000_gnb-1.xml", b"<x/>")
    assert path.read_bytes() == b"<x/>"
    assert [p.name for p in (tmp_path / "pm").iterdir()] == [path.name]


def test_replaces_existing_file(tmp_path: Path) -> None:
    write_atomically(tmp_path, "a.xml", b"old")
    write_atomically(tmp_path, "a.xml", b"new")
    assert (tmp_path / "a.xml").read_bytes() == b"new"


@pytest.mark.parametrize("bad", ["../x.xml", ".hidden.xml", "a/b.xml"])
def test_refuses_paths(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        write_atomically(tmp_path, bad, b"")
