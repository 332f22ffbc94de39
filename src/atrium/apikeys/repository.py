"""The API keys domain's queries: every read of ``api_keys`` is here."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from atrium.apikeys.models import ApiKey
from atrium.core.pages import Page, PageParams, paginate


async def get(session: AsyncSession, key_id: UUID) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def by_lookup(session: AsyncSession, lookup: str) -> ApiKey | None:
    """The key a presented string names (the guard's one query on a cold key)."""
    found = await session.execute(select(ApiKey).where(col(ApiKey.lookup) == lookup))
    return found.scalar_one_or_none()


def newest_first(user_id: UUID | None) -> Select[ApiKey]:
    """Every key, or one user's; newest first, the id breaking ties (UUIDv7)."""
    query = select(ApiKey).order_by(col(ApiKey.created_at).desc(), col(ApiKey.id).desc())
    return query if user_id is None else query.where(col(ApiKey.user_id) == user_id)


async def page(session: AsyncSession, user_id: UUID | None, params: PageParams) -> Page[ApiKey]:
    found: Page[ApiKey] = await paginate(session, newest_first(user_id), params)
    return found


async def count_of_user(session: AsyncSession, user_id: UUID) -> int:
    query = select(func.count()).select_from(ApiKey).where(col(ApiKey.user_id) == user_id)
    return int((await session.execute(query)).scalar_one())
