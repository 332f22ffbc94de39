"""Users on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import EmailStr, Field, StringConstraints

from atrium.core.schemas import Schema
from atrium.users.models import UserStatus

# Letters, digits and . _ -; starts with a letter or digit. Compared case-insensitively.
Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=128)]


class UserFields(Schema):
    """Who a new user is (an administrator's creation carries no password: the user sets it)."""

    username: Username
    email: EmailStr = Field(max_length=320)
    display_name: DisplayName = ""
    is_superuser: bool = False


class UserCreate(UserFields):
    # None: an unguessable random password, replaced when the user sets their own.
    password: str | None = Field(default=None, min_length=1, max_length=1024, repr=False)


class UserUpdate(Schema):
    email: EmailStr | None = Field(default=None, max_length=320)
    display_name: DisplayName | None = None


class AdminUserUpdate(UserUpdate):
    is_superuser: bool | None = None


class PasswordReset(Schema):
    """The new password, RSA-OAEP encrypted exactly like a login's (its own nonce)."""

    password: str = Field(
        min_length=1,
        max_length=4096,
        repr=False,
        description="base64(RSA-OAEP-SHA256(UTF-8 JSON {password, nonce, ts})) with key `kid`",
    )
    kid: str = Field(min_length=1, max_length=128)


class UserRead(Schema):
    id: UUID
    username: str
    email: str
    display_name: str
    status: UserStatus
    is_superuser: bool
    last_login_at: datetime | None
    email_verified_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
