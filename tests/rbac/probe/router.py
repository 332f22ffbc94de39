from __future__ import annotations

from fastapi import APIRouter

from atrium.core.responses import Envelope, ok
from atrium.core.routing import Access, access

router = APIRouter(prefix="/probe", tags=["probe"])


@router.get("/alpha")
async def alpha() -> Envelope[str]:
    """Needs GET:/api/v1/probe/alpha."""
    return ok("alpha")


@router.get("/beta")
async def beta() -> Envelope[str]:
    """Needs GET:/api/v1/probe/beta."""
    return ok("beta")


@router.get("/items/{item_id}")
async def item(item_id: str) -> Envelope[str]:
    """Needs GET:/api/v1/probe/items/{item_id}."""
    return ok(item_id)


@router.delete("/items/{item_id}")
async def delete_item(item_id: str) -> Envelope[str]:
    """Needs DELETE:/api/v1/probe/items/{item_id}."""
    return ok(item_id)


@router.get("/whoami", openapi_extra=access(Access.AUTHENTICATED))
async def whoami() -> Envelope[str]:
    """Any logged-in user."""
    return ok("you")


@router.get("/open", openapi_extra=access(Access.PUBLIC))
async def open_route() -> Envelope[str]:
    """Anyone."""
    return ok("open")
