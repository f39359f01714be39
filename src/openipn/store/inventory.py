"""The model store as a service: plan, apply, export, versions and restore.

Every applied change becomes a numbered version whose change records hold before and after
images, so any earlier version can be rebuilt by undoing the later ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from openipn.model.document import Issue, SiteDocument, SiteFileError
from openipn.model.kinds import BY_KIND, BY_SECTION, KINDS, object_key
from openipn.model.subscribers import Subscription
from openipn.model.validation import validate_document
from openipn.secure.secrets import SecretBox, SecretError
from openipn.store import audit, credentials
from openipn.store.changes import Change, ChangeOp, Plan, State, Stored, diff_states, undo
from openipn.store.schema import ChangeRow, InventoryRow, VersionRow
from openipn.store.writer import write_version


@dataclass(frozen=True)
class VersionInfo:
    """A version as listed by `openipn versions`."""

    number: int
    created_at: dt.datetime
    author: str
    reason: str
    source: str
    creates: int
    updates: int
    deletes: int
    restored_from: int | None


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did (or, in a dry run, would do)."""

    plan: Plan
    version: int | None
    dry_run: bool


def load_state(session: Session, kinds: Sequence[str] | None = None) -> State:
    """Every stored object (optionally of some kinds) keyed by (kind, name)."""
    query = select(InventoryRow.kind, InventoryRow.name, InventoryRow.data, InventoryRow.secrets)
    if kinds is not None:
        query = query.where(InventoryRow.kind.in_(kinds))
    return {(k, n): Stored(d, s) for k, n, d, s in session.execute(query)}


def state_to_document(state: State) -> SiteDocument:
    """Typed objects of a stored state; paths in issues name keys (e.g. `cells[WS1-C1]`)."""
    document = SiteDocument()
    for spec in KINDS:
        document.sections[spec.section] = []
    for (kind, _), stored in sorted(state.items()):
        spec = BY_KIND[kind]
        document.sections[spec.section].append(spec.model.model_validate(stored.data))
    return document


def merge(stored: SiteDocument, desired: SiteDocument) -> SiteDocument:
    """Desired sections replace stored ones; sections the file leaves out stay as stored."""
    merged = SiteDocument(
        managed=set(desired.managed), issues=list(desired.issues), unparsed=dict(desired.unparsed)
    )
    for spec in KINDS:
        if spec.section in desired.managed:
            merged.sections[spec.section] = list(desired.objects(spec.section))
        else:
            merged.sections[spec.section] = list(stored.objects(spec.section))
    return merged


