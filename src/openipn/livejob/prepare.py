"""The store a run serves: set up safely, seeded with the example only when it is empty."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from openipn.app import Services, build_services, initialise
from openipn.model.document import SiteDocument
from openipn.secure.secrets import check_new_key_allowed
from openipn.settings import Settings
from openipn.sitefile import dump_site_text, load_site_file
from openipn.store.db import is_initialised, make_engine
from openipn.store.queries import sealing_key_ids


@dataclass(frozen=True)
class Prepared:
    """What the run serves: the stored network, said in one line, and its site file."""

    summary: str
    site_file: Path
    elements: int  # managed elements of the served network


def _existing_database(settings: Settings) -> str | None:
    """The database's name when it already holds a schema; never creates an SQLite file."""
    url = settings.resolved_database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or not Path(parsed.database).exists():
            return None
        name = parsed.database
    else:
        name = parsed.render_as_string(hide_password=True)
    engine = make_engine(url)
    try:
        return name if is_initialised(engine) else None
    finally:
        engine.dispose()


def _sealed_key_ids(settings: Settings) -> set[str]:
    engine = make_engine(settings.resolved_database_url)
    try:
        return sealing_key_ids(engine)
    finally:
        engine.dispose()


def guard_secrets_key(settings: Settings, *, start_over: bool) -> None:
    """SecretError (with the way out) when a new key would be made for an existing database."""
    if settings.resolved_key_file.exists():
        return
    database = _existing_database(settings)
    sealed = _sealed_key_ids(settings) if database is not None else set()
    check_new_key_allowed(
        settings.resolved_key_file, database=database, sealed_key_ids=sealed, start_over=start_over
    )


def _object_count(document: SiteDocument) -> int:
    return sum(len(items) for items in document.sections.values())


def prepare_store(
    settings: Settings, example: Path, site_out: Path, *, start_over: bool = False
) -> Prepared:
    """Initialise, apply ``example`` only to an empty store, export the served network."""
    guard_secrets_key(settings, start_over=start_over)
    initialise(settings)
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
    """Apply the example to an empty store; otherwise keep the stored network as it is."""
    inventory = services.inventory
    stored = _object_count(inventory.export())
    if stored:
        version = inventory.latest_version()
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
