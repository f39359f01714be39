"""Scrape targets as data: a core function's /metrics URL and the object its values measure.

A target names its measured object by DN, the way the network's PM files do
(`ManagedElement=me-core-1,AMFFunction=amf-1`, TS 28.622 / TS 28.541 class names), so values
scraped and values read from files land on the same object. Targets come from a YAML or JSON
file (`OPENIPN_SCRAPE_CONFIG`), from the site model's `metrics_url` fields, or from the
`--endpoints` file `openipn twin` writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from openipn.model.core import CoreFunction, Upf
from openipn.model.dn import DnBook
from openipn.model.document import SiteDocument
from openipn.model.objref import ObjectRef

DEFAULT_INTERVAL_S = 15.0
DEFAULT_TIMEOUT_S = 5.0
_DN_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*=[^,=]+(?:,[A-Za-z][A-Za-z0-9_]*=[^,=]+)*")
_FIELDS = ("url", "dn", "nf_type", "interval_s", "timeout_s", "name", "exclude")


class ScrapeConfigError(ValueError):
    """A scrape configuration that cannot be used; the message names the bad field."""


@dataclass(frozen=True)
class ScrapeTarget:
    """One /metrics endpoint: where it is, what it measures, how often to read it."""

    url: str
    dn: str
    nf_type: str
    interval_s: float = DEFAULT_INTERVAL_S
    timeout_s: float = DEFAULT_TIMEOUT_S
    name: str = ""  # defaults to the DN
    exclude: tuple[str, ...] = field(default=())  # fnmatch patterns of measurements not stored

    def __post_init__(self) -> None:
        object.__setattr__(self, "nf_type", self.nf_type.upper())
        object.__setattr__(self, "exclude", tuple(self.exclude))
        if not self.name:
            object.__setattr__(self, "name", self.dn)
        if not re.match(r"https?://[^/\s]+", self.url):
            raise ScrapeConfigError(f"url {self.url!r} is not an http(s) URL")
        if not _DN_RE.fullmatch(self.dn):
            raise ScrapeConfigError(
                f"dn {self.dn!r} is not a DN like ManagedElement=x,AMFFunction=y"
            )
        if not self.interval_s > 0:
            raise ScrapeConfigError(f"interval_s must be positive, not {self.interval_s}")
        if not 0 < self.timeout_s <= self.interval_s:
            raise ScrapeConfigError(
                f"timeout_s must be positive and at most interval_s, not {self.timeout_s}"
            )


def parse_targets(data: Mapping[str, Any]) -> list[ScrapeTarget]:
    """Targets from a config mapping: `{defaults: {...}, targets: [{url, dn, nf_type, ...}]}`."""
    if not isinstance(data, Mapping):
        raise ScrapeConfigError("a scrape config is a mapping with a `targets` list")
    unknown = sorted(set(data) - {"defaults", "targets"})
    if unknown:
        raise ScrapeConfigError(f"unknown keys {unknown} (expected defaults, targets)")
    defaults = data.get("defaults") or {}
    items = data.get("targets")
    if not isinstance(defaults, Mapping):
        raise ScrapeConfigError("defaults: must be a mapping")
    if not isinstance(items, list):
        raise ScrapeConfigError("targets: must be a list")
    targets = [
        _target(f"targets[{i}]", {**defaults, **_mapping(i, item)}) for i, item in enumerate(items)
    ]
    _check_unique(targets)
    return targets


def _mapping(index: int, item: object) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise ScrapeConfigError(f"targets[{index}]: must be a mapping")
    return item


def _target(where: str, item: Mapping[str, Any]) -> ScrapeTarget:
    unknown = sorted(set(item) - set(_FIELDS))
    if unknown:
        raise ScrapeConfigError(f"{where}: unknown keys {unknown} (known: {', '.join(_FIELDS)})")
    missing = [key for key in ("url", "dn", "nf_type") if not item.get(key)]
    if missing:
        raise ScrapeConfigError(f"{where}: missing {', '.join(missing)}")
    try:
        return ScrapeTarget(
            url=str(item["url"]),
            dn=str(item["dn"]),
            nf_type=str(item["nf_type"]),
            interval_s=float(item.get("interval_s", DEFAULT_INTERVAL_S)),
            timeout_s=float(item.get("timeout_s", DEFAULT_TIMEOUT_S)),
            name=str(item.get("name") or ""),
            exclude=tuple(str(p) for p in item.get("exclude") or ()),
        )
    except (TypeError, ValueError) as exc:
        raise ScrapeConfigError(f"{where}: {exc}") from None


def _check_unique(targets: Sequence[ScrapeTarget]) -> None:
    seen: set[str] = set()
    for target in targets:
        if target.name in seen:
            raise ScrapeConfigError(f"target name {target.name!r} appears twice")
        seen.add(target.name)


def load_targets(path: Path) -> list[ScrapeTarget]:
    """Targets from a YAML or JSON file (JSON is YAML); errors name the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScrapeConfigError(f"{path}: {exc}") from None
    try:
        return parse_targets(data)
    except ScrapeConfigError as exc:
        raise ScrapeConfigError(f"{path}: {exc}") from None


