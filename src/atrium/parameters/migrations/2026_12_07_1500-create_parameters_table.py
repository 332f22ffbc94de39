"""create parameters: typed values administrators change at runtime

Revision ID: 5e0c4a9d2f17
Revises:
Create Date: 2026-12-07 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "5e0c4a9d2f17"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("parameters",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parameters",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameters")),
        sa.UniqueConstraint("key", name=op.f("uq_parameters_key")),
    )


def downgrade() -> None:
    op.drop_table("parameters")
