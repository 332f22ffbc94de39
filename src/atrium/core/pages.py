"""Numbered pages for the storage side: bounded sizes, stable order, a total count.

The HTTP side (query parameters, FastAPI dependencies) is ``atrium.core.pagination``; this
module imports no web framework, so beat and the CLI can page without it.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.schemas import Schema

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class PageParams(Schema):
    page: int = 1
    size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class Page(Schema, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int
    pages: int


def make_page(items: list[T], total: int, params: PageParams) -> Page[T]:
    pages = (total + params.size - 1) // params.size if total else 0
    return Page[T](items=items, total=total, page=params.page, size=params.size, pages=pages)


async def paginate(session: AsyncSession, query: Select[Any], params: PageParams) -> Page[Any]:
    """Run ``query`` (which must carry a stable ORDER BY) for one page, with the total count."""
    count_query = select(func.count()).select_from(query.order_by(None).subquery())
    total = (await session.execute(count_query)).scalar_one()
    rows = (await session.execute(query.offset(params.offset).limit(params.size))).scalars()
    return make_page(list(rows), total, params)