def _functions(document: SiteDocument) -> Iterable[tuple[str, str, str | None, str | None]]:
    """(name, NF type, DN, metrics URL) of every core function and UPF (model/dn.py DNs)."""
    book = DnBook.from_document(document)
    for f in document.objects("core_functions"):
        if isinstance(f, CoreFunction):
            yield f.name, f.type.value, book.dn(ObjectRef("core_function", f.name)), f.metrics_url
    for u in document.objects("upfs"):
        if isinstance(u, Upf):
            yield u.name, "UPF", book.dn(ObjectRef("upf", u.name)), u.metrics_url


def _dn_of(name: str, dn: str | None) -> str:
    if not dn:
        raise ScrapeConfigError(
            f"{name} has no managed_element, so its DN is unknown: give it one in the site "
            "file or list the target in a scrape config"
        )
    return dn


def targets_from_site(
    document: SiteDocument, *, interval_s: float = DEFAULT_INTERVAL_S
) -> list[ScrapeTarget]:
    """A target for every core function and UPF whose site entry has a `metrics_url`."""
    return [
        ScrapeTarget(url, _dn_of(name, dn), nf, interval_s, min(DEFAULT_TIMEOUT_S, interval_s))
        for name, nf, dn, url in _functions(document)
        if url
    ]


def targets_from_twin(
    endpoints: Mapping[str, Any] | Path,
    document: SiteDocument,
    *,
    host: str = "127.0.0.1",
    interval_s: float = DEFAULT_INTERVAL_S,
    exclude: Sequence[str] = (),
) -> list[ScrapeTarget]:
    """Targets for the twin's /metrics servers, from `openipn twin --endpoints` output.

    The file maps `metrics` to {function name: port}; the site model gives each function's
    type and managed element, hence its DN. `exclude` (measurement name patterns) keeps out
    what the twin's PM files already carry, so it is not counted twice.
    """
    data = (
        json.loads(endpoints.read_text(encoding="utf-8"))
        if isinstance(endpoints, Path)
        else endpoints
    )
    ports: Mapping[str, int] = data.get("metrics") or {}
    known = {name: (nf, dn) for name, nf, dn, _ in _functions(document)}
    unknown = sorted(set(ports) - set(known))
    if unknown:
        raise ScrapeConfigError(f"twin endpoints name functions not in the site: {unknown}")
    timeout = min(DEFAULT_TIMEOUT_S, interval_s)
    return [
        ScrapeTarget(
            f"http://{host}:{int(port)}/metrics",
            _dn_of(name, known[name][1]),
            known[name][0],
            interval_s,
            timeout,
            exclude=tuple(exclude),
        )
        for name, port in sorted(ports.items())
    ]
