"""The user table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.db import IdMixin, TimestampMixin, UTCDateTime
from atrium.core.uow import secret


class UserStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    # Registered, email not verified yet: cannot log in until the address is confirmed.
    PENDING = "pending"


_STATUS_TYPE = sa.Enum(
    UserStatus,
    native_enum=False,
    length=16,
    values_callable=lambda members: [member.value for member in members],
)


def fold(value: str) -> str:
    """The case-insensitive form of a username or email, as stored in the ``*_key`` columns."""
    return value.strip().casefold()


class User(IdMixin, TimestampMixin, table=True):
    """A person or service that logs in. Username and email are unique, case-insensitively:
    the ``*_key`` columns hold their folded forms (kept in sync on every flush) and are unique.
    """

    __tablename__ = "users"

    username: str = Field(max_length=64, nullable=False)
    username_key: str = Field(default="", max_length=64, nullable=False, unique=True)
    email: str = Field(max_length=320, nullable=False)
    # Folding can lengthen some characters (e.g. the German sharp s), hence the room.
    email_key: str = Field(default="", max_length=640, nullable=False, unique=True)
    password_hash: str = Field(
        max_length=255, nullable=False, repr=False, sa_column_kwargs={"info": secret()}
    )
    display_name: str = Field(default="", max_length=128, nullable=False)
    status: UserStatus = Field(default=UserStatus.ACTIVE, sa_type=_STATUS_TYPE, nullable=False)
    is_superuser: bool = Field(default=False, nullable=False)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # When the owner last proved the address is theirs (a verification or email-change link).
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE

    @property
    def is_pending(self) -> bool:
        return self.status == UserStatus.PENDING


@sa.event.listens_for(User, "before_insert")
@sa.event.listens_for(User, "before_update")
def _fold_keys(_mapper: object, _connection: object, user: User) -> None:
    # Folded in Python, not with SQL lower(): the same on every database and for all of Unicode.
    user.username_key = fold(user.username)
    user.email_key = fold(user.email)
