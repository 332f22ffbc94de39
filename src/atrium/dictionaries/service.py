"""The dictionaries domain's rules: types and items, the frontend's read, and seeding.

Functions flush and never commit: the caller's session commits, and the commit hook
(``propagation``) makes every node forget what it cached before the caller goes on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.domain import DictionarySeed
from atrium.core.errors import AppError
from atrium.core.mapping import FieldMap
from atrium.core.pages import Page, PageParams
from atrium.dictionaries import repository
from atrium.dictionaries.errors import (
    DictionaryCodeTaken,
    DictionaryItemNotFound,
    DictionaryNotFound,
    DictionarySeeded,
    DictionaryValueTaken,
)
from atrium.dictionaries.models import DictionaryItem, DictionaryType
from atrium.dictionaries.schemas import (
    DictionaryData,
    DictionaryItemCreate,
    DictionaryItemUpdate,
    DictionaryOption,
    DictionaryTypeCreate,
    DictionaryTypeUpdate,
)

TYPE_CREATE = FieldMap(DictionaryTypeCreate, DictionaryType)
TYPE_UPDATE = FieldMap(DictionaryTypeUpdate, DictionaryType)
ITEM_CREATE = FieldMap(DictionaryItemCreate, DictionaryItem)
ITEM_UPDATE = FieldMap(DictionaryItemUpdate, DictionaryItem)


async def _flush_unique(session: AsyncSession, error: AppError) -> None:
    # Two concurrent creations can both pass the check; the unique index decides.
    try:
        await session.flush()
    except IntegrityError as exc:
        raise error from exc


# --- types -----------------------------------------------------------------------------------


async def list_types(
    session: AsyncSession,
    params: PageParams,
    *,
    q: str | None = None,
    enabled: bool | None = None,
    source: str | None = None,
) -> Page[DictionaryType]:
    """One page of types, by code."""
    return await repository.page_types(session, params, repository.types_query(q, enabled, source))


async def get_type(session: AsyncSession, type_id: UUID) -> DictionaryType:
    """The type; 404 ``DICTIONARY_NOT_FOUND``."""
    found = await repository.get_type(session, type_id)
    if found is None:
        raise DictionaryNotFound()
    return found


async def create_type(session: AsyncSession, data: DictionaryTypeCreate) -> DictionaryType:
    """A new type (made by an admin: no ``source``); 409 if the code is taken."""
    if await repository.types_by_code(session, [data.code]):
        raise DictionaryCodeTaken()
    created = TYPE_CREATE.create(data)
    session.add(created)
    await _flush_unique(session, DictionaryCodeTaken())
    return created


async def update_type(
    session: AsyncSession, found: DictionaryType, data: DictionaryTypeUpdate
) -> DictionaryType:
    TYPE_UPDATE.apply(found, data)
    await session.flush()
    return found


async def delete_type(session: AsyncSession, found: DictionaryType) -> None:
    """Delete an admin's type with its items; 409 ``DICTIONARY_SEEDED`` for a domain's."""
    if found.source is not None:
        raise DictionarySeeded()
    await session.delete(found)
    await session.flush()


# --- items -----------------------------------------------------------------------------------


async def list_items(session: AsyncSession, found: DictionaryType) -> list[DictionaryItem]:
    """Every item of the type (disabled ones too), in display order."""
    return await repository.items_of(session, found.id)


async def get_item(session: AsyncSession, found: DictionaryType, item_id: UUID) -> DictionaryItem:
    """An item of this type; 404 ``DICTIONARY_ITEM_NOT_FOUND``."""
    item = await repository.get_item(session, found.id, item_id)
    if item is None:
        raise DictionaryItemNotFound()
    return item


async def create_item(
    session: AsyncSession, found: DictionaryType, data: DictionaryItemCreate
) -> DictionaryItem:
    """A new item; 409 if the type has one with this value."""
    if data.value in await repository.values_of(session, found.id):
        raise DictionaryValueTaken()
    item = ITEM_CREATE.create(data, type_id=found.id)
    session.add(item)
    await _flush_unique(session, DictionaryValueTaken())
    return item


async def update_item(
    session: AsyncSession, item: DictionaryItem, data: DictionaryItemUpdate
) -> DictionaryItem:
    ITEM_UPDATE.apply(item, data)
    await session.flush()
    return item


async def delete_item(session: AsyncSession, item: DictionaryItem) -> None:
    await session.delete(item)
    await session.flush()


# --- the frontend's read ---------------------------------------------------------------------


async def load_data(session: AsyncSession, codes: Collection[str]) -> dict[str, DictionaryData]:
    """The enabled types among ``codes`` with their enabled items (two queries for all)."""
    types = [found for found in await repository.types_by_code(session, codes) if found.enabled]
    items = await repository.enabled_items_of(session, [found.id for found in types])
    options: dict[UUID, list[DictionaryOption]] = {found.id: [] for found in types}
    for item in items:
        options[item.type_id].append(
            DictionaryOption(
                value=item.value, label=item.label, color=item.color, sort_order=item.sort_order
            )
        )
    return {
        found.code: DictionaryData(code=found.code, name=found.name, items=options[found.id])
        for found in types
    }


# --- seeding ---------------------------------------------------------------------------------


@dataclass(slots=True)
class SeedReport:
    types_added: int = 0
    items_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.types_added or self.items_added)


async def seed(session: AsyncSession, seeds: Iterable[tuple[str, DictionarySeed]]) -> SeedReport:
    """Add the types and items the domains declare (``(domain name, seed)``) that are missing.

    What exists is left as an admin made it (labels, order, colours, enabled): a seed only adds.
    Items get the order they are declared in.
    """
    report = SeedReport()
    for source, declared in seeds:
        existing = await repository.types_by_code(session, [declared.code])
        found = existing[0] if existing else None
        if found is None:
            found = DictionaryType(code=declared.code, name=declared.name, source=source)
            session.add(found)
            await session.flush()
            report.types_added += 1
        values = await repository.values_of(session, found.id)
        for order, item in enumerate(declared.items):
            if item.value not in values:
                session.add(
                    DictionaryItem(
                        type_id=found.id, value=item.value, label=item.label, sort_order=order
                    )
                )
                report.items_added += 1
    await session.flush()
    return report
