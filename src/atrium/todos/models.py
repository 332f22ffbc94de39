"""The todos table; each row is owned by the user who created it.

Its revisions are in ``migrations/``, on the Alembic branch ``todos``;
after a change to a model, ``atrium makemigration MESSAGE --branch todos``
writes the next one.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.db import IdMixin, TimestampMixin

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000


class Todo(IdMixin, TimestampMixin, table=True):
    """A todo, and who owns it (deleted with its owner)."""

    __tablename__ = "todos"

    owner_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False)
    title: str = Field(max_length=TITLE_MAX_LENGTH, nullable=False)
    body: str = Field(default="", sa_type=sa.Text, nullable=False)
