"""create api_keys table: personal API keys, scoped to their owner's codes

Revision ID: 3c9e1f0a7b21
Revises:
Depends on: e4e5bd1e6a01 (users)
Create Date: 2026-12-03 12:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "3c9e1f0a7b21"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("apikeys",)
# api_keys.user_id references users.id: the users branch comes first.
depends_on: str | Sequence[str] | None = ("e4e5bd1e6a01",)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lookup", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("expires_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.Column("last_used_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_ip", sa.String(length=64), nullable=True),
        sa.Column("last_used_agent", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("lookup", name=op.f("uq_api_keys_lookup")),
    )
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_keys_user_id"), table_name="api_keys")
    op.drop_table("api_keys")
