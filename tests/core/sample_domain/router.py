from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import Field
from redis.exceptions import ConnectionError as RedisConnectionError

from atrium.core.clock import utcnow
from atrium.core.ids import uuid7
from atrium.core.pages import Page, make_page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, ok
from atrium.core.routing import Access, access
from atrium.core.schemas import Schema
from tests.core.sample_domain.errors import SampleTaken

router = APIRouter(prefix="/sample", tags=["sample"])
PUBLIC = access(Access.PUBLIC)


class ItemCreate(Schema):
    display_name: str
    quantity: Annotated[int, Field(ge=1)]


class ItemRead(Schema):
    id: UUID
    display_name: str
    quantity: int
    created_at: datetime


@router.post("/items", openapi_extra=PUBLIC, status_code=201)
async def create(body: ItemCreate) -> Envelope[ItemRead]:
    """Echo an item back with an id and a timestamp."""
    item = ItemRead(
        id=uuid7(), display_name=body.display_name, quantity=body.quantity, created_at=utcnow()
    )
    return ok(item)


@router.get("/items", openapi_extra=PUBLIC)
async def list_items(params: PageParamsDep) -> Envelope[Page[int]]:
    """Numbers 1..45 in pages."""
    numbers = list(range(1, 46))[params.offset : params.offset + params.size]
    return ok(make_page(numbers, 45, params))


@router.get("/items/{item_id}/code", openapi_extra=PUBLIC)
async def code(item_id: int, request: Request) -> Envelope[str | None]:
    """The permission code the catalogue gives the matched route at request time."""
    info = request.app.state.catalogue.for_scope(request.scope)
    return ok(info.code if info else None)


@router.get("/conflict", openapi_extra=PUBLIC)
async def conflict() -> Envelope[None]:
    """Always an expected error."""
    raise SampleTaken()


@router.get("/boom", openapi_extra=PUBLIC)
async def boom() -> Envelope[None]:
    """Always a bug."""
    raise RuntimeError("secret internals: password=hunter2")


@router.get("/store-down", openapi_extra=PUBLIC)
async def store_down() -> Envelope[None]:
    """Meets a Redis that does not answer (an outage, not a bug)."""
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


@router.get("/protected")
async def protected() -> Envelope[None]:
    """Needs a permission (no policy installed in the foundation)."""
    return ok(None)
