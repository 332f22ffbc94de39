"""The dictionaries API: admins manage types and items under ``/dictionaries`` (each route's
derived permission code); every logged-in user reads them under ``/dictionary-data`` (what a
frontend's drop-downs and tags need, served from the caches).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from atrium.core.deps import SessionDep
from atrium.core.errors import UnprocessableEntity
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, access
from atrium.dictionaries import service
from atrium.dictionaries.deps import ItemDep, RuntimeDep, TypeDep
from atrium.dictionaries.errors import DictionaryNotFound
from atrium.dictionaries.schemas import (
    Code,
    DictionaryData,
    DictionaryItemCreate,
    DictionaryItemRead,
    DictionaryItemUpdate,
    DictionaryTypeCreate,
    DictionaryTypeRead,
    DictionaryTypeUpdate,
)

admin = APIRouter(prefix="/dictionaries", tags=["dictionaries"])
data = APIRouter(prefix="/dictionary-data", tags=["dictionaries"])

AUTHENTICATED = access(Access.AUTHENTICATED)
ONE = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 409, 422)


def _type(found: object) -> DictionaryTypeRead:
    return DictionaryTypeRead.model_validate(found, from_attributes=True)


def _item(found: object) -> DictionaryItemRead:
    return DictionaryItemRead.model_validate(found, from_attributes=True)


@admin.get("", responses=error_responses(401, 403, 422))
async def list_types(
    session: SessionDep,
    params: PageParamsDep,
    q: Annotated[str | None, Query(max_length=64, description="Code or name contains")] = None,
    enabled: bool | None = None,
    source: Annotated[
        str | None, Query(max_length=64, description="The domain that seeded it")
    ] = None,
) -> Envelope[Page[DictionaryTypeRead]]:
    """Dictionary types, by code, in pages."""
    found = await service.list_types(session, params, q=q, enabled=enabled, source=source)
    return ok(Page[DictionaryTypeRead].model_validate(found, from_attributes=True))


@admin.post("", status_code=201, responses=WRITE)
async def create_type(
    body: DictionaryTypeCreate, session: SessionDep
) -> Envelope[DictionaryTypeRead]:
    """Create a dictionary type."""
    return ok(_type(await service.create_type(session, body)))


@admin.get("/{type_id}", responses=ONE)
async def get_type(found: TypeDep) -> Envelope[DictionaryTypeRead]:
    """One dictionary type."""
    return ok(_type(found))


@admin.patch("/{type_id}", responses=WRITE)
async def update_type(
    found: TypeDep, body: DictionaryTypeUpdate, session: SessionDep
) -> Envelope[DictionaryTypeRead]:
    """Rename, describe, enable or disable a dictionary type (its code never changes)."""
    return ok(_type(await service.update_type(session, found, body)))


@admin.delete("/{type_id}", responses=error_responses(401, 403, 404, 409))
async def delete_type(found: TypeDep, session: SessionDep) -> Envelope[None]:
    """Delete a dictionary type made by an admin, with its items (a domain's: 409)."""
    await service.delete_type(session, found)
    return ok(None, message="Deleted")


@admin.get("/{type_id}/items", responses=ONE)
async def list_items(found: TypeDep, session: SessionDep) -> Envelope[list[DictionaryItemRead]]:
    """Every item of a dictionary type, disabled ones too, in display order."""
    return ok([_item(item) for item in await service.list_items(session, found)])


@admin.post("/{type_id}/items", status_code=201, responses=WRITE)
async def create_item(
    found: TypeDep, body: DictionaryItemCreate, session: SessionDep
) -> Envelope[DictionaryItemRead]:
    """Add an item to a dictionary type."""
    return ok(_item(await service.create_item(session, found, body)))


@admin.get("/{type_id}/items/{item_id}", responses=ONE)
async def get_item(item: ItemDep) -> Envelope[DictionaryItemRead]:
    """One item of a dictionary type."""
    return ok(_item(item))


@admin.patch("/{type_id}/items/{item_id}", responses=WRITE)
async def update_item(
    item: ItemDep, body: DictionaryItemUpdate, session: SessionDep
) -> Envelope[DictionaryItemRead]:
    """Relabel, reorder, recolour, enable or disable an item (its value never changes)."""
    return ok(_item(await service.update_item(session, item, body)))


@admin.delete("/{type_id}/items/{item_id}", responses=ONE)
async def delete_item(item: ItemDep, session: SessionDep) -> Envelope[None]:
    """Delete an item (records that store its value keep it; screens show the raw value)."""
    await service.delete_item(session, item)
    return ok(None, message="Deleted")


@data.get("", openapi_extra=AUTHENTICATED, responses=error_responses(401, 422))
async def read_many(
    runtime: RuntimeDep,
    codes: Annotated[
        list[Code],
        Query(min_length=1, max_length=500, description="Dictionary codes (repeat the parameter)"),
    ],
) -> Envelope[dict[str, DictionaryData]]:
    """Several enabled dictionaries by code, with their enabled items (unknown codes left out)."""
    limit = runtime.settings.max_codes_per_read
    if len(codes) > limit:
        raise UnprocessableEntity(f"At most {limit} dictionaries per read.")
    return ok(await runtime.reader.read(codes))


@data.get("/{code}", openapi_extra=AUTHENTICATED, responses=error_responses(401, 404, 422))
async def read_one(code: Code, runtime: RuntimeDep) -> Envelope[DictionaryData]:
    """One enabled dictionary by code, with its enabled items in display order."""
    found = (await runtime.reader.read([code])).get(code)
    if found is None:
        raise DictionaryNotFound()
    return ok(found)


# Flat, as RBAC's routers are: nesting costs every request a level of matching.
router = APIRouter()
router.routes.extend([*data.routes, *admin.routes])
