"""The ``api_keys`` table: one row per key, owned by a user (deleted with them).

The secret is never stored: ``secret_hash`` is the SHA-256 of the whole key (a 256-bit random
secret needs no slow hash: there is nothing to guess), ``lookup`` the public part of the key the
guard finds the row by. ``scopes`` are normalised codes and patterns. A revoked key keeps its row
(``revoked_at``) until its owner deletes it, so its owner sees when and by whom.

Revisions are in ``migrations/versions`` on the Alembic branch ``apikeys``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.db import IdMixin, TimestampMixin, UTCDateTime
from atrium.core.uow import secret

NAME_MAX_LENGTH = 100
LOOKUP_LENGTH = 16
ADDRESS_MAX_LENGTH = 64
AGENT_MAX_LENGTH = 256


class ApiKey(IdMixin, TimestampMixin, table=True):
    """A personal API key."""

    __tablename__ = "api_keys"

    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False)
    name: str = Field(max_length=NAME_MAX_LENGTH, nullable=False)
    lookup: str = Field(max_length=LOOKUP_LENGTH, nullable=False, unique=True)
    secret_hash: str = Field(
        max_length=64, nullable=False, repr=False, sa_column_kwargs={"info": secret()}
    )
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_by: UUID | None = Field(default=None, nullable=True)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_used_ip: str | None = Field(default=None, max_length=ADDRESS_MAX_LENGTH, nullable=True)
    last_used_agent: str | None = Field(default=None, max_length=AGENT_MAX_LENGTH, nullable=True)
