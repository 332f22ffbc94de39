"""Dependencies of the API keys routes: the runtime, the subset rule's route rules, the caller's
own key (404 for anyone else's) and the caller's effective set."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.apikeys import service
from atrium.apikeys.models import ApiKey
from atrium.apikeys.runtime import APIKEYS, ApiKeysRuntime
from atrium.apikeys.schemas import ApiKeyID
from atrium.apikeys.scope import RouteRules
from atrium.auth.deps import CurrentPrincipal
from atrium.core.deps import SessionDep, StateDep
from atrium.rbac.cache import PermissionSet
from atrium.rbac.deps import permission_set


async def get_runtime(state: StateDep) -> ApiKeysRuntime:
    return state.get(APIKEYS)


async def route_rules(runtime: Annotated[ApiKeysRuntime, Depends(get_runtime)]) -> RouteRules:
    return runtime.rules


async def caller_permissions(request: Request, principal: CurrentPrincipal) -> PermissionSet:
    return await permission_set(request, principal)


async def own_key(key_id: ApiKeyID, session: SessionDep, principal: CurrentPrincipal) -> ApiKey:
    return await service.get_own(session, principal.user_id, key_id)


RuntimeDep = Annotated[ApiKeysRuntime, Depends(get_runtime)]
RouteRulesDep = Annotated[RouteRules, Depends(route_rules)]
CallerPermissions = Annotated[PermissionSet, Depends(caller_permissions)]
OwnKey = Annotated[ApiKey, Depends(own_key)]
