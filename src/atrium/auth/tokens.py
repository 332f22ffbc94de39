"""Access and refresh tokens: short-lived access JWTs and session-bound refresh JWTs.

Both are signed with auth's ``jwt_secret`` setting and the pinned ``jwt_algorithm``; the ``typ``
claim keeps one from being used as the other. Claims: ``sub`` (user id), ``sid`` (session id),
``jti``, ``iat``, ``exp``, ``typ`` (``access`` or ``refresh``).

An access token is presented on every request of its lifetime, and verifying its signature is
most of what a warm request costs. ``VerifiedTokens`` remembers the claims of the access tokens
this process verified (the exact token string: any other string is verified from scratch), so a
token is decoded once; its expiry is checked on every request all the same, and revocation is
not the token's to say (the session check, after it, runs every time). The cache is bounded: at
``MAX_VERIFIED`` tokens it starts over.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from atrium.auth.errors import AuthTokenExpired, AuthTokenInvalid
from atrium.auth.settings import AuthSettings
from atrium.core.security.jwt import TokenCodec, TokenError, TokenExpired

ACCESS = "access"
REFRESH = "refresh"
MAX_VERIFIED = 10_000


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: UUID
    session_id: str
    jti: str
    expires_at: int  # Unix seconds


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: int


def new_jti() -> str:
    return secrets.token_urlsafe(16)


class VerifiedTokens:
    """``token -> claims`` of access tokens whose signature this process verified."""

    def __init__(self, max_entries: int = MAX_VERIFIED) -> None:
        self.max_entries = max_entries
        self._claims: dict[str, TokenClaims] = {}

    def get(self, token: str) -> TokenClaims | None:
        """The claims, if verified before and not expired; 401 once expired."""
        claims = self._claims.get(token)
        if claims is not None and claims.expires_at <= time.time():  # as PyJWT: exp <= now
            del self._claims[token]
            raise AuthTokenExpired()
        return claims

    def remember(self, token: str, claims: TokenClaims) -> None:
        if len(self._claims) >= self.max_entries:
            self._claims.clear()
        self._claims[token] = claims

    def __len__(self) -> int:
        return len(self._claims)


class TokenService:
    """Issues and reads this deployment's tokens."""

    def __init__(self, settings: AuthSettings) -> None:
        self._codec = TokenCodec(settings.jwt_secret.get_secret_value(), settings.jwt_algorithm)
        self.access_ttl = settings.access_token_ttl_seconds
        self.refresh_ttl = settings.refresh_token_ttl_seconds
        self.verified = VerifiedTokens()

    def issue(
        self, kind: str, user_id: UUID, session_id: str, jti: str | None = None
    ) -> IssuedToken:
        now = int(time.time())
        expires_at = now + (self.access_ttl if kind == ACCESS else self.refresh_ttl)
        jti = jti or new_jti()
        claims = {
            "sub": str(user_id),
            "sid": session_id,
            "jti": jti,
            "typ": kind,
            "iat": now,
            "exp": expires_at,
        }
        return IssuedToken(self._codec.encode(claims), jti, expires_at)

    def read(self, kind: str, token: str) -> TokenClaims:
        """The claims of a valid token of this kind; 401 ``AUTH_TOKEN_EXPIRED`` or
        ``AUTH_TOKEN_INVALID`` otherwise."""
        if kind == ACCESS and (known := self.verified.get(token)) is not None:
            return known
        try:
            claims = _claims(self._codec.decode(token, kind))
        except TokenExpired as exc:
            raise AuthTokenExpired() from exc
        except (TokenError, ValueError, TypeError) as exc:
            raise AuthTokenInvalid() from exc
        if kind == ACCESS:
            self.verified.remember(token, claims)
        return claims


def _claims(claims: dict[str, Any]) -> TokenClaims:
    session_id, jti = claims.get("sid"), claims["jti"]
    if not isinstance(session_id, str) or not isinstance(jti, str) or not session_id:
        raise TokenError("missing session or token id")
    return TokenClaims(UUID(str(claims["sub"])), session_id, jti, int(claims["exp"]))


def as_datetime(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
