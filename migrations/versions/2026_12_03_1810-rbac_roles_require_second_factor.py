"""rbac: a role may require a second factor of its holders

Revision ID: 8e1f3b6a2c47
Revises: b7c41d2e9f05
Create Date: 2026-12-03 18:10:00+00:00

``roles.require_second_factor``: an active role with it set makes its holders log in with a
second factor (the twofactor domain reads it at login). Every existing role keeps today's
behaviour (false).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e1f3b6a2c47"
down_revision: str | None = "b7c41d2e9f05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "roles",
        sa.Column("require_second_factor", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("require_second_factor")
