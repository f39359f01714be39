"""Where refused PM files go: the quarantine folder, each with `<name>.reason.json`."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from pathlib import Path

from openipn.collect.pm_parse import Parsed


def free_name(directory: Path, name: str) -> Path:
    """`directory/name`, or `name.<n>` when a file of that name is already there."""
    target = directory / name
    for count in itertools.count(1):
        if not target.exists() and not Path(f"{target}.reason.json").exists():
            return target
        target = directory / f"{name}.{count}"
    raise AssertionError("unreachable")


def quarantine(
    directory: Path,
    parsed: Parsed,
    *,
    source_file: Path | None,
    data: bytes | None,
    move: bool = True,
) -> Path:
    """Put a bad file (moved or copied from `source_file`, or `data`) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    target = free_name(directory, Path(parsed.name).name or "unnamed")
    if source_file is not None:
        (shutil.move if move else shutil.copy2)(source_file, target)
    elif data is not None:
        target.write_bytes(data)
    reason = {
        "file": parsed.name,
        "reason": parsed.reason,
        "line": parsed.line,
        "sha256": parsed.key,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    Path(f"{target}.reason.json").write_text(json.dumps(reason, indent=2) + "\n")
    return target
