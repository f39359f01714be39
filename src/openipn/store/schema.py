"""Relational schema of the model store: objects, versions and their change records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of the model store."""


class InventoryRow(Base):
    """One object of the network model, its attributes as JSON; secrets as SM4-GCM tokens."""

    __tablename__ = "inventory_objects"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_inventory_kind_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    secrets: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    version: Mapped[int] = mapped_column(Integer)


class VersionRow(Base):
    """A numbered version: one applied change set with who, when and why."""

    __tablename__ = "versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))
    creates: Mapped[int] = mapped_column(Integer)
    updates: Mapped[int] = mapped_column(Integer)
    deletes: Mapped[int] = mapped_column(Integer)
    restored_from: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ChangeRow(Base):
    """What one version did to one object, with before and after images."""

    __tablename__ = "version_changes"
    __table_args__ = (Index("ix_version_changes_version", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(ForeignKey("versions.number"))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    op: Mapped[str] = mapped_column(String(8))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    before_secrets: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    after_secrets: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class AuditRow(Base):
    """A security-relevant action (e.g. an export of subscriber secrets)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)


class AlarmRow(Base):
    """An alarm raised by equipment (VES fault) or by the platform (e.g. heartbeat lost).

    One row per alarm instance: identified by (source, object, condition) while active; a clear
    closes it (`cleared_at`), a new raise afterwards opens a new row. Times are event times (UTC).
    """

    __tablename__ = "alarms"
    __table_args__ = (
        Index("ix_alarms_active", "source", "object", "condition", "cleared_at"),
        Index("ix_alarms_raised_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))  # VES sourceName / managed element
    object: Mapped[str] = mapped_column(String(500))  # alarmed object's DN
    condition: Mapped[str] = mapped_column(String(200))  # alarmCondition, e.g. heartbeatLost
    specific_problem: Mapped[str] = mapped_column(String(500))
    event_type: Mapped[str | None] = mapped_column(String(64), nullable=True)  # X.733 type
    probable_cause: Mapped[str | None] = mapped_column(String(200), nullable=True)
    severity: Mapped[str] = mapped_column(String(16))  # CRITICAL … WARNING
    origin: Mapped[str] = mapped_column(String(16))  # "ves" (equipment) or "platform"
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[str | None] = mapped_column(String(200), nullable=True)  # raising event


class TerminalStatusRow(Base):
    """The latest known state of one terminal, from its most recent telemetry report."""

    __tablename__ = "terminal_status"

    terminal: Mapped[str] = mapped_column(String(200), primary_key=True)  # terminal name
    supi: Mapped[str | None] = mapped_column(String(64), nullable=True)
    registered: Mapped[bool] = mapped_column(Boolean)
    connected: Mapped[bool] = mapped_column(Boolean)
    cell: Mapped[str | None] = mapped_column(String(200), nullable=True)  # cell name
    slice: Mapped[str | None] = mapped_column(String(64), nullable=True)  # S-NSSAI text
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    x_m: Mapped[float | None] = mapped_column(Float, nullable=True)  # site-local metres
    y_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)  # further reported fields
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # event time


class CollectorCheckpointRow(Base):
    """How far a consumer of the VES journal has processed (journal position)."""

    __tablename__ = "collector_checkpoints"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DiscoveredRow(Base):
    """An object seen on the wire that the model does not name (kept, never dropped).

    One row per DN as it was seen (made full) and interface that saw it (pm-file, ves,
    prometheus); `names` lists the counters or alarm conditions it carried (at most 50).
    """

    __tablename__ = "discovered_objects"

    dn: Mapped[str] = mapped_column(Text, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # wall clock, UTC
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    names: Mapped[list[str]] = mapped_column(JsonType)
    sightings: Mapped[int] = mapped_column(BigInteger)
