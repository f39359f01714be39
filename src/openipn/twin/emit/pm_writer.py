"""PM files land in the PM directory atomically: written to a hidden temp file, then renamed.

A collector watching the directory therefore never sees a half-written file (rename is atomic
within one file system, POSIX rename(2)). There is no fsync: readers need atomic visibility,
not durability across a power cut, and an fsync per file would dominate the twin's run time.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` as `directory/name` so that readers see all of it or nothing."""
    if "/" in name or name.startswith("."):
        raise ValueError(f"{name!r} is not a plain file name")
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / name
    temp = directory / f".{name}.{os.getpid()}.part"  # one writer per name and process
    try:
        temp.write_bytes(data)
        temp.replace(final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return final
