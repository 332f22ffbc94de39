"""Paging on the HTTP side: the query parameters of numbered and cursor pages, as dependencies.

What a page is and how the stores are read one page at a time is the storage side's:
``atrium.core.pages`` (numbered pages) and ``atrium.core.cursors`` (cursor pages).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from atrium.core.pages import MAX_PAGE_SIZE, PageParams


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")] = 20,
) -> PageParams:
    return PageParams(page=page, size=size)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


def cursor_limit(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")] = 20,
) -> int:
    return limit


CursorLimitDep = Annotated[int, Depends(cursor_limit)]
