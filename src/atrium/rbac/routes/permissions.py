"""The permission catalogue: every route's, event's and capability's code, by tag; sync."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request

from atrium.core.codes import declared
from atrium.core.deps import SessionDep, StateDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.rbac import service, sync
from atrium.rbac.deps import ActorDep, CatalogueDep
from atrium.rbac.schemas import PermissionGroup, SyncResult

router = APIRouter(prefix="/permissions", tags=["permissions"])


@router.get("")
async def list_permissions(
    session: SessionDep,
    include_stale: Annotated[bool, Query(alias="includeStale")] = True,
) -> Envelope[list[PermissionGroup]]:
    """Every permission code (routes, socket events, capabilities) by tag, stale ones flagged."""
    return ok(await service.grouped_permissions(session, include_stale))


@router.post("/sync")
async def sync_now(
    request: Request, state: StateDep, catalogue: CatalogueDep
) -> Envelope[SyncResult]:
    """Sync this server's routes, events and capabilities into the catalogue now."""
    routes = catalogue.under(state.settings.api_prefix)
    report = await sync.sync_routes(state.db, routes, declared(request.app))
    return ok(SyncResult.model_validate(report, from_attributes=True))


@router.delete("/{permission_id}", responses=error_responses(403, 404, 409))
async def delete(
    permission_id: Annotated[UUID, Path()], session: SessionDep, actor: ActorDep
) -> Envelope[None]:
    """Remove a stale code and the exact grants of it."""
    row = await service.get_permission(session, permission_id)
    await service.delete_stale_permission(session, actor, row)
    return ok(None)
