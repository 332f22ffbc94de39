"""The API keys routes: one's own keys under ``/auth/api-keys``, everyone's under ``/api-keys``.

Every route here manages identity (``IdentityRoute``): a key never makes, lists or revokes keys.
One's own keys need only a login (AUTHENTICATED); everyone's need the routes' codes, and revoking
one passes the delegation rule. The two routers' routes are copied into one flat router (as
RBAC's are): nesting costs every request a level of matching.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from atrium.apikeys import service
from atrium.apikeys.deps import CallerPermissions, OwnKey, RouteRulesDep, RuntimeDep
from atrium.apikeys.schemas import (
    ApiKeyAdminRead,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyID,
    ApiKeyRead,
    admin_read_of,
    created_of,
    page_of,
    read_of,
)
from atrium.auth.deps import AuthDep, ClientDep, CurrentPrincipal, CurrentUser
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, IdentityRoute, access
from atrium.rbac.deps import ActorDep

AUTHENTICATED = access(Access.AUTHENTICATED)
NOT_FOUND = error_responses(401, 403, 404)

own = APIRouter(prefix="/auth/api-keys", tags=["api-keys"], route_class=IdentityRoute)
everyone = APIRouter(prefix="/api-keys", tags=["api-keys"], route_class=IdentityRoute)


@own.get("", openapi_extra=AUTHENTICATED, responses=error_responses(401, 403))
async def list_own(
    session: SessionDep, principal: CurrentPrincipal, params: PageParamsDep
) -> Envelope[Page[ApiKeyRead]]:
    """My API keys, newest first (the keys themselves are never shown again)."""
    found = await service.list_own(session, principal.user_id, params)
    return ok(page_of(found, read_of))


@own.post(
    "",
    status_code=201,
    openapi_extra=AUTHENTICATED,
    responses=error_responses(400, 401, 403, 409, 422, 429),
)
async def create(
    data: ApiKeyCreate,
    session: SessionDep,
    auth: AuthDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    found: CallerPermissions,
    rules: RouteRulesDep,
    client: ClientDep,
) -> Envelope[ApiKeyCreated]:
    """Make an API key (current password required); the key is in this answer only."""
    row, made = await service.create(
        session, auth, runtime.settings, user, found, rules, data, client
    )
    return ok(created_of(row, made.key))


@own.get("/{key_id}", openapi_extra=AUTHENTICATED, responses=NOT_FOUND)
async def get(key: OwnKey) -> Envelope[ApiKeyRead]:
    """One of my API keys."""
    return ok(read_of(key))


@own.post("/{key_id}/revoke", openapi_extra=AUTHENTICATED, responses=NOT_FOUND)
async def revoke(
    key: OwnKey, session: SessionDep, principal: CurrentPrincipal
) -> Envelope[ApiKeyRead]:
    """Revoke one of my API keys: refused on every server from this answer on."""
    return ok(read_of(await service.revoke(session, key, principal.user_id)))


@own.delete("/{key_id}", openapi_extra=AUTHENTICATED, responses=NOT_FOUND)
async def delete(key: OwnKey, session: SessionDep) -> Envelope[None]:
    """Delete one of my API keys: refused on every server from this answer on."""
    await service.delete(session, key)
    return ok(None, message="Deleted")


@everyone.get("", responses=error_responses(401, 403))
async def list_all(
    session: SessionDep,
    params: PageParamsDep,
    user_id: Annotated[UUID | None, Query(alias="userId")] = None,
) -> Envelope[Page[ApiKeyAdminRead]]:
    """Every user's API keys (or one user's), newest first."""
    found = await service.list_all(session, params, user_id)
    return ok(page_of(found, admin_read_of))


@everyone.post("/{key_id}/revoke", responses=NOT_FOUND)
async def revoke_any(
    key_id: ApiKeyID, session: SessionDep, actor: ActorDep
) -> Envelope[ApiKeyAdminRead]:
    """Revoke anyone's API key whose owner your grants cover (the delegation rule)."""
    return ok(admin_read_of(await service.revoke_any(session, actor, key_id)))


router = APIRouter()
router.routes.extend([*own.routes, *everyone.routes])
