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


class UserCreate(Schema):
    username: Username
    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=1024, repr=False)
    display_name: DisplayName = ""
    is_superuser: bool = False


class UserUpdate(Schema):
    email: EmailStr | None = Field(default=None, max_length=320)
    display_name: DisplayName | None = None


class AdminUserUpdate(UserUpdate):
    is_superuser: bool | None = None


class PasswordReset(Schema):
    password: str = Field(min_length=1, max_length=1024, repr=False)


class UserRead(Schema):
    id: UUID
    username: str
    email: str
    display_name: str
    status: UserStatus
    is_superuser: bool
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
