"""users: email_verified_at, and the pending status of a registration not yet verified

Revision ID: 5b8f2d6e1c47
Revises: e4e5bd1e6a01
Create Date: 2026-12-03 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "5b8f2d6e1c47"
down_revision: str | None = "e4e5bd1e6a01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The status column is a plain string (no native enum, no CHECK): "pending" needs no DDL.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("email_verified_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    op.execute("UPDATE users SET status = 'disabled' WHERE status = 'pending'")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_verified_at")
