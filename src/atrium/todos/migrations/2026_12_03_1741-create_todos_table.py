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
# todos.owner_id and todos.assignee_id reference users.id: the users branch comes first.
depends_on: str | Sequence[str] | None = ("users",)

STATUS = sa.Enum("todo", "in_progress", "done", name="todostatus", native_enum=False, length=16)
PRIORITY = sa.Enum(
    "low", "normal", "high", "urgent", name="todopriority", native_enum=False, length=16
)
INDEXED = ("owner_id", "assignee_id", "status", "due_at")


def upgrade() -> None:
    op.create_table(
        "todos",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("priority", PRIORITY, nullable=False),
        sa.Column("due_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", atrium.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_todos_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_todos_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todos")),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_todos_{column}"), "todos", [column], unique=False)


def downgrade() -> None:
    for column in reversed(INDEXED):
        op.drop_index(op.f(f"ix_todos_{column}"), table_name="todos")
    op.drop_table("todos")
