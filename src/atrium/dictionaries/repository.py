"""The dictionaries domain's queries: every read of its tables is here."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from atrium.core.pages import Page, PageParams, paginate
from atrium.core.sqltext import contains
from atrium.dictionaries.models import DictionaryItem, DictionaryType


async def get_type(session: AsyncSession, type_id: UUID) -> DictionaryType | None:
    return await session.get(DictionaryType, type_id)


async def types_by_code(session: AsyncSession, codes: Collection[str]) -> list[DictionaryType]:
    if not codes:
        return []
    query = select(DictionaryType).where(col(DictionaryType.code).in_(list(codes)))
    return list((await session.execute(query)).scalars().all())


def types_query(q: str | None, enabled: bool | None, source: str | None) -> Select[Any]:
    """Types by code, the id breaking ties; ``q`` matches code or name (case-insensitively)."""
    query = select(DictionaryType).order_by(col(DictionaryType.code), col(DictionaryType.id))
    if q:
        query = query.where(
            contains(col(DictionaryType.code), q) | contains(col(DictionaryType.name), q)
        )
    if enabled is not None:
        query = query.where(col(DictionaryType.enabled) == enabled)
    if source is not None:
        query = query.where(col(DictionaryType.source) == source)
    return query


async def page_types(
    session: AsyncSession, params: PageParams, query: Select[Any]
) -> Page[DictionaryType]:
    found: Page[DictionaryType] = await paginate(session, query, params)
    return found


def _items_in_order(type_ids: Collection[UUID]) -> Select[Any]:
    return (
        select(DictionaryItem)
        .where(col(DictionaryItem.type_id).in_(list(type_ids)))
        .order_by(col(DictionaryItem.sort_order), col(DictionaryItem.value), col(DictionaryItem.id))
    )


async def items_of(session: AsyncSession, type_id: UUID) -> list[DictionaryItem]:
    """Every item of a type (disabled ones too), in display order."""
    return list((await session.execute(_items_in_order([type_id]))).scalars().all())


async def enabled_items_of(
    session: AsyncSession, type_ids: Collection[UUID]
) -> list[DictionaryItem]:
    """The enabled items of several types, in display order (one query)."""
    if not type_ids:
        return []
    query = _items_in_order(type_ids).where(col(DictionaryItem.enabled).is_(True))
    return list((await session.execute(query)).scalars().all())


async def get_item(session: AsyncSession, type_id: UUID, item_id: UUID) -> DictionaryItem | None:
    item = await session.get(DictionaryItem, item_id)
    return item if item is not None and item.type_id == type_id else None


async def values_of(session: AsyncSession, type_id: UUID) -> set[str]:
    query = select(col(DictionaryItem.value)).where(col(DictionaryItem.type_id) == type_id)
    return set((await session.execute(query)).scalars().all())
