"""The access policy RBAC installs in place of auth's: who may call which route.

Order: authenticate (auth's ``authenticate``: token, session, revocation) → the user's
effective set (in process when warm: no network) → a deleted user is refused (401), a disabled
one too (403 ``AUTH_USER_DISABLED``) → superusers pass → AUTHENTICATED routes pass → a
PERMISSION route needs a grant from an active role covering its code (403 ``PERMISSION_DENIED``
naming the code).

A credential acting for a user (an API key) is refused every identity route and every route its
scope does not cover (``auth.deps.check_credential``: 403 ``AUTH_KEY_IDENTITY_ROUTE``,
``AUTH_KEY_OUT_OF_SCOPE``), AUTHENTICATED routes included; then its owner's set, narrowed by the
scope (``rbac.scoped``), decides like a session's, and is what the request's later checks read.
"""

from __future__ import annotations

from fastapi import Request

from atrium.auth.deps import authenticate, check_credential
from atrium.auth.errors import AuthTokenRevoked, AuthUserDisabled
from atrium.core.errors import Forbidden, Unauthorized
from atrium.core.responses import ErrorDetail
from atrium.core.routing import Access, RouteInfo
from atrium.rbac.cache import Permissions, PermissionSet
from atrium.rbac.scoped import scoped


def denied(code: str) -> Forbidden:
    return Forbidden(
        f"This needs the permission {code}.",
        details=[ErrorDetail(loc=["permission"], message=code, type="missing_permission")],
    )


def refusal(found: PermissionSet) -> Unauthorized | Forbidden | None:
    """Why an existing token's user may not call anything, if they may not."""
    if not found.exists:
        return AuthTokenRevoked("The account no longer exists.")
    if not found.active:
        return AuthUserDisabled()
    return None


class RbacAccessPolicy:
    """Installed at startup (after auth's) under ``ACCESS_POLICY``."""

    def __init__(self, permissions: Permissions) -> None:
        self._permissions = permissions

    async def authorize(self, request: Request, route: RouteInfo) -> None:
        principal = await authenticate(request)
        check_credential(principal, route)
        user_id = principal.user_id
        found = self._permissions.local.get(user_id) or await self._permissions.get(user_id)
        if (problem := refusal(found)) is not None:
            raise problem
        found = scoped(found, principal.scope)
        request.state.permissions = found
        if found.is_superuser or route.access is Access.AUTHENTICATED:
            return
        if not found.allows(route.code):
            raise denied(route.code)
