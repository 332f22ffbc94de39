"""Every query of the users table: no other domain builds one (``tests/users/test_layering.py``).

Username and email compare case-insensitively, through their folded keys. A domain that needs
users filtered by its own tables passes a selectable of user ids (``among``): the list stays one
SQL query, and the users domain never reads the other domain's tables.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.sqltext import contains
from atrium.users.models import User, UserStatus, fold

# The table's columns typed for SQLAlchemy expressions (SQLModel fields are not).
_USER: Any = User


async def get(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def get_by_username(session: AsyncSession, username: str) -> User | None:
    query = select(User).where(_USER.username_key == fold(username))
    return (await session.execute(query)).scalar_one_or_none()


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    query = select(User).where(_USER.email_key == fold(email))
    return (await session.execute(query)).scalar_one_or_none()


async def get_by_login(session: AsyncSession, login: str) -> User | None:
    """The user whose username, or else email, is ``login``."""
    user = await get_by_username(session, login)
    if user is None and "@" in login:
        user = await get_by_email(session, login)
    return user


async def count_superusers(session: AsyncSession) -> int:
    query = select(func.count()).select_from(User).where(_USER.is_superuser.is_(True))
    return int((await session.execute(query)).scalar_one())


async def counts(session: AsyncSession, start: datetime, end: datetime) -> tuple[int, int]:
    """``(all users, users created in [start, end))``, in one query (the dashboard's figures)."""
    created = _USER.created_at >= start
    query = select(func.count(), func.count().filter(created, _USER.created_at < end))
    total, new = (await session.execute(query.select_from(User))).one()
    return int(total), int(new)


async def count_other_active_superusers(session: AsyncSession, user_id: UUID) -> int:
    query = (
        select(func.count())
        .select_from(User)
        .where(_USER.is_superuser.is_(True), _USER.status == UserStatus.ACTIVE, _USER.id != user_id)
    )
    return int((await session.execute(query)).scalar_one())


async def flags(session: AsyncSession, user_id: UUID) -> tuple[UserStatus, bool] | None:
    """The user's status and superuser flag (None for no such user), without the row."""
    query = select(_USER.status, _USER.is_superuser).where(_USER.id == user_id)
    row = (await session.execute(query)).first()
    return None if row is None else (UserStatus(row[0]), bool(row[1]))


async def delete_unverified(session: AsyncSession, registered_before: datetime) -> int:
    """Delete the pending users who never verified their address and registered before
    ``registered_before``; how many."""
    query = delete(User).where(
        _USER.status == UserStatus.PENDING,
        _USER.email_verified_at.is_(None),
        _USER.created_at < registered_before,
    )
    result: Any = await session.execute(query.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


async def usernames(session: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, str]:
    if not user_ids:
        return {}
    query = select(_USER.id, _USER.username).where(_USER.id.in_(list(user_ids)))
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def existing_ids(session: AsyncSession, user_ids: Collection[UUID]) -> set[UUID]:
    """Those of ``user_ids`` that are users."""
    if not user_ids:
        return set()
    query = select(_USER.id).where(_USER.id.in_(list(user_ids)))
    return set((await session.execute(query)).scalars())


def _contains(text: str) -> ColumnElement[bool]:
    return or_(
        contains(_USER.username, text),
        contains(_USER.email, text),
        contains(_USER.display_name, text),
    )


def list_query(
    q: str | None = None,
    status: UserStatus | None = None,
    is_superuser: bool | None = None,
    among: Select[Any] | None = None,
) -> Select[Any]:
    """Users, newest first, filtered; ``among`` (a select of user ids) keeps only those."""
    query = select(User).order_by(_USER.created_at.desc(), _USER.id.desc())
    if q:
        query = query.where(_contains(q))
    if status is not None:
        query = query.where(_USER.status == status)
    if is_superuser is not None:
        query = query.where(_USER.is_superuser.is_(is_superuser))
    if among is not None:
        query = query.where(_USER.id.in_(among))
    return query
