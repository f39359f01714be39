"""The store a run serves: set up safely, seeded with the example only when it is empty."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openipn.app import Services, build_services, initialise
from openipn.model.document import SiteDocument
from openipn.settings import Settings
from openipn.sitefile import dump_site_text, load_site_file


@dataclass(frozen=True)
class Prepared:
    """What the run serves: the stored network, said in one line, and its site file."""

    summary: str
    site_file: Path
    elements: int  # managed elements of the served network


def _object_count(document: SiteDocument) -> int:
    return sum(len(items) for items in document.sections.values())


def prepare_store(
    settings: Settings, example: Path, site_out: Path, *, start_over: bool = False
) -> Prepared:
    """Initialise, apply ``example`` only to an empty store, export the served network."""
    initialise(settings, new_key_for_existing_database=start_over)  # never a key to orphan
    services = build_services(settings)
    try:
        summary = _seed_or_keep(services, example)
        document = services.inventory.export()
    finally:
        services.close()
    site_out.parent.mkdir(parents=True, exist_ok=True)
    temporary = site_out.with_name(site_out.name + ".tmp")
    temporary.write_text(dump_site_text(document), encoding="utf-8")
    temporary.replace(site_out)  # the twin never reads a half-written site file
    return Prepared(summary, site_out, len(document.sections.get("managed_elements", [])))


def _seed_or_keep(services: Services, example: Path) -> str:
    """Apply the example to a store that never held a network; otherwise keep what it holds.

    A store whose history was emptied on purpose (a restore, a delete) stays empty.
    """
    inventory = services.inventory
    version = inventory.latest_version()
    if version:
        stored = _object_count(inventory.export())
        return (
            f"serving the stored network (version {version}, {stored} objects); "
            f"{example} was not applied"
        )
    result = inventory.apply(
        load_site_file(example),
        author=services.settings.author,
        reason=f"openipn run: example {example.name} on an empty store",
    )
    return f"the store was empty: applied {example} as version {result.version}"
