"""The second factor's tables: one TOTP factor per user and its recovery codes (both deleted with
the user).

``secret`` is the TOTP secret encrypted with the configured keys (``secretbox``), never the
secret itself. A factor with ``enabled_at`` unset is an enrolment not yet confirmed: it guards
nothing. Recovery codes are stored as SHA-256 digests (each code carries 80 random bits: there
is nothing to guess) and marked when used, so each works once.

Revisions are in ``migrations/versions`` on the Alembic branch ``twofactor``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.db import IdMixin, TimestampMixin, UTCDateTime
from atrium.core.uow import secret


class SecondFactor(IdMixin, TimestampMixin, table=True):
    """A user's TOTP factor: pending until confirmed with a code (``enabled_at``)."""

    __tablename__ = "second_factors"

    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", unique=True, nullable=False)
    secret: str = Field(
        sa_type=sa.Text, nullable=False, repr=False, sa_column_kwargs={"info": secret()}
    )
    enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    @property
    def is_enabled(self) -> bool:
        return self.enabled_at is not None


class RecoveryCode(IdMixin, table=True):
    """One single-use recovery code of a user, as its digest."""

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False)
    code_hash: str = Field(
        max_length=64, nullable=False, repr=False, sa_column_kwargs={"info": secret()}
    )
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
