"""The parameters domain's queries: every read of its table is here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from atrium.core.pages import Page, PageParams, paginate
from atrium.core.sqltext import starts_with
from atrium.parameters.models import Parameter


async def by_key(session: AsyncSession, key: str) -> Parameter | None:
    query = select(Parameter).where(col(Parameter.key) == key)
    return (await session.execute(query)).scalars().first()


def listing(prefix: str | None, source: str | None, declared: bool | None) -> Select[Any]:
    """Parameters by key; ``declared`` True: a domain's, False: an administrator's."""
    query = select(Parameter).order_by(col(Parameter.key))
    if prefix:
        query = query.where(starts_with(col(Parameter.key), prefix))
    if source is not None:
        query = query.where(col(Parameter.source) == source)
    if declared is not None:
        query = query.where(
            col(Parameter.source).is_not(None) if declared else col(Parameter.source).is_(None)
        )
    return query


async def page(session: AsyncSession, params: PageParams, query: Select[Any]) -> Page[Parameter]:
    found: Page[Parameter] = await paginate(session, query, params)
    return found


async def overridden(session: AsyncSession) -> list[tuple[str, str]]:
    """``(key, JSON text)`` of every parameter holding a value."""
    query = select(col(Parameter.key), col(Parameter.value)).where(
        col(Parameter.value).is_not(None)
    )
    return [(key, value) for key, value in (await session.execute(query)).all() if value]


async def all_keys(session: AsyncSession) -> dict[str, Parameter]:
    rows = (await session.execute(select(Parameter))).scalars().all()
    return {row.key: row for row in rows}
