"""The model store as a service: plan, apply, export, versions and restore.

Every applied change becomes a numbered version whose change records hold before and after
images, so any earlier version can be rebuilt by undoing the later ones.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from openipn.model.document import Issue, SiteDocument, SiteFileError
from openipn.model.kinds import BY_KIND, BY_SECTION, KINDS, object_key
from openipn.model.subscribers import Subscription
from openipn.model.validation import document_warnings, validate_document
from openipn.secure.secrets import SecretBox, SecretError
from openipn.store import audit, credentials
from openipn.store.changes import Key, Plan, State, Stored, diff_states, undo
from openipn.store.schema import InventoryRow, VersionRow
from openipn.store.versions import (
    VersionInfo,
    VersionQuery,
    changes_after,
    list_versions,
    version_diff,
)
from openipn.store.writer import write_version


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


def removed_keys(current: State, doc: SiteDocument) -> dict[str, set[str]]:
    """Per managed section, the stored keys the document no longer has (it deletes them)."""
    kept = {BY_SECTION[section].kind: set(doc.index(section)) for section in doc.managed}
    removed: dict[str, set[str]] = {}
    for kind, name in current:
        if kind in kept and name not in kept[kind]:
            removed.setdefault(BY_KIND[kind].section, set()).add(name)
    return removed


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
        confirmed: Collection[Key] | None = None,
    ) -> ApplyResult:
        """Apply a site document in one transaction: all or nothing.

        With `confirmed` (the keys a person agreed to delete), deleting any other object that
        holds SIM credentials is refused: the network changed after the plan was shown.
        """
        with Session(self.engine) as session, session.begin():
            plan = self._plan(load_state(session), desired)
            if dry_run or plan.empty:
                return ApplyResult(plan, None, dry_run)
            _check_confirmed(plan, confirmed)
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
        merged.removed = removed_keys(current, merged)
        issues = merged.issues + validate_document(merged)
        target, secret_issues = self._target_state(current, merged)
        issues.extend(secret_issues)
        if issues:
            raise SiteFileError(issues)
        kinds = [BY_SECTION[s].kind for s in merged.managed]
        plan = diff_states(current, target, kinds)
        plan.warnings = document_warnings(merged)
        return plan

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

    def versions(self, query: VersionQuery | None = None) -> list[VersionInfo]:
        """The versions that match the query (all by default), oldest first."""
        with Session(self.engine) as session:
            return list_versions(session, query)

    def diff(self, old: int, new: int) -> Plan:
        """What changed from version `old` to version `new` (either order), every attribute."""
        with Session(self.engine) as session:
            latest = int(session.scalar(select(func.max(VersionRow.number))) or 0)
            for number in (old, new):
                if not 0 <= number <= latest:
                    raise KeyError(f"version {number} does not exist (latest is {latest})")
            return version_diff(session, load_state(session), old, new)

    def latest_version(self) -> int:
        """The newest version number (0 when nothing was ever applied)."""
        with Session(self.engine) as session:
            return int(session.scalar(select(func.max(VersionRow.number))) or 0)

    def restore(
        self,
        number: int,
        *,
        author: str,
        reason: str = "",
        dry_run: bool = False,
        confirmed: Collection[Key] | None = None,
    ) -> ApplyResult:
        """Make the network as it was at `number`, recorded as a new version (see `apply`)."""
        with Session(self.engine) as session, session.begin():
            latest = int(session.scalar(select(func.max(VersionRow.number))) or 0)
            if not 0 <= number <= latest:
                raise KeyError(f"version {number} does not exist (latest is {latest})")
            current = load_state(session)
            target = dict(current)
            undo(target, changes_after(session, number))
            plan = diff_states(current, target, BY_KIND)
            plan.warnings = document_warnings(state_to_document(target))
            if dry_run or plan.empty:
                return ApplyResult(plan, None, dry_run)
            _check_confirmed(plan, confirmed)
            written = write_version(
                session,
                plan,
                author=author,
                reason=reason or f"restore version {number}",
                source="restore",
                restored_from=number,
            )
            return ApplyResult(plan, written, dry_run)


class UnconfirmedDeleteError(ValueError):
    """A write would delete SIM credentials nobody confirmed; nothing was changed."""


def _check_confirmed(plan: Plan, confirmed: Collection[Key] | None) -> None:
    if confirmed is None:
        return
    allowed = set(confirmed)
    unconfirmed = [c.name for c in plan.credential_deletes() if (c.kind, c.name) not in allowed]
    if unconfirmed:
        shown = ", ".join(unconfirmed[:3]) + (", ..." if len(unconfirmed) > 3 else "")
        raise UnconfirmedDeleteError(
            f"the network changed after the plan was shown: {len(unconfirmed)} more object(s) "
            f"holding SIM credentials would be deleted ({shown}); nothing was changed"
        )


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
