"""Initial model store: inventory objects, versions, version changes, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "versions",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("creates", sa.Integer, nullable=False),
        sa.Column("updates", sa.Integer, nullable=False),
        sa.Column("deletes", sa.Integer, nullable=False),
        sa.Column("restored_from", sa.Integer, nullable=True),
    )
    op.create_table(
        "inventory_objects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("secrets", JSON, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("kind", "name", name="uq_inventory_kind_name"),
    )
    op.create_table(
        "version_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.Integer, sa.ForeignKey("versions.number"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("before_secrets", JSON, nullable=True),
        sa.Column("after_secrets", JSON, nullable=True),
    )
    op.create_index("ix_version_changes_version", "version_changes", ["version"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", JSON, nullable=False),
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("audit_log")
    op.drop_index("ix_version_changes_version", "version_changes")
    op.drop_table("version_changes")
    op.drop_table("inventory_objects")
    op.drop_table("versions")
