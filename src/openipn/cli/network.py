"""Site-file commands: init, validate, plan, apply, export, restore (versions: cli/versions)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from openipn.app import initialise
from openipn.cli.confirm import Yes, confirm_deletions
from openipn.cli.context import cli_context
from openipn.cli.output import console, fail, handle_errors, print_plan, print_warnings
from openipn.model.document import SiteFileError, dump_document
from openipn.model.validation import document_warnings
from openipn.secure.secrets import SecretBox
from openipn.sitefile import check_site_text, dump_site_text, load_site_file
from openipn.store.inventory import UnconfirmedDeleteError

SiteArg = Annotated[Path, typer.Argument(help="Site file (YAML) describing the network.")]
Reason = Annotated[str, typer.Option("--reason", "-m", help="Why: recorded in the version.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")]
Full = Annotated[bool, typer.Option("--full", help="List every changed object.")]
NewSecretsKey = Annotated[
    bool, typer.Option(help="Make a new secrets key for a database without credentials")
]


@handle_errors
def init(
    ctx: typer.Context,
    site: Annotated[Path | None, typer.Option(help="Apply this site file too.")] = None,
    new_secrets_key: NewSecretsKey = False,
) -> None:
    """Create the data directory, the secrets key and the database schema."""
    settings = cli_context(ctx).settings
    for line in initialise(settings, new_key_for_existing_database=new_secrets_key):
        console.print(line)
    if site is not None:
        apply(ctx, site, reason="initial site", dry_run=False, full=False, yes=False)


@handle_errors
def validate(site: SiteArg) -> None:
    """Check a site file on its own (field and cross-object rules) without a database."""
    try:
        text = site.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {site}: {exc.strerror}") from None
    document, issues = check_site_text(text, source=str(site))
    if issues:
        raise SiteFileError(issues)
    total = sum(len(items) for items in document.sections.values())
    print_warnings(document_warnings(document))
    console.print(f"{site}: valid ({total} objects)")


@handle_errors
def plan(ctx: typer.Context, site: SiteArg, full: Full = False) -> None:
    """Show what applying the site file would create, change and delete."""
    print_plan(cli_context(ctx).services().inventory.plan(load_site_file(site)), full=full)


@handle_errors
def apply(
    ctx: typer.Context,
    site: SiteArg,
    reason: Reason = "",
    dry_run: DryRun = False,
    full: Full = False,
    yes: Yes = False,
) -> None:
    """Make the stored network match the site file, in one transaction.

    Deleting subscriptions that hold SIM credentials is confirmed first (--yes skips).
    """
    context = cli_context(ctx)
    inventory = context.services().inventory
    document = load_site_file(site)
    write = functools.partial(
        inventory.apply,
        document,
        author=context.settings.author,
        reason=reason or f"apply {site.name}",
        dry_run=dry_run,
    )
    try:  # the common case, no SIM deleted, is planned once
        result = write(confirmed=None if dry_run else frozenset())
    except UnconfirmedDeleteError:
        result = write(confirmed=confirm_deletions(inventory.plan(document), yes=yes))
    print_plan(result.plan, full=full)
    if result.version is not None:
        console.print(f"applied as version {result.version}")
    elif dry_run and not result.plan.empty:
        console.print("dry run: nothing was changed")


@handle_errors
def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    with_secrets: Annotated[bool, typer.Option(help="Include K and OPc (audited).")] = False,
    key_file: Annotated[Path | None, typer.Option(help="Key file, required with secrets.")] = None,
) -> None:
    """Write the stored network as a site file (no subscriber secrets unless asked)."""
    context = cli_context(ctx)
    inventory = context.services().inventory
    document = inventory.export()
    if with_secrets:
        if key_file is None:
            raise fail("--with-secrets needs --key-file (the key that sealed the secrets)")
        secrets = inventory.subscriber_secrets(
            key=SecretBox.from_key_file(key_file), actor=context.settings.author
        )
        text = _dump_with_secrets(dump_document(document), secrets)
    else:
        text = dump_site_text(document)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")


def _dump_with_secrets(data: dict[str, Any], secrets: dict[str, tuple[str, str]]) -> str:
    for sub in data.get("subscriptions", []):
        if sub["supi"] in secrets:
            sub["k"], sub["opc"] = secrets[sub["supi"]]
    header = "# CONTAINS SUBSCRIBER SECRETS (K, OPc): protect this file\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@handle_errors
def restore(
    ctx: typer.Context,
    version: Annotated[int, typer.Argument(help="Version to go back to.")],
    reason: Reason = "",
    dry_run: DryRun = False,
    full: Full = False,
    yes: Yes = False,
) -> None:
    """Make the network as it was at an earlier version (recorded as a new version).

    A restore that deletes objects shows them and asks first (--yes skips the question).
    """
    context = cli_context(ctx)
    inventory = context.services().inventory
    confirmed = None
    if not dry_run:
        preview = inventory.restore(version, author=context.settings.author, dry_run=True)
        confirmed = confirm_deletions(preview.plan, yes=yes, every_delete=True)
    result = inventory.restore(
        version,
        author=context.settings.author,
        reason=reason,
        dry_run=dry_run,
        confirmed=confirmed,
    )
    print_plan(result.plan, full=full)
    if result.version is not None:
        console.print(f"restored version {version} as version {result.version}")
