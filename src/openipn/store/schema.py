"""Relational schema of the model store: objects, versions and their change records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
