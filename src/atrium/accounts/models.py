"""The ``account_tokens`` table: the single-use, short-lived secrets mailed in account links.

A token is ``{id}.{secret}``: the row is found by its id, and only the SHA-256 of the secret is
stored (a 256-bit random secret needs no slow hash: there is nothing to guess). ``used_at`` is
set when it is spent, and the row is kept until it expires so a second use is told "used", not
"invalid"; the hourly ``accounts.purge_tokens`` deletes expired rows. An email change keeps the
new address in ``email``, an invitation the invited address and its ``role_ids``.

Revisions are in ``migrations/versions`` on the Alembic branch ``accounts``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.db import IdMixin, TimestampMixin, UTCDateTime
from atrium.core.uow import secret


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    CHANGE_EMAIL = "change_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a secret
    SET_PASSWORD = "set_password"  # noqa: S105 - an administrator's new user sets theirs
    INVITATION = "invitation"


_PURPOSE_TYPE = sa.Enum(
    TokenPurpose,
    native_enum=False,
    length=16,
    values_callable=lambda members: [member.value for member in members],
)


class AccountToken(IdMixin, TimestampMixin, table=True):
    """One mailed token (deleted with its user)."""

    __tablename__ = "account_tokens"

    purpose: TokenPurpose = Field(sa_type=_PURPOSE_TYPE, nullable=False)
    user_id: UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="CASCADE", index=True, nullable=True
    )
    secret_hash: str = Field(
        max_length=64, nullable=False, repr=False, sa_column_kwargs={"info": secret()}
    )
    email: str | None = Field(default=None, max_length=320, nullable=True)
    role_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    invited_by: UUID | None = Field(default=None, nullable=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
