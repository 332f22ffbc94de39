"""The menu tree: directories, menus (screens) and buttons."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from atrium.core.deps import SessionDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.rbac import service
from atrium.rbac.schemas import MenuCreate, MenuNode, MenuRead, MenuUpdate

router = APIRouter(prefix="/menus", tags=["menus"])
MenuID = Annotated[UUID, Path()]
NOT_FOUND = error_responses(404)
WRITE_ERRORS = error_responses(404, 409)


@router.get("")
async def tree(session: SessionDep) -> Envelope[list[MenuNode]]:
    """The whole menu tree, ordered."""
    return ok(await service.menu_tree(session))


@router.get("/{menu_id}", responses=NOT_FOUND)
async def get(menu_id: MenuID, session: SessionDep) -> Envelope[MenuRead]:
    """One menu node."""
    return ok(service.menu_read(await service.get_menu(session, menu_id)))


@router.post("", status_code=201, responses=WRITE_ERRORS)
async def create(data: MenuCreate, session: SessionDep) -> Envelope[MenuRead]:
    """Add a node (a button needs a button code and a parent that is not a button)."""
    return ok(service.menu_read(await service.create_menu(session, data)))


@router.patch("/{menu_id}", responses=WRITE_ERRORS)
async def update(menu_id: MenuID, data: MenuUpdate, session: SessionDep) -> Envelope[MenuRead]:
    """Change a node or move it (never under itself)."""
    menu = await service.get_menu(session, menu_id)
    await service.update_menu(session, menu, data)
    return ok(service.menu_read(menu))


@router.delete("/{menu_id}", responses=NOT_FOUND)
async def delete(menu_id: MenuID, session: SessionDep) -> Envelope[None]:
    """Delete a node and everything under it."""
    menu = await service.get_menu(session, menu_id)
    await service.delete_menu(session, menu)
    return ok(None)
