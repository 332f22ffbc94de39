"""The to-do table: a task its owner created, maybe assigned to another user, with a due date.

Its revisions are in ``migrations/``, on the Alembic branch ``todos``; after a change to the
model, ``atrium makemigration MESSAGE --branch todos`` writes the next one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.datascope import Ownership
from atrium.core.db import IdMixin, TimestampMixin, UTCDateTime

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000


class TodoStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TodoPriority(StrEnum):
    """Lowest first: the order ``sort=priority`` uses (``PRIORITY_RANK``)."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_RANK = {priority.value: rank for rank, priority in enumerate(TodoPriority)}


def _enum(values: type[StrEnum]) -> sa.Enum:
    return sa.Enum(
        values,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class Todo(IdMixin, TimestampMixin, table=True):
    """A to-do, its owner (deleted with them) and its assignee (unassigned when they go)."""

    __tablename__ = "todos"

    owner_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False)
    assignee_id: UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True, nullable=True
    )
    title: str = Field(max_length=TITLE_MAX_LENGTH, nullable=False)
    description: str = Field(default="", sa_type=sa.Text, nullable=False)
    status: TodoStatus = Field(
        default=TodoStatus.TODO, sa_type=_enum(TodoStatus), nullable=False, index=True
    )
    priority: TodoPriority = Field(
        default=TodoPriority.NORMAL, sa_type=_enum(TodoPriority), nullable=False
    )
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True, index=True)
    # When the due-date reminder went out (set atomically by the claim; cleared when the due
    # date changes, so the new date gets its own reminder).
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


# Who reaches a to-do: its owner, and the user it is assigned to (``core.datascope``).
TODO_SCOPE = Ownership(owner="owner_id", user_shares=("assignee_id",))
