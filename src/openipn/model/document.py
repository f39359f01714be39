"""A whole network as one document: parsing a site file with every error collected."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from openipn.model.kinds import BY_SECTION, KINDS, KindSpec, object_key
from openipn.model.suggest import did_you_mean, unknown_field_message

FORMAT = "openipn-site/v1"
T = TypeVar("T")


@dataclass(frozen=True)
class Issue:
    """One problem in a site file, named by its field path, e.g. `cells[WS1-C1].pci`."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SiteFileError(ValueError):
    """A site file (or an edit) that breaks one or more rules; nothing was changed."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        lines = "\n".join(f"  {issue}" for issue in issues)
        super().__init__(f"{len(issues)} error(s):\n{lines}")


@dataclass
class SiteDocument:
    """Objects per section, in file order; `managed` lists the sections the file declared."""

    sections: dict[str, list[BaseModel]] = field(default_factory=dict)
    managed: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)  # field-level issues found while parsing
    unparsed: dict[str, set[str]] = field(default_factory=dict)  # keys of objects that failed
    removed: dict[str, set[str]] = field(default_factory=dict)  # stored keys this change deletes

    def objects(self, section: str) -> list[BaseModel]:
        """The objects of one section (empty when absent)."""
        return self.sections.get(section, [])

    def typed(self, section: str, model: type[T]) -> list[T]:
        """The objects of one section that are of the model class."""
        return [obj for obj in self.sections.get(section, []) if isinstance(obj, model)]

    def singleton(self, section: str) -> BaseModel | None:
        """The site or snpn object, if present."""
        items = self.sections.get(section, [])
        return items[0] if items else None

    def index(self, section: str) -> dict[str, BaseModel]:
        """Objects of a section by key."""
        spec = BY_SECTION[section]
        return {object_key(spec, obj): obj for obj in self.objects(section)}

    def iter_all(self) -> Iterator[tuple[KindSpec, int, BaseModel]]:
        """Every object with its kind and position in its section."""
        for spec in KINDS:
            for position, obj in enumerate(self.objects(spec.section)):
                yield spec, position, obj

    def path(self, section: str, position: int) -> str:
        """The field path of an object, named by its key: `cells[WS1-C1]` (or `snpn`)."""
        spec = BY_SECTION[section]
        if spec.singleton:
            return section
        return object_path(spec, object_key(spec, self.objects(section)[position]))


def object_path(spec: KindSpec, key: str) -> str:
    """`cells[WS1-C1]`: an object named by its key, as the API and the CLI show it."""
    return f"{spec.section}[{key}]"


def raw_object_path(spec: KindSpec, raw: object, position: int) -> str:
    """The path of an object as written: by its key when it has one, else by position."""
    if spec.singleton:
        return spec.section
    key = raw.get(spec.key_field) if isinstance(raw, dict) else None
    if isinstance(key, str | int) and not isinstance(key, bool) and str(key):
        return object_path(spec, str(key))
    return f"{spec.section}[{position}]"


def format_loc(prefix: str, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a path like `cells[3].pci`."""
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _message(error: Mapping[str, Any], model: type[BaseModel] | None) -> str:
    text = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    if error["type"] == "extra_forbidden":
        return unknown_field_message(model, tuple(error["loc"])) if model else "unknown field"
    if error["type"] == "missing":
        return "required field is missing"
    return text


def issues_from(
    exc: ValidationError, prefix: str, model: type[BaseModel] | None = None
) -> list[Issue]:
    """Issues for every error of a pydantic ValidationError (of `model`, to suggest fields)."""
    return [Issue(format_loc(prefix, tuple(e["loc"])), _message(e, model)) for e in exc.errors()]


def parse_object(spec: KindSpec, raw: object, path: str) -> tuple[BaseModel | None, list[Issue]]:
    """Validate one object; return it or the issues that stop it."""
    if not isinstance(raw, dict):
        return None, [Issue(path, f"expected a mapping, got {type(raw).__name__}")]
    try:
        return spec.model.model_validate(raw), []
    except ValidationError as exc:
        return None, issues_from(exc, path, spec.model)


def _parse_section(spec: KindSpec, raw: object, document: SiteDocument) -> list[Issue]:
    items = [raw] if spec.singleton else raw
    if items is None:
        items = []
    if not isinstance(items, list):
        return [Issue(spec.section, f"expected a list, got {type(raw).__name__}")]
    parsed = document.sections.setdefault(spec.section, [])
    issues: list[Issue] = []
    for position, item in enumerate(items):
        obj, found = parse_object(spec, item, raw_object_path(spec, item, position))
        issues.extend(found)
        if obj is not None:
            parsed.append(obj)
        elif isinstance(item, dict) and isinstance(item.get(spec.key_field), str):
            # Remember its key, so references to it are not reported as dangling too.
            document.unparsed.setdefault(spec.section, set()).add(item[spec.key_field])
    return issues


def parse_document(raw: object) -> tuple[SiteDocument, list[Issue]]:
    """Parse a loaded site file; objects that fail are left out and their issues returned.

    The issues are also kept on the document, so that applying it reports them together with
    the cross-object issues of the rest.
    """
    document, issues = _parse_document(raw)
    document.issues = issues
    return document, issues


def _parse_document(raw: object) -> tuple[SiteDocument, list[Issue]]:
    if not isinstance(raw, dict):
        return SiteDocument(), [Issue("(file)", "a site file is a YAML mapping of sections")]
    issues: list[Issue] = []
    fmt = raw.get("format", FORMAT)
    if fmt != FORMAT:
        issues.append(Issue("format", f"{fmt!r} is not supported; expected {FORMAT!r}"))
    document = SiteDocument()
    for key, value in raw.items():
        if key == "format":
            continue
        spec = BY_SECTION.get(str(key))
        if spec is None:
            issues.append(Issue(str(key), unknown_section_message(str(key))))
            continue
        issues.extend(_parse_section(spec, value, document))
        document.managed.add(spec.section)
    return document, issues


def unknown_section_message(section: str) -> str:
    """ "unknown section" with the nearest section name, or the list of them."""
    names = [spec.section for spec in KINDS]
    suggestion = did_you_mean(section, names)
    return "unknown section" + (suggestion or "; known sections: " + ", ".join(names))


def dump_document(document: SiteDocument) -> dict[str, Any]:
    """The document as plain data in site-file order (secrets excluded by the models)."""
    out: dict[str, Any] = {"format": FORMAT}
    for spec in KINDS:
        items = [
            obj.model_dump(mode="json", exclude_defaults=True, by_alias=True)
            for obj in document.objects(spec.section)
        ]
        if spec.singleton:
            if items:
                out[spec.section] = items[0]
        else:
            out[spec.section] = items
    return out
