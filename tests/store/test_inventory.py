"""Plan, apply, export, versions and restore against SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openipn.app import Services
from openipn.model.document import SiteFileError
from openipn.secure.secrets import SecretBox
from openipn.sitefile import dump_site_text, parse_site_text
from openipn.store import credentials
from openipn.store.changes import ChangeOp, FieldChange
from openipn.store.inventory import UnconfirmedDeleteError
from openipn.store.schema import ChangeRow, InventoryRow, VersionRow
from openipn.store.versions import VersionQuery

TEST_K = "465b5ce8b199b49faa5f0a2ee238a6bc"  # TS 35.208 test set 1
TEST_OPC = "cd63cb71954a9f4e48a5994e37a02baf"


def without_subscriptions(text: str) -> str:
    """The site text up to its subscriptions section."""
    return text.split("subscriptions:", maxsplit=1)[0]


def row_counts(services: Services) -> tuple[int, int, int]:
    """Objects, versions and change records stored."""
    with Session(services.engine) as session:
        return (
            session.scalar(select(func.count()).select_from(InventoryRow)) or 0,
            session.scalar(select(func.count()).select_from(VersionRow)) or 0,
            session.scalar(select(func.count()).select_from(ChangeRow)) or 0,
        )


def test_apply_then_plan_is_empty(services: Services, minimal_site_text: str) -> None:
    doc = parse_site_text(minimal_site_text)
    first = services.inventory.apply(doc, author="a", reason="first")
    assert first.version == 1
    assert first.plan.counts() == {"create": 13, "update": 0, "delete": 0}
    assert services.inventory.plan(doc).empty
    assert services.inventory.apply(doc, author="a", reason="again").version is None


def test_export_round_trips_to_no_changes(services: Services, minimal_site_text: str) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    exported = dump_site_text(services.inventory.export())
    assert TEST_K not in exported and TEST_OPC not in exported
    assert services.inventory.plan(parse_site_text(exported)).summary() == "no changes"


def test_one_field_edit_is_one_change(services: Services, minimal_site_text: str) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    edited = minimal_site_text.replace("pci: 11, tac: 1", "pci: 11, tac: 1, tx_power_dbm: 21")
    plan = services.inventory.plan(parse_site_text(edited))
    assert [(c.op, c.kind, c.name) for c in plan.changes] == [(ChangeOp.UPDATE, "cell", "C2")]
    assert [(f.field, f.old, f.new) for f in plan.changes[0].fields] == [
        ("tx_power_dbm", 24.0, 21.0)
    ]


def test_invalid_file_changes_nothing(services: Services, minimal_site_text: str) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    before = row_counts(services)
    broken = minimal_site_text.replace("pci: 11", "pci: 10").replace(
        "gnb: GNB1, cell_local_id: 2", "gnb: NOPE, cell_local_id: 2"
    )
    with pytest.raises(SiteFileError) as caught:
        services.inventory.apply(parse_site_text(broken), author="a", reason="bad")
    paths = {issue.path for issue in caught.value.issues}
    assert "cells[C2].gnb" in paths
    assert row_counts(services) == before


def test_absent_section_is_left_alone(services: Services, minimal_site_text: str) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    without_sims = minimal_site_text.split("subscriptions:", maxsplit=1)[0]
    assert services.inventory.plan(parse_site_text(without_sims)).empty


def test_empty_section_deletes(services: Services, minimal_site_text: str) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    text = minimal_site_text.split("subscriptions:", maxsplit=1)[0] + "subscriptions: []\n"
    plan = services.inventory.plan(parse_site_text(text))
    assert [(c.op, c.name) for c in plan.changes] == [(ChangeOp.DELETE, "imsi-999990000000001")]


def test_restore_rebuilds_an_earlier_version(services: Services, minimal_site_text: str) -> None:
    inv = services.inventory
    inv.apply(parse_site_text(minimal_site_text), author="a", reason="v1")
    v1 = dump_site_text(inv.export())
    inv.apply(
        parse_site_text(minimal_site_text.replace("pci: 11", "pci: 12")), author="a", reason="v2"
    )
    inv.apply(
        parse_site_text(
            minimal_site_text.split("subscriptions:", maxsplit=1)[0] + "subscriptions: []"
        ),
        author="a",
        reason="v3",
    )
    result = inv.restore(1, author="b")
    assert result.version == 4
    assert dump_site_text(inv.export()) == v1
    versions = inv.versions()
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert versions[-1].restored_from == 1 and versions[-1].author == "b"
    sealed = _sealed(services, "imsi-999990000000001")
    assert credentials.unseal(services.box, "imsi-999990000000001", sealed)[1].hex() == TEST_OPC


def test_restore_unknown_version(services: Services) -> None:
    with pytest.raises(KeyError, match="does not exist"):
        services.inventory.restore(7, author="a")


def _sealed(services: Services, supi: str) -> dict[str, str]:
    with Session(services.engine) as session:
        row = session.scalars(select(InventoryRow).where(InventoryRow.name == supi)).one()
        assert row.secrets is not None
        return row.secrets


def test_op_is_converted_and_secrets_sealed(services: Services, minimal_site_text: str) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    sealed = _sealed(services, "imsi-999990000000001")
    assert TEST_K not in str(sealed)
    k, opc = credentials.unseal(services.box, "imsi-999990000000001", sealed)
    assert (k.hex(), opc.hex()) == (TEST_K, TEST_OPC)
    with Session(services.engine) as session:
        changes = [str(r.after) + str(r.after_secrets) for r in session.scalars(select(ChangeRow))]
    assert all(TEST_K not in text and TEST_OPC not in text for text in changes)


def test_new_subscription_needs_credentials(services: Services, minimal_site_text: str) -> None:
    text = minimal_site_text.replace(
        ", k: 465b5ce8b199b49faa5f0a2ee238a6bc, op: cdc202d5123e20f62b6d676ac72cb318", ""
    )
    with pytest.raises(SiteFileError) as caught:
        services.inventory.apply(parse_site_text(text), author="a", reason="r")
    assert [i.path for i in caught.value.issues] == ["subscriptions[imsi-999990000000001].k"]


def test_secret_export_is_audited_and_needs_the_key(
    services: Services, minimal_site_text: str
) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    with pytest.raises(Exception, match="not the store's key"):
        services.inventory.subscriber_secrets(key=SecretBox(bytes(16)), actor="eve")
    secrets = services.inventory.subscriber_secrets(key=services.box, actor="officer")
    assert secrets == {"imsi-999990000000001": (TEST_K, TEST_OPC)}
    from openipn.store.audit import entries

    assert [(e.actor, e.action) for e in entries(services.engine)] == [
        ("officer", "export-subscriber-secrets")
    ]


def test_create_only_refuses_existing_keys_inside_the_write(
    services: Services, minimal_site_text: str
) -> None:
    from openipn.model.radio import Cell
    from openipn.store.inventory import ConflictError

    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    before = row_counts(services)
    cell = Cell(
        name="C1", gnb="GNB1", cell_local_id=1, pci=10, tac=1, arfcn_dl=801667, slices=["s1"]
    )
    with pytest.raises(ConflictError) as caught:
        services.inventory.edit(
            upserts={"cells": [cell]}, create_only={"cells": ["C1"]}, author="a", reason="race"
        )
    assert [str(i) for i in caught.value.issues] == ["cells[C1]: cell 'C1' already exists"]
    assert row_counts(services) == before


def test_init_refuses_to_orphan_sealed_secrets(services: Services, minimal_site_text: str) -> None:
    from openipn.app import NotInitialisedError, initialise

    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    settings = services.settings
    key_file = settings.resolved_key_file
    original = key_file.read_bytes()
    key_file.unlink()
    with pytest.raises(NotInitialisedError, match="restore the key file"):
        initialise(settings)
    assert not key_file.exists()
    other = settings.model_copy(update={"key_file": key_file.with_name("other.key")})
    other.resolved_key_file.write_text("00" * 16 + "\n")
    with pytest.raises(NotInitialisedError, match="did not seal the stored credentials"):
        initialise(other)
    key_file.write_bytes(original)
    assert "database schema is up to date" in initialise(settings)


def test_must_exist_refuses_missing_keys_inside_the_write(
    services: Services, minimal_site_text: str
) -> None:
    from openipn.store.inventory import MissingError

    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    before = row_counts(services)
    with pytest.raises(MissingError) as caught:
        services.inventory.edit(
            deletes={"cells": ["C9"]},
            must_exist={"cells": ["C9"]},
            author="a",
            reason="gone meanwhile",
        )
    assert [str(i) for i in caught.value.issues] == ["cells[C9]: no cell named 'C9'"]
    assert row_counts(services) == before


def test_unconfirmed_sim_deletions_are_refused_inside_the_write(
    services: Services, minimal_site_text: str
) -> None:
    """A person confirmed some deletions; a SIM deleted beyond them means the network changed."""
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    before = row_counts(services)
    no_sims = parse_site_text(without_subscriptions(minimal_site_text) + "subscriptions: []\n")
    plan = services.inventory.plan(no_sims)
    assert [(c.kind, c.name) for c in plan.credential_deletes()] == [
        ("subscription", "imsi-999990000000001")
    ]
    with pytest.raises(UnconfirmedDeleteError, match="1 more object"):
        services.inventory.apply(no_sims, author="a", reason="r", confirmed=frozenset())
    with pytest.raises(UnconfirmedDeleteError, match="imsi-999990000000001"):
        services.inventory.restore(0, author="a", confirmed={("cell", "C1")})
    assert row_counts(services) == before
    keys = {(c.kind, c.name) for c in plan.credential_deletes()}
    done = services.inventory.apply(no_sims, author="a", reason="r", confirmed=keys)
    assert done.version == 2 and done.plan.counts()["delete"] == 1


def test_version_queries_and_diffs(services: Services, minimal_site_text: str) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="alice", reason="r")
    edited = minimal_site_text.replace("pci: 11", "pci: 12")
    services.inventory.apply(parse_site_text(edited), author="bob", reason="r")
    bob = services.inventory.versions(VersionQuery.parse(author="bob"))
    assert [v.number for v in bob] == [2] and bob[0].created_at.tzinfo == dt.UTC
    day = bob[0].created_at.date().isoformat()
    assert len(services.inventory.versions(VersionQuery.parse(since=day, until=day))) == 2
    moment = bob[0].created_at
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    assert [v.number for v in services.inventory.versions(VersionQuery.parse(since=local))] == [2]
    assert [v.number for v in services.inventory.versions(VersionQuery.parse(until=local))] == [
        1,
        2,
    ]
    forward, backward = services.inventory.diff(1, 2), services.inventory.diff(2, 1)
    assert [(c.op, c.name, c.fields) for c in forward.changes] == [
        (ChangeOp.UPDATE, "C2", (FieldChange("pci", 11, 12),))
    ]
    assert backward.changes[0].fields == (FieldChange("pci", 12, 11),)
    everything = services.inventory.diff(0, 1)
    assert everything.counts() == {"create": 13, "update": 0, "delete": 0}
    sim = next(c for c in everything.changes if c.kind == "subscription")
    assert FieldChange("k", None, "(new secret)") in sim.fields
    with pytest.raises(KeyError, match="version 3 does not exist"):
        services.inventory.diff(1, 3)


def test_a_reference_to_a_deleted_object_says_so(
    services: Services, minimal_site_text: str
) -> None:
    services.inventory.apply(parse_site_text(minimal_site_text), author="a", reason="r")
    without_gnb = minimal_site_text.replace(
        "gnbs:\n  - {name: GNB1, managed_element: ME-GNB1, gnb_id: 1}\n", "gnbs: []\n"
    )
    assert without_gnb != minimal_site_text
    with pytest.raises(SiteFileError) as caught:
        services.inventory.apply(parse_site_text(without_gnb), author="a", reason="r")
    messages = {issue.path: issue.message for issue in caught.value.issues}
    assert messages["cells[C1].gnb"] == (
        "'GNB1' names no gnb: this change deletes it, and this object still refers to it"
    )
    misspelt = minimal_site_text.replace(
        "gnb: GNB1, cell_local_id: 2", "gnb: GNB-1, cell_local_id: 2"
    )
    with pytest.raises(SiteFileError) as caught:
        services.inventory.apply(parse_site_text(misspelt), author="a", reason="r")
    assert [str(issue) for issue in caught.value.issues] == [
        "cells[C2].gnb: 'GNB-1' names no gnb; did you mean 'GNB1'?"
    ]
