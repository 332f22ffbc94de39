"""Who is calling: bearer-token and API-key authentication, the principal, the access policy.

``authenticate(request)`` is the reusable part (RBAC's policy calls it first). The credential
comes from ``Authorization: Bearer <credential>`` or ``X-API-Key: <key>``. An access token is
read with the pinned algorithm (a token verified before is not decoded again: ``TokenService``
keeps the claims of verified tokens, its expiry still checked on every request), then its
session must be live and the token not revoked (in-process cache when warm, one Redis
round-trip when cold). A credential with the API-key prefix goes to the key verifier the API
keys domain installs (``AuthRuntime.key_verifier``). The ``Principal`` is stored on
``request.state.principal``.

``check_credential`` is the rule every access policy applies to a credential acting for a user:
never an identity route, never outside its scope.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from redis.exceptions import RedisError

from atrium.auth.errors import (
    AuthKeyIdentityRoute,
    AuthKeyOutOfScope,
    AuthTokenInvalid,
    AuthTokenRevoked,
    AuthUnavailable,
    AuthUserDisabled,
)
from atrium.auth.principal import ClientInfo, Principal
from atrium.auth.runtime import AUTH, AuthRuntime
from atrium.auth.sessions import SessionValidity
from atrium.auth.tokens import ACCESS, TokenClaims, as_datetime
from atrium.core.deps import SessionDep, StateDep
from atrium.core.errors import Forbidden, Unauthorized
from atrium.core.routing import Access, RouteInfo
from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import User

USER_AGENT_MAX_LENGTH = 512
API_KEY_HEADER = "x-api-key"


async def client_info(request: Request) -> ClientInfo:
    return _client(request)


def _client(request: Request) -> ClientInfo:
    user_agent = request.headers.get("user-agent", "")[:USER_AGENT_MAX_LENGTH]
    return ClientInfo(ip=request.client.host if request.client else None, user_agent=user_agent)


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "A bearer access token or an API key is required.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


async def authenticate(request: Request) -> Principal:
    """The request's principal; 401 for a missing, invalid, expired or revoked credential."""
    # ``request.state`` keeps its attributes in ``scope["state"]``: read there, no State made.
    existing = request.scope.get("state", {}).get("principal")
    if isinstance(existing, Principal):
        return existing
    state: AppState = request.app.state.atrium
    auth = state.get(AUTH)
    api_key = request.headers.get(API_KEY_HEADER)
    credential = api_key.strip() if api_key is not None else bearer_token(request)
    verifier = auth.key_verifier
    if verifier is not None and credential.startswith(verifier.prefix):
        principal = await verifier.verify(credential, _client(request))
    elif api_key is not None:
        raise AuthTokenInvalid("X-API-Key carries an API key, and this is none.")
    else:
        principal = await _token_principal(auth, credential)
    request.state.principal = principal
    return principal


async def authenticate_token(state: AppState, token: str) -> Principal:
    """Authenticate a raw access token (HTTP, sockets, anything with the app's state); API keys
    are for HTTP only."""
    return await _token_principal(state.get(AUTH), token)


async def _token_principal(auth: AuthRuntime, token: str) -> Principal:
    claims = auth.tokens.read(ACCESS, token)
    validity = auth.cache.get(claims.session_id) or await session_validity(auth, claims)
    if validity.user_id != claims.user_id:
        raise AuthTokenInvalid()
    return Principal(
        user_id=claims.user_id,
        session_id=claims.session_id,
        jti=claims.jti,
        is_superuser=validity.is_superuser,
        expires_at=as_datetime(claims.expires_at),
    )


async def session_validity(auth: AuthRuntime, claims: TokenClaims) -> SessionValidity:
    validity = auth.cache.get(claims.session_id)
    if validity is None:
        generation = auth.cache.generation
        try:
            validity = await auth.sessions.validity(claims.session_id, claims.jti)
        except RedisError as exc:
            raise AuthUnavailable() from exc
        if validity is None:
            raise AuthTokenRevoked()
        auth.cache.remember(claims.session_id, validity, generation)
    if validity.user_id != claims.user_id:
        raise AuthTokenInvalid()
    return validity


def check_credential(principal: Principal, route: RouteInfo) -> None:
    """A credential acting for a user (an API key) never calls a route that manages identity,
    nor one outside its scope (what its owner may do is the policy's to check besides)."""
    if principal.scope is None:
        return
    if route.identity:
        raise AuthKeyIdentityRoute()
    if not principal.scope.allows(route.code):
        raise AuthKeyOutOfScope(f"This API key's scopes do not cover {route.code}.")


class SessionAccessPolicy:
    """Any live session passes AUTHENTICATED routes; PERMISSION routes need a superuser
    until the RBAC domain installs its own policy (which calls ``authenticate`` first)."""

    async def authorize(self, request: Request, route: RouteInfo) -> None:
        principal = await authenticate(request)
        check_credential(principal, route)
        if route.access is Access.PERMISSION and not principal.is_superuser:
            raise Forbidden(f"This needs the permission {route.code}.")


async def current_principal(request: Request) -> Principal:
    return await authenticate(request)


async def current_user(principal: CurrentPrincipal, session: SessionDep) -> User:
    """The caller's user row; 403 ``AUTH_USER_DISABLED`` once disabled."""
    user = await users_service.get(session, principal.user_id)
    if user is None:
        raise AuthTokenRevoked("The account no longer exists.")
    if not user.is_active:
        raise AuthUserDisabled()
    return user


async def get_auth(state: StateDep) -> AuthRuntime:
    return state.get(AUTH)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUser = Annotated[User, Depends(current_user)]
ClientDep = Annotated[ClientInfo, Depends(client_info)]
AuthDep = Annotated[AuthRuntime, Depends(get_auth)]
