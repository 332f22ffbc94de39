"""RBAC dependencies: the permission service, the route catalogue, the acting user (for the
delegation rule) and capabilities. (Access changes need no dependency: the request session's
unit of work invalidates them on commit, ``rbac.propagation``.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.auth.principal import Principal
from atrium.core.datascope import Caller
from atrium.core.deps import StateDep
from atrium.core.routing import RouteCatalogue
from atrium.core.state import AppState, StateKey
from atrium.rbac.cache import Permissions, PermissionSet
from atrium.rbac.delegation import Actor
from atrium.rbac.policy import refusal
from atrium.rbac.scoped import scoped

PERMISSIONS: StateKey[Permissions] = StateKey("rbac.permissions")


async def get_permissions(state: StateDep) -> Permissions:
    return state.get(PERMISSIONS)


async def permission_set(request: Request, principal: Principal) -> PermissionSet:
    """The caller's effective set: the one the access policy read for this request, if any
    (an API key's: its owner's narrowed by its scope, ``rbac.scoped``)."""
    found = getattr(request.state, "permissions", None)
    if isinstance(found, PermissionSet) and found.user_id == principal.user_id:
        return found
    state: AppState = request.app.state.atrium
    found = await state.get(PERMISSIONS).get(principal.user_id)
    if (problem := refusal(found)) is not None:
        raise problem
    return scoped(found, principal.scope)


async def current_actor(request: Request, principal: CurrentPrincipal) -> Actor:
    return Actor.of(await permission_set(request, principal))


async def holds(request: Request, principal: Principal, capability: str) -> bool:
    """Whether the caller holds ``capability`` now (superusers do); read from RBAC, never
    from the token, so a demoted user loses it on the next request."""
    found = await permission_set(request, principal)
    return found.is_superuser or found.allows(capability)


async def data_caller(request: Request, principal: Principal, capability: str) -> Caller:
    """The caller of a data scope (``core.datascope``): their roles, and whether they hold the
    domain's ``capability`` now (superusers do)."""
    found = await permission_set(request, principal)
    sees_all = found.is_superuser or found.allows(capability)
    return Caller(principal.user_id, found.role_ids, sees_all)


async def get_catalogue(request: Request) -> RouteCatalogue:
    catalogue: RouteCatalogue = request.app.state.catalogue
    return catalogue


PermissionsDep = Annotated[Permissions, Depends(get_permissions)]
ActorDep = Annotated[Actor, Depends(current_actor)]
CatalogueDep = Annotated[RouteCatalogue, Depends(get_catalogue)]
