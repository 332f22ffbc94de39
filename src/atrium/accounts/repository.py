"""Every query of the ``account_tokens`` table (users are the users domain's to query)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.accounts.models import AccountToken, TokenPurpose
from atrium.core.pages import Page, PageParams, paginate
from atrium.users.models import fold

_TOKEN: Any = AccountToken


async def get(session: AsyncSession, token_id: UUID) -> AccountToken | None:
    return await session.get(AccountToken, token_id)


async def spend(session: AsyncSession, token_id: UUID, now: datetime) -> bool:
    """Mark the token used; False when another request spent it first."""
    query = (
        update(AccountToken)
        .where(_TOKEN.id == token_id, _TOKEN.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(query)
    return bool(result.rowcount)


async def spend_all(
    session: AsyncSession, user_id: UUID, purposes: Collection[TokenPurpose], now: datetime
) -> int:
    """Mark every unused token of ``user_id`` for ``purposes`` used; how many."""
    query = (
        update(AccountToken)
        .where(
            _TOKEN.user_id == user_id,
            _TOKEN.purpose.in_(list(purposes)),
            _TOKEN.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(query)
    return int(result.rowcount or 0)


async def live_invitation(session: AsyncSession, email: str, now: datetime) -> AccountToken | None:
    """The newest unused, unexpired invitation of ``email`` (compared case-insensitively)."""
    wanted = fold(email)
    for token in (await session.execute(live_invitations(now))).scalars():
        if token.email is not None and fold(token.email) == wanted:
            return token
    return None


def live_invitations(now: datetime) -> Select[AccountToken]:
    """Every unused, unexpired invitation, newest first."""
    query: Select[AccountToken] = (
        select(AccountToken)
        .where(
            _TOKEN.purpose == TokenPurpose.INVITATION,
            _TOKEN.used_at.is_(None),
            _TOKEN.expires_at > now,
        )
        .order_by(_TOKEN.created_at.desc(), _TOKEN.id.desc())
    )
    return query


async def page_invitations(
    session: AsyncSession, params: PageParams, now: datetime
) -> Page[AccountToken]:
    found: Page[AccountToken] = await paginate(session, live_invitations(now), params)
    return found


async def live_invitation_by_id(
    session: AsyncSession, token_id: UUID, now: datetime
) -> AccountToken | None:
    query = live_invitations(now).where(_TOKEN.id == token_id)
    return (await session.execute(query)).scalars().first()


async def remove(session: AsyncSession, token: AccountToken) -> None:
    await session.delete(token)
    await session.flush()


async def purge(session: AsyncSession, before: datetime) -> int:
    """Delete every token that expired before ``before``; how many."""
    result: Any = await session.execute(delete(AccountToken).where(_TOKEN.expires_at < before))
    return int(result.rowcount or 0)
