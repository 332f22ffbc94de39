"""Account flows on the wire. Every password is RSA-OAEP encrypted exactly like a login's
(``{password, nonce, ts}`` JSON, its own nonce) with the key ``kid``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import EmailStr, Field

from atrium.core.schemas import Schema
from atrium.users.schemas import DisplayName, Username

CIPHERTEXT = "base64(RSA-OAEP-SHA256(UTF-8 JSON {password, nonce, ts})) with key `kid`"
MAX_ROLES = 100


Ciphertext = Annotated[str, Field(min_length=1, max_length=4096, description=CIPHERTEXT)]
Token = Annotated[str, Field(min_length=1, max_length=200, description="The mailed link's token")]
Kid = Annotated[str, Field(min_length=1, max_length=128, description="The public key's id")]


class Registration(Schema):
    username: Username
    email: EmailStr = Field(max_length=320)
    display_name: DisplayName = ""
    password: Ciphertext
    kid: Kid


class TokenBody(Schema):
    token: Token


class ResendVerification(Schema):
    email: EmailStr = Field(max_length=320)


class ForgotPassword(Schema):
    login: str = Field(min_length=1, max_length=320, description="Username or email")


class PasswordResetByToken(Schema):
    token: Token
    password: Ciphertext
    kid: Kid


class EmailChange(Schema):
    email: EmailStr = Field(max_length=320, description="The new address")
    current_password: Ciphertext
    kid: Kid


class InvitationCreate(Schema):
    email: EmailStr = Field(max_length=320)
    role_ids: list[UUID] = Field(default_factory=list, max_length=MAX_ROLES)


class InvitationRead(Schema):
    id: UUID
    email: str
    role_ids: list[UUID]
    expires_at: datetime
    invited_by: UUID | None = None
    created_at: datetime | None = None


class InvitationAccept(Schema):
    token: Token
    username: Username
    display_name: DisplayName = ""
    password: Ciphertext
    kid: Kid


class AccountCreated(Schema):
    user_id: UUID
    username: str


class Accepted(Schema):
    """The same answer whether or not an account exists: what happens next comes by mail."""

    accepted: bool = True
