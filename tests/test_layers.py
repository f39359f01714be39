"""Dependencies point inward: every unit is in the layer table, imports only what it allows,
and no module imports itself back through others (docs/architecture.md, "Layers")."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src"
DOCS = Path(__file__).parent.parent / "docs" / "architecture.md"
PACKAGE = SRC / "openipn"
ROOT = "openipn"  # the package itself (__version__): any unit may import it

# unit (a sub-package, or a module beside them) -> units it may import (besides itself and ROOT)
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "secure": set(),
    "settings": set(),
    "codecs": {"model"},
    "sitefile": {"model"},
    "store": {"model", "secure"},
    "twin": {"model", "codecs"},
    "collect": {"model", "codecs", "store", "secure"},
    "assure": {"model", "codecs", "store"},
    "act": {"model", "codecs", "secure", "store", "collect", "assure"},
    "report": {"model", "store", "assure"},
    "app": {"model", "codecs", "secure", "settings", "sitefile", "store", "collect", "assure"},
    "runtime": {"model", "codecs", "secure", "settings", "sitefile", "store", "collect", "assure",
                "app"},
    "api": {"model", "codecs", "sitefile", "store", "collect", "assure", "app", "runtime"},
    "console": {"model", "codecs", "sitefile", "store", "assure", "app"},
    "livejob": {"model", "codecs", "secure", "settings", "sitefile", "store", "collect", "app",
                "twin"},
    "cli": {"model", "codecs", "secure", "settings", "sitefile", "store", "collect", "assure",
            "app", "runtime", "twin", "livejob"},
}  # fmt: skip

# The one module that may reach further than its unit: serving the API is `openipn serve`'s job.
MODULE_EXCEPTIONS: dict[str, set[str]] = {"cli/serve.py": {"api"}}

# Routers and commands translate; the store's repositories run the SQL (no tables, no queries).
NO_SQL_UNITS = ("api", "cli")
SQL_NAMES_ALLOWED = {"Engine"}  # a type passed through to a repository

# Helpers with one home each: module-level definitions of these names elsewhere are copies.
HELPER_HOMES: dict[str, str] = {
    "utc": "model/times.py",
    "_utc": "",
    "_aware": "",
    "from_epoch": "model/times.py",
    "share": "assure/sla.py",
    "_share": "",
    "_typed": "",
}

# Only the composition roots open stores; commands and routers take them from the services.
STORE_OPENERS = {"open_telemetry_store", "make_engine"}
NO_STORE_OPENING = ("api", "cli", "runtime")


def unit_of(path: Path) -> str:
    """The unit a source file belongs to: its sub-package, or its own name beside them."""
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def units() -> set[str]:
    """Every unit of the package as it is on disk."""
    return {unit_of(p) for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py"}


def module_name(path: Path) -> str:
    """The dotted module name of a source file (a package by its __init__)."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _module_level(nodes: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run on import (also under `if TYPE_CHECKING:`), not inside functions."""
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        yield node
        if isinstance(node, ast.ClassDef):
            yield from _module_level(node.body)
        for block in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, block, None)
            if isinstance(node, ast.ClassDef) or not isinstance(inner, list):
                continue
            yield from _module_level([n for n in inner if isinstance(n, ast.stmt)])
            for handler in inner:
                if isinstance(handler, ast.ExceptHandler):
                    yield from _module_level(handler.body)


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    """The module an ImportFrom names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.stem != "__init__":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imports(path: Path, *, module_level: bool) -> Iterator[tuple[str, list[str]]]:
    """(module, names) of each import of a file (all of them, or those run on import)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = _module_level(tree.body) if module_level else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            yield _absolute(node, path), [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            yield from ((a.name, []) for a in node.names)


def imported_units(path: Path) -> set[str]:
    """The units of ours a file imports (ROOT for the package itself)."""
    found = set()
    for module, _ in imports(path, module_level=False):
        parts = module.split(".")
        if parts[0] == ROOT:
            found.add(parts[1] if len(parts) > 1 else ROOT)
    return found


def test_every_unit_is_in_the_table() -> None:
    """A new package or top-level module cannot escape the layer rules."""
    missing = units() - set(ALLOWED)
    assert not missing, f"add {sorted(missing)} to ALLOWED and to docs/architecture.md"


def documented_layers() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The layer table of docs/architecture.md: unit -> may import, and module exceptions."""
    table: dict[str, set[str]] = {}
    exceptions: dict[str, set[str]] = {}
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Layers and what each may import")[1].split("\n## ")[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        first = re.fullmatch(r"`([a-z_]+)(?:/|\.py)`", cells[0])
        if len(cells) != 3 or first is None:
            continue
        general, *special = cells[2].split(";")
        table[first.group(1)] = set(re.findall(r"`([a-z_]+)`", general))
        for rule in special:  # "`api` from `cli/serve.py` only"
            names = re.findall(r"`([^`]+)`", rule)
            exceptions.setdefault(names[-1], set()).update(names[:-1])
    return table, exceptions


def test_the_documented_table_is_this_one() -> None:
    """docs/architecture.md shows exactly the rules this test enforces."""
    assert documented_layers() == (ALLOWED, MODULE_EXCEPTIONS)


@pytest.mark.parametrize("unit", sorted(ALLOWED))
def test_layer_imports_point_inward(unit: str) -> None:
    """Each file imports only the units its layer allows (and the module exceptions)."""
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts == ("__init__.py",) or unit_of(path) != unit:
            continue
        relative = path.relative_to(PACKAGE).as_posix()
        allowed = ALLOWED[unit] | MODULE_EXCEPTIONS.get(relative, set()) | {unit, ROOT}
        bad = imported_units(path) - allowed
        if bad:
            offenders[relative] = sorted(bad)
    assert offenders == {}


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports when it is imported."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set()
        for module, names in imports(path, module_level=True):
            submodules = {f"{module}.{n}" for n in names} & known.keys()
            targets |= submodules
            if module in known and (not names or len(submodules) < len(names)):
                targets.add(module)
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected sets of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while (top := stack.pop()) != node:
                group.append(top)
            if group:
                found.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    """No module imports itself back through others at import time, TYPE_CHECKING included.

    Imports inside functions are deliberate late imports and are not counted.
    """
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    """The check above can fail: a three-module circle and a self-contained chain."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("unit", NO_SQL_UNITS)
def test_routers_and_commands_run_no_sql(unit: str) -> None:
    """No table rows or query builders in api/ or cli/: a repository in store/ runs them."""
    offenders = []
    for path in sorted((PACKAGE / unit).rglob("*.py")):
        for module, names in imports(path, module_level=False):
            sql = module.split(".")[0] == "sqlalchemy" and set(names) - SQL_NAMES_ALLOWED
            if sql or module == "openipn.store.schema":
                offenders.append(f"{path.relative_to(PACKAGE)}: {module} {sorted(names)}")
    assert offenders == []


def test_each_shared_helper_is_defined_once() -> None:
    """UTC conversion, epoch times and shares have one definition, in their home module."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            named = isinstance(node, ast.FunctionDef) and node.name in HELPER_HOMES
            if named and HELPER_HOMES[node.name] != relative:
                offenders.append(f"{relative}: {node.name}")
    assert offenders == []


@pytest.mark.parametrize("unit", NO_STORE_OPENING)
def test_only_the_composition_root_opens_stores(unit: str) -> None:
    """Commands, routers and the runtime take the stores from `app.Services`."""
    files = [PACKAGE / f"{unit}.py"] if (PACKAGE / f"{unit}.py").exists() else []
    files += sorted((PACKAGE / unit).rglob("*.py")) if (PACKAGE / unit).is_dir() else []
    offenders = [
        f"{path.relative_to(PACKAGE)}: {sorted(set(names) & STORE_OPENERS)}"
        for path in files
        for _, names in imports(path, module_level=False)
        if set(names) & STORE_OPENERS
    ]
    assert offenders == []


def test_model_has_no_io_or_framework_imports() -> None:
    """The model is pure: no database, web, CLI, YAML or HTTP library."""
    forbidden = {"sqlalchemy", "fastapi", "typer", "yaml", "httpx", "requests"}
    for path in (PACKAGE / "model").rglob("*.py"):
        for module, _ in imports(path, module_level=False):
            assert module.split(".")[0] not in forbidden, path
