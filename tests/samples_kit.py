"""The public reference samples beside the project (`../shared`): CI has them, a lone clone not."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "samples"


def sample(name: str) -> Path:
    """The sample's path; the calling test is skipped, naming the file, when it is missing."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"reference sample {name} not available at {path.resolve()}")
    return path