class Inventory:
    """Plan/apply/export/restore over one database, sealing secrets with one SecretBox."""

    def __init__(self, *, engine: Engine, box: SecretBox) -> None:
        self.engine = engine
        self.box = box

    def plan(self, desired: SiteDocument) -> Plan:
        """What applying `desired` would change (raises SiteFileError when it is invalid)."""
        with Session(self.engine) as session:
            return self._plan(load_state(session), desired)

    def apply(
        self,
        desired: SiteDocument,
        *,
        author: str,
        reason: str,
        dry_run: bool = False,
        source: str = "apply",
    ) -> ApplyResult:
        """Apply a site document in one transaction: all or nothing."""
        with Session(self.engine) as session, session.begin():
            plan = self._plan(load_state(session), desired)
            if dry_run or plan.empty:
                return ApplyResult(plan, None, dry_run)
            number = write_version(session, plan, author=author, reason=reason, source=source)
            return ApplyResult(plan, number, dry_run)

    def edit(
        self,
        *,
        upserts: Mapping[str, Sequence[BaseModel]] | None = None,
        deletes: Mapping[str, Sequence[str]] | None = None,
        author: str,
        reason: str,
        dry_run: bool = False,
        source: str = "api",
        create_only: Mapping[str, Collection[str]] | None = None,
        must_exist: Mapping[str, Collection[str]] | None = None,
    ) -> ApplyResult:
        """Create/replace or delete individual objects, validated against the whole network.

        Keys in `create_only` must not exist yet and keys in `must_exist` must; both are checked
        inside the write transaction, so a concurrent writer cannot slip in between a caller's
        own check and this write.
        """
        with Session(self.engine) as session, session.begin():
            current = load_state(session)
            _check_absent(current, create_only or {})
            _check_present(current, must_exist or {})
            desired = state_to_document(current)
            desired.managed = set()
            for section, objects in (upserts or {}).items():
                _upsert(desired, section, objects)
                desired.managed.add(section)
            for section, names in (deletes or {}).items():
                _delete(desired, section, set(names))
                desired.managed.add(section)
            plan = self._plan(current, desired, already_merged=True)
            if dry_run or plan.empty:
                return ApplyResult(plan, None, dry_run)
            number = write_version(session, plan, author=author, reason=reason, source=source)
            return ApplyResult(plan, number, dry_run)

    def _plan(self, current: State, desired: SiteDocument, *, already_merged: bool = False) -> Plan:
        merged = desired if already_merged else merge(state_to_document(current), desired)
        issues = merged.issues + validate_document(merged)
        target, secret_issues = self._target_state(current, merged)
        issues.extend(secret_issues)
        if issues:
            raise SiteFileError(issues)
        kinds = [BY_SECTION[s].kind for s in merged.managed]
        return diff_states(current, target, kinds)

    def _target_state(self, current: State, doc: SiteDocument) -> tuple[State, list[Issue]]:
        target: State = {}
        issues: list[Issue] = []
        for spec, position, obj in doc.iter_all():
            if spec.section not in doc.managed:
                continue  # not part of the diff: left exactly as stored
            key = (spec.kind, object_key(spec, obj))
            data = obj.model_dump(mode="json")
            existing = current.get(key)
            if not isinstance(obj, Subscription):
                target[key] = Stored(data)
                continue
            problem = credentials.credentials_problem(obj, is_new=existing is None)
            if problem is not None:
                issues.append(Issue(f"{doc.path(spec.section, position)}.{problem[0]}", problem[1]))
                continue
            sealed = existing.secrets if existing is not None else None
            target[key] = Stored(data, credentials.resolve(self.box, obj, sealed))
        return target, issues

    def export(self) -> SiteDocument:
        """The stored network as a document (secrets are not part of it)."""
        with Session(self.engine) as session:
            document = state_to_document(load_state(session))
        document.managed = {spec.section for spec in KINDS}
        return document

    def subscriber_secrets(self, *, key: SecretBox, actor: str) -> dict[str, tuple[str, str]]:
        """Decrypted K and OPc (hex) per SUPI: only for an explicit export, and audited.

        `key` must be loaded from the key file by the caller, proving they hold it.
        """
        if key.key_id != self.box.key_id:
            raise SecretError(f"key {key.key_id} is not the store's key {self.box.key_id}")
        with Session(self.engine) as session:
            rows = session.execute(
                select(InventoryRow.name, InventoryRow.secrets).where(
                    InventoryRow.kind == "subscription", InventoryRow.secrets.is_not(None)
                )
            ).all()
        result = {}
        for supi, sealed in rows:
            k, opc = credentials.unseal(key, supi, sealed)
            result[supi] = (k.hex(), opc.hex())
        audit.record(
            self.engine,
            actor=actor,
            action="export-subscriber-secrets",
            detail={"subscriptions": len(result), "key_id": key.key_id},
        )
        return result

    def versions(self) -> list[VersionInfo]:
        """All versions, oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(select(VersionRow).order_by(VersionRow.number)).all()
            return [_version_info(row) for row in rows]

    def latest_version(self) -> int:
        """The newest version number (0 when nothing was ever applied)."""
        with Session(self.engine) as session:
            return int(session.scalar(select(func.max(VersionRow.number))) or 0)

    def restore(
        self, number: int, *, author: str, reason: str = "", dry_run: bool = False
    ) -> ApplyResult:
        """Make the network as it was at `number`, recorded as a new version."""
        with Session(self.engine) as session, session.begin():
            latest = int(session.scalar(select(func.max(VersionRow.number))) or 0)
            if not 0 <= number <= latest:
                raise KeyError(f"version {number} does not exist (latest is {latest})")
            current = load_state(session)
            target = dict(current)
            undo(target, _changes_after(session, number))
            plan = diff_states(current, target, BY_KIND)
            if dry_run or plan.empty:
                return ApplyResult(plan, None, dry_run)
            written = write_version(
                session,
                plan,
                author=author,
                reason=reason or f"restore version {number}",
                source="restore",
                restored_from=number,
            )
            return ApplyResult(plan, written, dry_run)


class ConflictError(SiteFileError):
    """Objects that were to be created already exist; nothing was changed."""


def _check_absent(current: State, create_only: Mapping[str, Collection[str]]) -> None:
    issues = [
        Issue(f"{section}[{name}]", f"{BY_SECTION[section].kind} {name!r} already exists")
        for section, names in create_only.items()
        for name in names
        if (BY_SECTION[section].kind, name) in current
    ]
    if issues:
        raise ConflictError(issues)


class MissingError(SiteFileError):
    """Objects that were to be changed do not exist (any more); nothing was changed."""


def _check_present(current: State, must_exist: Mapping[str, Collection[str]]) -> None:
    issues = [
        Issue(f"{section}[{name}]", f"no {BY_SECTION[section].kind} named {name!r}")
        for section, names in must_exist.items()
        for name in names
        if (BY_SECTION[section].kind, name) not in current
    ]
    if issues:
        raise MissingError(issues)


def _upsert(document: SiteDocument, section: str, objects: Sequence[BaseModel]) -> None:
    spec = BY_SECTION[section]
    items = document.sections.setdefault(section, [])
    where = {object_key(spec, obj): index for index, obj in enumerate(items)}
    for obj in objects:
        key = object_key(spec, obj)
        if key in where:
            items[where[key]] = obj
        else:
            where[key] = len(items)
            items.append(obj)


def _delete(document: SiteDocument, section: str, names: set[str]) -> None:
    spec = BY_SECTION[section]
    document.sections[section] = [
        obj for obj in document.objects(section) if object_key(spec, obj) not in names
    ]


def _changes_after(session: Session, number: int) -> list[Change]:
    query = (
        select(ChangeRow)
        .where(ChangeRow.version > number)
        .order_by(ChangeRow.version.desc(), ChangeRow.id.desc())
    )
    return [
        Change(
            ChangeOp(row.op),
            row.kind,
            row.name,
            None if row.before is None else Stored(row.before, row.before_secrets),
            None if row.after is None else Stored(row.after, row.after_secrets),
        )
        for row in session.scalars(query)
    ]


def _version_info(row: VersionRow) -> VersionInfo:
    created = row.created_at
    if created.tzinfo is None:  # SQLite returns naive datetimes; they were written in UTC
        created = created.replace(tzinfo=dt.UTC)
    return VersionInfo(
        row.number,
        created,
        row.author,
        row.reason,
        row.source,
        row.creates,
        row.updates,
        row.deletes,
        row.restored_from,
    )
