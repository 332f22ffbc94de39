"""create users table

Revision ID: e4e5bd1e6a01
Revises:
Create Date: 2026-11-22 05:17:09.947405+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "e4e5bd1e6a01"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("users",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=640), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "disabled", name="userstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        # Case-insensitive uniqueness: the *_key columns hold the folded username and email.
        sa.UniqueConstraint("username_key", name=op.f("uq_users_username_key")),
        sa.UniqueConstraint("email_key", name=op.f("uq_users_email_key")),
    )


def downgrade() -> None:
    op.drop_table("users")
