"""Reading and writing site files (YAML) around the pure model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from openipn.model.document import (
    Issue,
    SiteDocument,
    SiteFileError,
    dump_document,
    parse_document,
)
from openipn.model.validation import validate_document


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that reports duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str | int | float | bool) and key is not None:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"a mapping key must be a plain value (line {mark.line + 1})", mark
            )
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} at line {mark.line + 1}", mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_SafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def read_yaml(text: str, *, source: str = "(text)") -> object:
    """Parse YAML text, turning syntax errors into a SiteFileError with the line."""
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise SiteFileError([Issue(source, f"not valid YAML: {_yaml_problem(exc)}")]) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The problem and its position, without echoing the source line (it may hold a secret)."""
    problem = getattr(exc, "problem", None) or type(exc).__name__
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return str(problem)
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"


def parse_site_text(text: str, *, source: str = "(text)") -> SiteDocument:
    """Parse a site file's text; field-level issues ride on `document.issues`.

    Only unparseable YAML raises here; the store reports field-level issues together with the
    cross-object ones when the document is planned or applied.
    """
    document, _ = parse_document(read_yaml(text, source=source))
    return document


def load_site_file(path: Path) -> SiteDocument:
    """Read a site file; raise SiteFileError when it cannot be read or is not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SiteFileError([Issue(str(path), f"cannot read: {exc.strerror}")]) from exc
    return parse_site_text(text, source=str(path))


def check_site_text(text: str, *, source: str = "(text)") -> tuple[SiteDocument, list[Issue]]:
    """All issues of a stand-alone site file: field rules and cross-object rules together."""
    document, issues = parse_document(read_yaml(text, source=source))
    return document, issues + validate_document(document)


class _SiteDumper(yaml.SafeDumper):
    """Writes short lists of scalars (coordinates, names) on one line for readability."""


def _represent_list(dumper: _SiteDumper, data: list[Any]) -> yaml.Node:
    flat = all(isinstance(item, (str, int, float, bool)) for item in data)
    nested = all(isinstance(item, list) and len(item) <= 3 for item in data)
    return dumper.represent_sequence(
        yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, data, flow_style=flat or nested
    )


_SiteDumper.add_representer(list, _represent_list)


def dump_site_text(document: SiteDocument) -> str:
    """A site file for the document, in the canonical section order."""
    return yaml.dump(
        dump_document(document),
        Dumper=_SiteDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
