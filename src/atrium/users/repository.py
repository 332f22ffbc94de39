"""User queries. Username and email compare case-insensitively, through their folded keys."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from atrium.users.models import User, fold


async def get(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def get_by_username(session: AsyncSession, username: str) -> User | None:
    query = select(User).where(col(User.username_key) == fold(username))
    return (await session.execute(query)).scalar_one_or_none()


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    query = select(User).where(col(User.email_key) == fold(email))
    return (await session.execute(query)).scalar_one_or_none()


async def get_by_login(session: AsyncSession, login: str) -> User | None:
    """The user whose username, or else email, is ``login``."""
    user = await get_by_username(session, login)
    if user is None and "@" in login:
        user = await get_by_email(session, login)
    return user


async def count_superusers(session: AsyncSession) -> int:
    query = select(func.count()).select_from(User).where(col(User.is_superuser).is_(True))
    return int((await session.execute(query)).scalar_one())
