"""Dependencies point inward: an import check keeps the layers honest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "openipn"

# layer -> openipn layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "codecs": {"model"},
    "secure": set(),
    "store": {"model", "secure"},
    "twin": {"model", "codecs"},
    "collect": {"model", "codecs", "store", "secure"},
    "assure": {"model", "codecs", "store"},
}


def imported_layers(path: Path) -> set[str]:
    """Top-level openipn sub-packages a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "openipn" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_point_inward(layer: str) -> None:
    offenders = {}
    for path in (PACKAGE / layer).rglob("*.py"):
        bad = imported_layers(path) - ALLOWED[layer] - {layer}
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert offenders == {}


def test_model_has_no_io_or_framework_imports() -> None:
    forbidden = {"sqlalchemy", "fastapi", "typer", "yaml", "httpx", "requests"}
    for path in (PACKAGE / "model").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in forbidden, path
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & forbidden, path
