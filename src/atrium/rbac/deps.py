"""RBAC dependencies: the permission service, the route catalogue, the acting user (for the
delegation rule), capabilities, and change publishing."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth import service as auth_service
from atrium.auth.deps import CurrentPrincipal, Principal
from atrium.core.deps import SessionDep, StateDep
from atrium.core.routing import RouteCatalogue
from atrium.core.state import AppState, StateKey
from atrium.rbac.cache import ChangeSet, Permissions, PermissionSet, invalidate
from atrium.rbac.delegation import Actor
from atrium.rbac.errors import RbacPropagationFailed
from atrium.rbac.policy import refusal

PERMISSIONS: StateKey[Permissions] = StateKey("rbac.permissions")


async def get_permissions(state: StateDep) -> Permissions:
    return state.get(PERMISSIONS)


async def permission_set(request: Request, principal: Principal) -> PermissionSet:
    """The caller's effective set: the one the access policy read for this request, if any."""
    found = getattr(request.state, "permissions", None)
    if isinstance(found, PermissionSet) and found.user_id == principal.user_id:
        return found
    state: AppState = request.app.state.atrium
    found = await state.get(PERMISSIONS).get(principal.user_id)
    if (problem := refusal(found)) is not None:
        raise problem
    return found


async def current_actor(request: Request, principal: CurrentPrincipal) -> Actor:
    return Actor.of(await permission_set(request, principal))


async def holds(request: Request, principal: Principal, capability: str) -> bool:
    """Whether the caller holds ``capability`` now (superusers do); read from RBAC, never
    from the token, so a demoted user loses it on the next request."""
    found = await permission_set(request, principal)
    return found.is_superuser or found.allows(capability)


async def get_catalogue(request: Request) -> RouteCatalogue:
    catalogue: RouteCatalogue = request.app.state.catalogue
    return catalogue


class Publisher:
    """Collects what a request changed; ``publish`` commits, then invalidates everywhere.

    The commit is explicit (not left to the session dependency) because the invalidation must
    follow it and must be able to fail the request: a change is only reported done once every
    node has dropped what it made stale.
    """

    def __init__(self, state: AppState, session: AsyncSession) -> None:
        self.state = state
        self.session = session
        self.changes = ChangeSet()
        self.kick: set[UUID] = set()  # users whose sessions end with this change

    def revoke_sessions(self, user_id: UUID) -> None:
        self.kick.add(user_id)

    async def publish(self) -> None:
        await self.session.commit()
        try:
            await invalidate(self.state.redis, self.state.settings, self.state.db, self.changes)
            for user_id in sorted(self.kick):
                await auth_service.revoke_user_sessions(self.state, user_id)
        except RedisError as exc:
            raise RbacPropagationFailed() from exc


async def get_publisher(state: StateDep, session: SessionDep) -> Publisher:
    return Publisher(state, session)


PermissionsDep = Annotated[Permissions, Depends(get_permissions)]
ActorDep = Annotated[Actor, Depends(current_actor)]
CatalogueDep = Annotated[RouteCatalogue, Depends(get_catalogue)]
PublisherDep = Annotated[Publisher, Depends(get_publisher)]
