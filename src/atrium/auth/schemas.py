"""Authentication on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field, RootModel

from atrium.auth.documents import LoginOutcome
from atrium.core.schemas import Schema

Ciphertext = str


class PublicKeyRead(Schema):
    kid: str
    alg: Literal["RSA-OAEP-256"] = "RSA-OAEP-256"
    pem: str = Field(description="SubjectPublicKeyInfo PEM: import with importKey('spki', ...)")
    jwk: dict[str, str]


class LoginRequest(Schema):
    username: str = Field(min_length=1, max_length=320, description="Username or email")
    password: Ciphertext = Field(
        min_length=1,
        max_length=4096,
        description="base64(RSA-OAEP-SHA256(UTF-8 JSON {password, nonce, ts})) with key `kid`",
    )
    kid: str = Field(min_length=1, max_length=128)


class TokenPair(Schema):
    access_token: str
    refresh_token: str | None = Field(
        description="null when it was set as the refresh cookie (`X-Refresh-Cookie: true`)"
    )
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="Access token lifetime, seconds")
    refresh_expires_in: int = Field(description="Refresh token lifetime, seconds")
    refresh_cookie: bool = Field(
        default=False, description="The refresh token is in the httpOnly refresh cookie"
    )


class SecondFactorChallenge(Schema):
    """Step one's answer when the user has a second factor: no tokens yet. Step two posts the
    challenge with a code (``POST /auth/second-factor/login``)."""

    second_factor_required: Literal[True] = True
    challenge: str = Field(description="Single-use, bound to the user; send it with the code")
    expires_in: int = Field(description="Seconds the challenge stays valid")
    methods: list[str] = Field(description="What step two accepts: `totp`, `recovery_code`")


LoginAnswer = TokenPair | SecondFactorChallenge


class LoginResult(RootModel[LoginAnswer]):
    """The login's answer: the token pair, or (a user with a second factor) a challenge for
    step two, with no tokens."""


class RefreshRequest(Schema):
    refresh_token: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        description="Leave out to use the refresh cookie (with `X-Refresh-Cookie: true`)",
    )


class PasswordChange(Schema):
    """Both passwords encrypted exactly like a login's ``password`` (each its own nonce)."""

    current_password: Ciphertext = Field(min_length=1, max_length=4096)
    new_password: Ciphertext = Field(min_length=1, max_length=4096)
    kid: str = Field(min_length=1, max_length=128)


class SessionRead(Schema):
    id: str
    created_at: datetime
    last_used_at: datetime
    user_agent: str
    ip_address: str
    current: bool


class RevokedSessions(Schema):
    revoked: int


class LoginLogRead(Schema):
    id: str
    username: str
    user_id: UUID | None
    outcome: LoginOutcome
    reason: str | None
    method: str
    ip_address: str | None
    user_agent: str | None
    created_at: datetime


class LoginLogFilters(Schema):
    """Which attempts: every filter given must match (``since`` inclusive, ``until`` exclusive)."""

    username: str | None = None
    outcome: LoginOutcome | None = None
    user_id: UUID | None = None
    ip_address: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class SwaggerToken(Schema):
    """The envelope plus the two OAuth2 fields Swagger UI reads (RFC 6749 names)."""

    code: str = "OK"
    message: str = "OK"
    data: TokenPair
    request_id: str | None = None
    access_token: str = Field(serialization_alias="access_token")
    token_type: Literal["bearer"] = Field(default="bearer", serialization_alias="token_type")
