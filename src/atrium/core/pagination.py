"""Page and cursor pagination: bounded sizes, stable order, totals for pages."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.errors import InvalidCursor
from atrium.core.schemas import Schema

T = TypeVar("T")
MAX_PAGE_SIZE = 100


class PageParams(Schema):
    page: int = 1
    size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")] = 20,
) -> PageParams:
    return PageParams(page=page, size=size)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


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


class CursorPage(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def cursor_limit(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")] = 20,
) -> int:
    return limit


CursorLimitDep = Annotated[int, Depends(cursor_limit)]


def encode_cursor(position: dict[str, Any]) -> str:
    """An opaque cursor for the position after the last item returned."""
    raw = json.dumps(position, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor stands for; a malformed cursor is a 400."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(value, dict):
        raise InvalidCursor()
    return value
