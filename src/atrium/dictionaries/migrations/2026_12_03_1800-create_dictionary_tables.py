"""create dictionary_types and dictionary_items: the value lists behind frontends' drop-downs

Revision ID: b6dc710190c3
Revises:
Create Date: 2026-12-03 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "b6dc710190c3"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("dictionaries",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dictionary_types",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dictionary_types")),
        sa.UniqueConstraint("code", name=op.f("uq_dictionary_types_code")),
    )
    op.create_table(
        "dictionary_items",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["dictionary_types.id"],
            name=op.f("fk_dictionary_items_type_id_dictionary_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dictionary_items")),
        sa.UniqueConstraint("type_id", "value", name=op.f("uq_dictionary_items_type_id_value")),
    )
    op.create_index(
        op.f("ix_dictionary_items_type_id"), "dictionary_items", ["type_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dictionary_items_type_id"), table_name="dictionary_items")
    op.drop_table("dictionary_items")
    op.drop_table("dictionary_types")
