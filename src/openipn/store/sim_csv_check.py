"""Checks of SIM rows against each other and against the stored network; what each row does."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from openipn.model.identifiers import PlmnId, imei_tac_snr
from openipn.model.kinds import BY_SECTION
from openipn.model.subscriber_rules import imsi_plmn_problem
from openipn.model.subscribers import Subscription
from openipn.model.suggest import did_you_mean
from openipn.secure.secrets import SecretBox, SecretError
from openipn.store import credentials
from openipn.store.changes import Stored
from openipn.store.schema import InventoryRow
from openipn.store.sim_csv_rows import RowError, SimRow

MAX_LISTED = 10
BATCH = 500
SCAN_ABOVE = 2000  # more SUPIs than this: one scan beats many IN queries


class Outcome(Enum):
    """What importing a row does to the stored subscription (order: report fields)."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"

    @property
    def writes(self) -> bool:
        """True when the row changes the store."""
        return self is not Outcome.UNCHANGED


@dataclass
class StoredSims:
    """The stored facts an import is checked against."""

    supis: set[str] = field(default_factory=set)  # every stored subscription
    subs: dict[str, Stored] = field(default_factory=dict)  # those the file names, in full
    profiles: set[str] = field(default_factory=set)
    iccids: dict[str, str] = field(default_factory=dict)  # ICCID -> SUPI
    imeis: dict[str, str] = field(default_factory=dict)  # IMEI TAC+SNR -> SUPI
    terminals: dict[str, tuple[str, str]] = field(default_factory=dict)  # SUPI -> (name, IMEI)
    plmn: PlmnId | None = None  # the SNPN's PLMN, which every IMSI must carry

    @classmethod
    def load(cls, engine: Engine, supis: Collection[str]) -> StoredSims:
        """Profiles, terminals, every SUPI with its ICCID and IMEI; in full only for `supis`."""
        rows = InventoryRow
        found = cls()
        with Session(engine) as session:
            found.profiles = set(
                session.scalars(select(rows.name).where(rows.kind == "sim_profile"))
            )
            terminals = select(
                rows.name, rows.data["supi"].as_string(), rows.data["imei"].as_string()
            )
            for name, supi, imei in session.execute(terminals.where(rows.kind == "terminal")):
                if supi and imei:
                    found.terminals[supi] = (name, imei)
            subs = select(rows.name, rows.data["iccid"].as_string(), rows.data["imei"].as_string())
            for supi, iccid, imei in session.execute(subs.where(rows.kind == "subscription")):
                found.supis.add(supi)
                if iccid:
                    found.iccids[iccid] = supi
                if imei:
                    found.imeis[imei_tac_snr(imei)] = supi
            found.subs = _full(session, sorted(found.supis.intersection(supis)))
            found.plmn = _stored_plmn(session)
        return found


def _stored_plmn(session: Session) -> PlmnId | None:
    """The stored SNPN's PLMN ID (None before an SNPN is applied)."""
    kind = BY_SECTION["snpn"].kind
    data = session.scalar(select(InventoryRow.data).where(InventoryRow.kind == kind))
    plmn = data.get("plmn") if isinstance(data, dict) else None
    return PlmnId.model_validate(plmn) if isinstance(plmn, dict) else None


def _full(session: Session, supis: list[str]) -> dict[str, Stored]:
    """Data and sealed secrets of the named subscriptions: in batches, or one scan for many."""
    query = select(InventoryRow.name, InventoryRow.data, InventoryRow.secrets)
    query = query.where(InventoryRow.kind == "subscription")
    if len(supis) > SCAN_ABOVE:
        wanted = set(supis)
        rows = session.execute(query)
        return {name: Stored(data, secrets) for name, data, secrets in rows if name in wanted}
    found: dict[str, Stored] = {}
    for start in range(0, len(supis), BATCH):
        names = supis[start : start + BATCH]
        for name, data, secrets in session.execute(query.where(InventoryRow.name.in_(names))):
            found[name] = Stored(data, secrets)
    return found


def _imei_key(sub: Subscription) -> str | None:
    return None if sub.imei is None else imei_tac_snr(sub.imei)


def _iccid_key(sub: Subscription) -> str | None:
    return sub.iccid


