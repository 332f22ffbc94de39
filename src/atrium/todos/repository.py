"""The todos domain's queries: every read of its table is here."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from atrium.core.pages import Page, PageParams, paginate
from atrium.todos.models import Todo


async def get(session: AsyncSession, todo_id: UUID) -> Todo | None:
    return await session.get(Todo, todo_id)


def newest_first(owner_id: UUID | None) -> Select[Todo]:
    """All rows, or one owner's; newest first, the id breaking ties (UUIDv7)."""
    query = select(Todo).order_by(col(Todo.created_at).desc(), col(Todo.id).desc())
    return query if owner_id is None else query.where(col(Todo.owner_id) == owner_id)


async def page(session: AsyncSession, owner_id: UUID | None, params: PageParams) -> Page[Todo]:
    return await paginate(session, newest_first(owner_id), params)


async def count_by_owner(session: AsyncSession) -> dict[UUID, int]:
    """How many todos each owner has (owners with none are not listed)."""
    owner = col(Todo.owner_id)
    rows = await session.execute(select(owner, func.count()).group_by(owner))
    return dict(rows.all())
