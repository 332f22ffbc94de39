"""create todos table

Revision ID: 05c27e198420
Revises:
Depends on: users
Create Date: 2026-12-03 17:41:01.599145+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "05c27e198420"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("todos",)
# todos.owner_id references users.id: the users branch comes first.
depends_on: str | Sequence[str] | None = ("users",)


def upgrade() -> None:
    op.create_table(
        "todos",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_todos_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todos")),
    )
    op.create_index(
        op.f("ix_todos_owner_id"),
        "todos",
        ["owner_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_todos_owner_id"), table_name="todos")
    op.drop_table("todos")
