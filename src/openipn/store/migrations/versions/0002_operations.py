"""Operations: alarms, terminal status, VES journal checkpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("object", sa.String(500), nullable=False),
        sa.Column("condition", sa.String(200), nullable=False),
        sa.Column("specific_problem", sa.String(500), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=True),
        sa.Column("probable_cause", sa.String(200), nullable=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=True),
    )
    op.create_index("ix_alarms_active", "alarms", ["source", "object", "condition", "cleared_at"])
    op.create_index("ix_alarms_raised_at", "alarms", ["raised_at"])
    op.create_table(
        "terminal_status",
        sa.Column("terminal", sa.String(200), primary_key=True),
        sa.Column("supi", sa.String(64), nullable=True),
        sa.Column("registered", sa.Boolean, nullable=False),
        sa.Column("connected", sa.Boolean, nullable=False),
        sa.Column("cell", sa.String(200), nullable=True),
        sa.Column("slice", sa.String(64), nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=True),
        sa.Column("x_m", sa.Float, nullable=True),
        sa.Column("y_m", sa.Float, nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "collector_checkpoints",
        sa.Column("consumer", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("collector_checkpoints")
    op.drop_table("terminal_status")
    op.drop_index("ix_alarms_raised_at", "alarms")
    op.drop_index("ix_alarms_active", "alarms")
    op.drop_table("alarms")