def _supi_key(sub: Subscription) -> str | None:
    return sub.supi


def check_rows(
    rows: list[SimRow], id_column: str, stored: StoredSims, *, update: bool
) -> list[RowError]:
    """Duplicates within the file, unknown profiles and conflicts with stored subscriptions."""
    errors = _duplicates(rows, id_column)
    replaced = {row.sub.supi for row in rows if row.sub.supi in stored.supis} if update else set()
    for row in rows:
        errors.extend(_conflicts(row, id_column, stored, update, replaced))
    return errors


def _duplicates(rows: list[SimRow], id_column: str) -> list[RowError]:
    keys: tuple[tuple[str, str, Callable[[Subscription], str | None]], ...] = (
        (id_column, "SUPI", _supi_key),
        ("iccid", "ICCID", _iccid_key),
        ("imei", "IMEI", _imei_key),
    )
    errors: list[RowError] = []
    for column, what, key in keys:
        first: dict[str, SimRow] = {}
        for row in rows:
            value = key(row.sub)
            if value is None:
                continue
            other = first.setdefault(value, row)
            if other is not row:
                shown = getattr(row.sub, "supi" if what == "SUPI" else column)
                message = f"duplicate {what} {shown} (also row {other.number}, line {other.line})"
                errors.append(RowError(row.number, row.line, column, message))
    return errors


def _conflicts(
    row: SimRow, id_column: str, stored: StoredSims, update: bool, replaced: set[str]
) -> list[RowError]:
    sub, problems = row.sub, []
    if sub.supi in stored.supis and not update:
        problems.append(
            (id_column, f"subscription {sub.supi} already exists; import with update to replace it")
        )
    plmn_problem = imsi_plmn_problem(sub.supi, stored.plmn) if stored.plmn else None
    if plmn_problem is not None:
        problems.append((id_column, plmn_problem))
    holder = stored.iccids.get(sub.iccid) if sub.iccid else None
    if holder is not None and holder != sub.supi and holder not in replaced:
        problems.append(("iccid", f"ICCID {sub.iccid} belongs to subscription {holder}"))
    holder = stored.imeis.get(imei_tac_snr(sub.imei)) if sub.imei else None
    if holder is not None and holder != sub.supi and holder not in replaced:
        problems.append(("imei", f"IMEI {sub.imei} is bound to subscription {holder}"))
    terminal = stored.terminals.get(sub.supi)
    if sub.imei and terminal and imei_tac_snr(terminal[1]) != imei_tac_snr(sub.imei):
        problems.append(("imei", f"the SIM sits in terminal {terminal[0]} with IMEI {terminal[1]}"))
    if sub.profile is not None and sub.profile not in stored.profiles:
        problems.append(("profile", _unknown_profile(sub.profile, stored.profiles)))
    return [RowError(row.number, row.line, column, message) for column, message in problems]


def _unknown_profile(name: str, known: set[str]) -> str:
    if not known:
        return f"SIM profile {name!r} does not exist; no SIM profiles are defined"
    near = did_you_mean(name, known)
    if near:
        return f"SIM profile {name!r} does not exist{near}"
    listed = sorted(known)
    more = ", ..." if len(listed) > MAX_LISTED else ""
    return f"SIM profile {name!r} does not exist; known: {', '.join(listed[:MAX_LISTED])}{more}"


def classify(rows: list[SimRow], stored: StoredSims, box: SecretBox) -> list[Outcome]:
    """Whether each (already checked) row creates, updates or leaves its subscription alone."""
    return [_outcome(row, stored.subs.get(row.sub.supi), box) for row in rows]


def _outcome(row: SimRow, before: Stored | None, box: SecretBox) -> Outcome:
    if before is None:
        return Outcome.CREATE
    if before.secrets is None or row.sub.model_dump(mode="json") != before.data:
        return Outcome.UPDATE
    try:
        same = credentials.unseal(box, row.sub.supi, before.secrets) == (row.k, row.opc)
    except (SecretError, KeyError):
        return Outcome.UPDATE  # sealed with another key (or damaged): the store re-seals it
    return Outcome.UNCHANGED if same else Outcome.UPDATE
