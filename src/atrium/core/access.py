"""The access guard every ``/api`` route passes through, and the policy slot that backs it.

Routes are protected by default: a route that needs a permission is refused unless an access
policy (installed at startup by the auth and RBAC domains) says yes.
"""

from __future__ import annotations

from typing import Protocol

from fastapi import Request

from atrium.core.errors import Unauthorized
from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.core.state import AppState, StateKey


class AccessPolicy(Protocol):
    async def authorize(self, request: Request, route: RouteInfo) -> None:
        """Return to allow; raise an ``AppError`` (401, 403) to refuse."""


ACCESS_POLICY: StateKey[AccessPolicy] = StateKey("core.access_policy")


async def guard(request: Request) -> None:
    """Dependency on the API router: apply the route's declared access level."""
    catalogue: RouteCatalogue = request.app.state.catalogue
    info = catalogue.for_scope(request.scope)
    if info is None:  # every API route is catalogued at startup; never fail open
        raise RuntimeError(f"route {request.scope.get('path')!r} is not in the catalogue")
    if info.access is Access.PUBLIC:
        return
    state: AppState = request.app.state.atrium
    policy = state.find(ACCESS_POLICY)
    if policy is None:
        raise Unauthorized("No access policy is installed; this route is closed.")
    await policy.authorize(request, info)
