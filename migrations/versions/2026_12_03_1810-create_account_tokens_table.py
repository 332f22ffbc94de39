"""create account_tokens table: the single-use tokens of account links

Revision ID: 8e1a4c7d2b90
Revises:
Depends on: 5b8f2d6e1c47 (users)
Create Date: 2026-12-03 18:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "8e1a4c7d2b90"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("accounts",)
# account_tokens.user_id references users.id (and pending users need the status column).
depends_on: str | Sequence[str] | None = ("5b8f2d6e1c47",)


def upgrade() -> None:
    op.create_table(
        "account_tokens",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "verify_email",
                "change_email",
                "reset_password",
                "set_password",
                "invitation",
                name="tokenpurpose",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("role_ids", sa.JSON(), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("expires_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
    )
    op.create_index(op.f("ix_account_tokens_user_id"), "account_tokens", ["user_id"])
    op.create_index(op.f("ix_account_tokens_expires_at"), "account_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_account_tokens_expires_at"), table_name="account_tokens")
    op.drop_index(op.f("ix_account_tokens_user_id"), table_name="account_tokens")
    op.drop_table("account_tokens")
