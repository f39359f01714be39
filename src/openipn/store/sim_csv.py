"""Bulk SIM lifecycle: import a CSV of subscriptions as one version, export them as CSV.

Every row is checked before anything is written and all errors are reported together; the
import is then one `Inventory.edit`, so it is a single numbered version, all or nothing.
K, OP and OPc never appear in errors, logs or reports; OP is turned into OPc on import.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openipn.model.document import SiteFileError
from openipn.secure.secrets import SecretBox
from openipn.store import credentials
from openipn.store.inventory import Inventory
from openipn.store.schema import InventoryRow
from openipn.store.sim_csv_check import Outcome, StoredSims, check_rows, classify
from openipn.store.sim_csv_rows import (
    COLUMNS,
    RowError,
    SimCsvError,
    SimRow,
    Table,
    decode,
    parse_row,
    read_table,
)

__all__ = ["COLUMNS", "ImportReport", "RowError", "SimCsvError", "export_sims", "import_sims"]

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
EXPORT_COLUMNS = ("iccid", "profile", "imei", "amf", "sqn", "auth_method", "description")
PROGRESS_STEP = 1000
ISSUE_PATH = re.compile(r"^subscriptions\[(?P<supi>[^\]]+)\](?:\.(?P<field>\w+))?")


class Services(Protocol):
    """What this module uses of `openipn.app.Services` (the store does not import the app)."""

    @property
    def engine(self) -> Engine:
        """The database engine."""

    @property
    def box(self) -> SecretBox:
        """The box that seals subscriber secrets."""

    @property
    def inventory(self) -> Inventory:
        """The model store."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do); errors mean nothing was written."""

    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    version: int | None = None
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file was accepted."""
        return not self.errors

    def summary(self) -> str:
        """One line for a person: counts, or how many errors stopped the import."""
        if self.errors:
            return f"{len(self.errors)} error(s) in {self.rows} row(s); nothing was written"
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.dry_run:
            return f"dry run: {counts}; nothing was written"
        return counts + (f" (version {self.version})" if self.version else " (no new version)")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the API and `--json` output."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "version": self.version,
            "dry_run": self.dry_run,
            "errors": [
                {"row": e.row, "line": e.line, "column": e.column, "message": e.message}
                for e in self.errors
            ],
        }


def import_sims(
    services_or_inventory: Services | Inventory,
    source: Path | TextIO | BinaryIO,
    *,
    update: bool = False,
    dry_run: bool = False,
    author: str,
    reason: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of a SIM CSV file, then write them all as one version (or nothing)."""
    inventory = _inventory(services_or_inventory)
    try:
        table = read_table(decode(source))
    except SimCsvError as exc:
        return ImportReport(0, dry_run=dry_run, errors=exc.errors)
    total = 2 * len(table.records)
    rows, errors = _parse_rows(table, progress, total)
    stored = StoredSims.load(inventory.engine, {row.sub.supi for row in rows})
    errors.extend(check_rows(rows, table.id_column, stored, update=update))
    report = ImportReport(len(table.records), dry_run=dry_run)
    if errors:
        report.errors = sorted(errors, key=lambda error: error.row)
        return report
    outcomes = classify(rows, stored, inventory.box)
    changed = [row for row, outcome in zip(rows, outcomes, strict=True) if outcome.writes]
    new = [row.sub.supi for row, o in zip(rows, outcomes, strict=True) if o is Outcome.CREATE]
    _tick(progress, len(rows), total)
    if changed:
        written = _write(inventory, changed, new, table, author, reason, dry_run)
        report.version, errors = written
        if errors:
            report.errors = sorted(errors, key=lambda error: error.row)
            return report
    report.created, report.updated, report.unchanged = (outcomes.count(kind) for kind in Outcome)
    _tick(progress, total, total)
    return report


def _inventory(target: Services | Inventory) -> Inventory:
    return target if isinstance(target, Inventory) else target.inventory


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _parse_rows(
    table: Table, progress: Progress | None, total: int
) -> tuple[list[SimRow], list[RowError]]:
    rows: list[SimRow] = []
    errors: list[RowError] = []
    for number, (line, cells) in enumerate(table.records, start=1):
        parsed = parse_row(table, number, line, cells)
        if isinstance(parsed, SimRow):
            rows.append(parsed)
        else:
            errors.extend(parsed)
        if number % PROGRESS_STEP == 0:
            _tick(progress, number, total)
    return rows, errors


def _write(
    inventory: Inventory,
    rows: list[SimRow],
    new_supis: list[str],
    table: Table,
    author: str,
    reason: str,
    dry_run: bool,
) -> tuple[int | None, list[RowError]]:
    try:
        result = inventory.edit(
            upserts={"subscriptions": [row.sub for row in rows]},
            author=author,
            reason=reason,
            dry_run=dry_run,
            source="sims-import",
            create_only={"subscriptions": new_supis},
        )
    except SiteFileError as exc:
        by_supi = {row.sub.supi: row for row in rows}
        return None, [
            _store_error(issue.path, issue.message, by_supi, table) for issue in exc.issues
        ]
    return result.version, []


def _store_error(path: str, message: str, by_supi: dict[str, SimRow], table: Table) -> RowError:
    """A network-wide rule broken by the import, placed on its row when it names one."""
    match = ISSUE_PATH.match(path)
    row = by_supi.get(match.group("supi")) if match else None
    if match is None or row is None:
        return RowError(0, 0, path, message)
    column = match.group("field") or ""
    return RowError(row.number, row.line, table.id_column if column == "supi" else column, message)


def export_sims(
    engine_or_services: Engine | Services,
    out: TextIO,
    *,
    with_secrets: bool = False,
    box: SecretBox | None = None,
    actor: str = "",
) -> int:
    """Write every subscription as CSV (K and OPc only when asked, and then logged); row count."""
    if isinstance(engine_or_services, Engine):
        engine = engine_or_services
    else:
        engine, box = engine_or_services.engine, box or engine_or_services.box
    if with_secrets and box is None:
        raise ValueError("exporting subscriber secrets needs the SecretBox that sealed them")
    query = (
        select(InventoryRow.name, InventoryRow.data, InventoryRow.secrets)
        .where(InventoryRow.kind == "subscription")
        .order_by(InventoryRow.name)
    )
    with Session(engine) as session:
        stored = session.execute(query).all()
    id_column = "imsi" if all(name.startswith("imsi-") for name, _, _ in stored) else "supi"
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([id_column, *EXPORT_COLUMNS, *(("k", "opc") if with_secrets else ())])
    for name, data, secrets in stored:
        cells = [name.removeprefix("imsi-") if id_column == "imsi" else name]
        cells.extend(_cell(data.get(column)) for column in EXPORT_COLUMNS)
        if with_secrets and box is not None:
            cells.extend(_plain_secrets(box, name, secrets))
        writer.writerow(cells)
    if with_secrets:
        logger.warning(
            "subscriber secrets exported by %s: %d rows", actor or "unknown", len(stored)
        )
    return len(stored)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _plain_secrets(box: SecretBox, supi: str, sealed: dict[str, str] | None) -> list[str]:
    if not sealed:
        return ["", ""]
    k, opc = credentials.unseal(box, supi, sealed)
    return [k.hex(), opc.hex()]
