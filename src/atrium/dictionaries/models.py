"""Dictionary types and their items.

A type is named by a ``code`` the frontend asks for (``user_status``); its items are the
values stored in records (``active``) with what a screen shows for them (label, colour or tag,
order). A domain seeds the types its records use through its entry (``Domain.dictionaries``):
those carry the domain's name in ``source``. Codes and values are never changed once made,
since records and frontends refer to them; labels, order, colours and ``enabled`` are.

Revisions are in ``migrations/``, on the Alembic branch ``dictionaries``.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.db import IdMixin, TimestampMixin

CODE_MAX_LENGTH = 64
NAME_MAX_LENGTH = 128
DESCRIPTION_MAX_LENGTH = 500
VALUE_MAX_LENGTH = 128
LABEL_MAX_LENGTH = 128
COLOR_MAX_LENGTH = 32


class DictionaryType(IdMixin, TimestampMixin, table=True):
    """A named list of values (``user_status``); ``source`` is the domain that seeded it."""

    __tablename__ = "dictionary_types"

    code: str = Field(max_length=CODE_MAX_LENGTH, nullable=False, unique=True)
    name: str = Field(max_length=NAME_MAX_LENGTH, nullable=False)
    description: str = Field(default="", max_length=DESCRIPTION_MAX_LENGTH, nullable=False)
    enabled: bool = Field(default=True, nullable=False)
    source: str | None = Field(default=None, max_length=CODE_MAX_LENGTH, nullable=True)


class DictionaryItem(IdMixin, TimestampMixin, table=True):
    """One value of a type: what records store, what screens show."""

    __tablename__ = "dictionary_items"
    __table_args__ = (sa.UniqueConstraint("type_id", "value"),)

    type_id: UUID = Field(
        foreign_key="dictionary_types.id", ondelete="CASCADE", index=True, nullable=False
    )
    value: str = Field(max_length=VALUE_MAX_LENGTH, nullable=False)
    label: str = Field(max_length=LABEL_MAX_LENGTH, nullable=False)
    sort_order: int = Field(default=0, nullable=False)
    # A colour (``#1677ff``) or a tag name a component library knows (``success``).
    color: str = Field(default="", max_length=COLOR_MAX_LENGTH, nullable=False)
    enabled: bool = Field(default=True, nullable=False)
