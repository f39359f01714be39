"""PM files land in the PM directory atomically: written to a hidden temp file, then renamed.

A collector watching the directory therefore never sees a half-written file (rename is atomic
within one file system, POSIX rename(2)).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` as `directory/name` so that readers see all of it or nothing."""
    if "/" in name or name.startswith("."):
        raise ValueError(f"{name!r} is not a plain file name")
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / name
    descriptor, temp_name = tempfile.mkstemp(prefix=".", suffix=".part", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp_name).replace(final)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return final
