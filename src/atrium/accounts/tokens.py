"""Issuing and spending the tokens of account links: ``{id}.{secret}``, the secret stored as
its SHA-256, each spent once.

Refusals each have their own code: a token that is malformed, unknown, altered or of another
flow is ``ACCOUNTS_TOKEN_INVALID``; one spent before ``ACCOUNTS_TOKEN_USED``; one past its
lifetime ``ACCOUNTS_TOKEN_EXPIRED``. Spending is one conditional UPDATE, so two requests with
the same link cannot both succeed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.accounts import repository
from atrium.accounts.errors import TokenExpired, TokenInvalid, TokenUsed
from atrium.accounts.models import AccountToken, TokenPurpose
from atrium.core.clock import utcnow

SECRET_BYTES = 32
TOKEN_MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Issued:
    """A stored token and the text to mail (never stored)."""

    row: AccountToken
    token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue(
    session: AsyncSession,
    purpose: TokenPurpose,
    ttl_seconds: int,
    *,
    user_id: UUID | None = None,
    email: str | None = None,
    role_ids: Collection[UUID] = (),
    invited_by: UUID | None = None,
) -> Issued:
    """A new token for ``purpose``, living ``ttl_seconds``."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = AccountToken(
        purpose=purpose,
        user_id=user_id,
        secret_hash=_digest(secret),
        email=email,
        role_ids=sorted(str(role_id) for role_id in role_ids),
        invited_by=invited_by,
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
    )
    session.add(row)
    await session.flush()
    return Issued(row, f"{row.id.hex}.{secret}")


def _parse(token: str) -> tuple[UUID, str]:
    head, _, secret = token.strip().partition(".")
    if not secret or len(token) > TOKEN_MAX_LENGTH:
        raise TokenInvalid()
    try:
        return UUID(hex=head), secret
    except ValueError as exc:
        raise TokenInvalid() from exc


async def spend(
    session: AsyncSession, token: str, purposes: Collection[TokenPurpose]
) -> AccountToken:
    """The token's row, now spent; 400 ``ACCOUNTS_TOKEN_INVALID`` / ``..._EXPIRED``, 409
    ``ACCOUNTS_TOKEN_USED``."""
    token_id, secret = _parse(token)
    row = await repository.get(session, token_id)
    if row is None or row.purpose not in purposes:
        raise TokenInvalid()
    if not hmac.compare_digest(row.secret_hash, _digest(secret)):
        raise TokenInvalid()
    if row.used_at is not None:
        raise TokenUsed()
    now = utcnow()
    if row.expires_at <= now:
        raise TokenExpired()
    if not await repository.spend(session, row.id, now):
        raise TokenUsed()
    row.used_at = now
    return row
