"""System parameters: one row per key.

A row's ``value`` is JSON text, checked against its ``type`` (and, for a declared parameter,
against the declaration's choices and bounds) before it is saved. A parameter a domain declares
(``Domain.parameters``) carries the domain's name in ``source``; its ``value`` is NULL while no
administrator overrides it, and the setting's value applies. One an administrator creates
(``source`` NULL) always holds a value. Keys and types never change once made.

Revisions are in ``migrations/``, on the Alembic branch ``parameters``.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.db import IdMixin, TimestampMixin

KEY_MAX_LENGTH = 128
TYPE_MAX_LENGTH = 16
DESCRIPTION_MAX_LENGTH = 500
SOURCE_MAX_LENGTH = 64


class Parameter(IdMixin, TimestampMixin, table=True):
    """A typed value by dotted key (``accounts.registration``)."""

    __tablename__ = "parameters"

    key: str = Field(max_length=KEY_MAX_LENGTH, nullable=False, unique=True)
    type: str = Field(max_length=TYPE_MAX_LENGTH, nullable=False)
    value: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    description: str = Field(default="", max_length=DESCRIPTION_MAX_LENGTH, nullable=False)
    source: str | None = Field(default=None, max_length=SOURCE_MAX_LENGTH, nullable=True)
    # The user who last changed it (no foreign key: the parameter outlives its editor).
    updated_by: UUID | None = Field(default=None, nullable=True)
