"""The few SQL reads realtime needs."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from atrium.users.models import User


async def usernames(session: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, str]:
    if not user_ids:
        return {}
    query = select(col(User.id), col(User.username)).where(col(User.id).in_(list(user_ids)))
    return {row[0]: row[1] for row in (await session.execute(query)).all()}
