"""Roles: CRUD, their grants and menus, and the caller's own roles.

Every change passes the delegation rule: the caller's grants cover the role's grants before and
after (403 ``DELEGATION_EXCEEDS_GRANTS``).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from atrium.auth.deps import CurrentPrincipal
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, access
from atrium.rbac import repository, service
from atrium.rbac.deps import ActorDep
from atrium.rbac.models import RoleStatus
from atrium.rbac.schemas import (
    MAX_IDS,
    Deleted,
    RoleCreate,
    RoleDetail,
    RoleGrantsUpdate,
    RoleMenusUpdate,
    RoleRead,
    RoleUpdate,
)

router = APIRouter(prefix="/roles", tags=["roles"])
RoleID = Annotated[UUID, Path()]
NOT_FOUND = error_responses(404)
WRITE_ERRORS = error_responses(403, 404, 409)
CHANGE_ERRORS = error_responses(403, 404)


@router.get("")
async def list_roles(
    session: SessionDep,
    params: PageParamsDep,
    q: Annotated[str | None, Query(max_length=64, description="Name or code contains")] = None,
    status: RoleStatus | None = None,
) -> Envelope[Page[RoleRead]]:
    """Roles, by name, in pages."""
    return ok(await service.roles_page(session, params, q, status))


@router.get("/all")
async def all_roles(session: SessionDep) -> Envelope[list[RoleRead]]:
    """Every role, by name (for pickers)."""
    roles = await repository.all_roles(session)
    return ok([RoleRead.model_validate(role, from_attributes=True) for role in roles])


@router.get("/mine", openapi_extra=access(Access.AUTHENTICATED))
async def mine(session: SessionDep, principal: CurrentPrincipal) -> Envelope[list[RoleRead]]:
    """The caller's roles."""
    roles = await repository.roles_of_user(session, principal.user_id)
    return ok([RoleRead.model_validate(role, from_attributes=True) for role in roles])


@router.get("/{role_id}", responses=NOT_FOUND)
async def get(role_id: RoleID, session: SessionDep) -> Envelope[RoleDetail]:
    """A role with its grants and menu ids."""
    role = await service.get_role(session, role_id)
    return ok(await service.role_detail(session, role))


@router.post("", status_code=201, responses=error_responses(403, 409))
async def create(data: RoleCreate, session: SessionDep, actor: ActorDep) -> Envelope[RoleRead]:
    """Create a role (no grants yet)."""
    role = await service.create_role(session, actor, data)
    return ok(RoleRead.model_validate(role, from_attributes=True))


@router.patch("/{role_id}", responses=WRITE_ERRORS)
async def update(
    role_id: RoleID, data: RoleUpdate, session: SessionDep, actor: ActorDep
) -> Envelope[RoleRead]:
    """Rename, describe, enable or disable a role; takes effect on the next request."""
    role = await service.get_role(session, role_id)
    await service.update_role(session, actor, role, data)
    return ok(RoleRead.model_validate(role, from_attributes=True))


@router.delete("/{role_id}", responses=CHANGE_ERRORS)
async def delete(role_id: RoleID, session: SessionDep, actor: ActorDep) -> Envelope[Deleted]:
    """Delete a role; its holders lose what it granted on the next request."""
    count = await service.delete_roles(session, actor, [role_id])
    return ok(Deleted(deleted=count))


@router.delete("", responses=CHANGE_ERRORS)
async def delete_many(
    session: SessionDep,
    actor: ActorDep,
    ids: Annotated[list[UUID], Query(min_length=1, max_length=MAX_IDS, description="Role ids")],
) -> Envelope[Deleted]:
    """Delete several roles (ids that do not exist are skipped)."""
    count = await service.delete_roles(session, actor, ids)
    return ok(Deleted(deleted=count))


@router.put("/{role_id}/permissions", responses=error_responses(403, 404, 422))
async def set_permissions(
    role_id: RoleID, data: RoleGrantsUpdate, session: SessionDep, actor: ActorDep
) -> Envelope[RoleDetail]:
    """Replace a role's grants: route codes or patterns, event codes, capabilities."""
    role = await service.get_role(session, role_id)
    await service.set_grants(session, actor, role, data.grants)
    return ok(await service.role_detail(session, role))


@router.put("/{role_id}/menus", responses=CHANGE_ERRORS)
async def set_menus(
    role_id: RoleID, data: RoleMenusUpdate, session: SessionDep, actor: ActorDep
) -> Envelope[RoleDetail]:
    """Replace a role's menus and buttons."""
    role = await service.get_role(session, role_id)
    await service.set_role_menus(session, actor, role, data.menu_ids)
    return ok(await service.role_detail(session, role))
