"""Authentication routes under ``/api/v1/auth``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import AwareDatetime

from atrium.auth import cookies, service
from atrium.auth.cookies import RefreshCookieDep
from atrium.auth.deps import AuthDep, ClientDep, CurrentPrincipal, CurrentUser
from atrium.auth.documents import LoginOutcome
from atrium.auth.errors import AuthRefreshTokenMissing
from atrium.auth.schemas import (
    LoginLogFilters,
    LoginLogRead,
    LoginRequest,
    LoginResult,
    PasswordChange,
    PublicKeyRead,
    RefreshRequest,
    RevokedSessions,
    SessionRead,
    SwaggerToken,
    TokenPair,
)
from atrium.core.bodylimit import check_field
from atrium.core.context import current_request_id
from atrium.core.cursors import CursorPage
from atrium.core.deps import SessionDep
from atrium.core.pagination import CursorLimitDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, IdentityRoute, access, identity

# Every route here manages the caller's identity (sessions, password): refused to API keys,
# and so is any route added later unless it says otherwise (``IdentityRoute``).
router = APIRouter(prefix="/auth", tags=["auth"], route_class=IdentityRoute)
# Mounted only in local/testing (see lifecycle.install): elsewhere the path is a 404.
swagger_router = APIRouter(prefix="/auth", tags=["auth"])

SessionID = Annotated[UUID, Path(description="A session id from GET /auth/sessions")]
PUBLIC = access(Access.PUBLIC)
# Token responses must not be stored by caches (RFC 6749, section 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
AUTHENTICATED = access(Access.AUTHENTICATED)
LOGIN_ERRORS = error_responses(400, 401, 403, 429)
TOKEN_ERRORS = error_responses(401, 403)


@router.get("/keys/public", openapi_extra=PUBLIC)
async def public_key(auth: AuthDep) -> Envelope[PublicKeyRead]:
    """The active RSA public key (PEM and JWK) to encrypt login passwords with."""
    return ok(service.public_key(auth))


@router.post("/login", openapi_extra=PUBLIC, responses=LOGIN_ERRORS)
async def login(
    data: LoginRequest,
    auth: AuthDep,
    session: SessionDep,
    client: ClientDep,
    response: Response,
    cookie: RefreshCookieDep,
) -> Envelope[LoginResult]:
    """Log in with an RSA-OAEP encrypted password; returns access and refresh tokens.

    A user with a second factor gets ``{secondFactorRequired: true, challenge, expiresIn,
    methods}`` instead (no tokens): step two is ``POST /auth/second-factor/login``. A holder of
    a role that requires a second factor, without one, gets ``403
    TWOFACTOR_ENROLMENT_REQUIRED`` with an enrolment ticket in ``details``.
    """
    answer = await service.login(auth, session, data.username, data.kid, data.password, client)
    response.headers.update(NO_STORE)
    if isinstance(answer, TokenPair):
        answer = cookies.answer(response, auth.settings, answer, cookie)
    return ok(LoginResult(answer))


@swagger_router.post(
    "/login/swagger", openapi_extra=PUBLIC, response_model=SwaggerToken, responses=LOGIN_ERRORS
)
async def login_swagger(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    auth: AuthDep,
    session: SessionDep,
    client: ClientDep,
    response: Response,
) -> SwaggerToken:
    """Swagger UI's Authorize: a plain-password login (local and testing only)."""
    username, password = (
        check_field(form.username, "username"),
        check_field(form.password, "password"),
    )
    tokens = await service.login_plain(auth, session, username, password, client)
    response.headers.update(NO_STORE)
    return SwaggerToken(
        data=tokens, request_id=current_request_id(), access_token=tokens.access_token
    )


@router.post("/token/refresh", openapi_extra=PUBLIC, responses=TOKEN_ERRORS)
async def refresh(
    request: Request,
    auth: AuthDep,
    session: SessionDep,
    client: ClientDep,
    response: Response,
    cookie: RefreshCookieDep,
    data: RefreshRequest | None = None,
) -> Envelope[TokenPair]:
    """Exchange a refresh token for a new pair; the old refresh token is spent.

    The token comes from the body, or (no body token, header ``X-Refresh-Cookie: true``) from
    the refresh cookie; with that header the new one is set as the cookie again.
    """
    token = data.refresh_token if data is not None else None
    if token is None and cookie:
        token = cookies.presented(request, auth.settings)
    if token is None:
        raise AuthRefreshTokenMissing()
    tokens = await service.refresh(auth, session, token, client)
    response.headers.update(NO_STORE)
    return ok(cookies.answer(response, auth.settings, tokens, cookie))


@router.post("/logout", openapi_extra=AUTHENTICATED, responses=TOKEN_ERRORS)
async def logout(
    auth: AuthDep, principal: CurrentPrincipal, response: Response, cookie: RefreshCookieDep
) -> Envelope[None]:
    """End this session: its refresh token and this access token stop working (with
    ``X-Refresh-Cookie: true``, the refresh cookie is cleared)."""
    await service.logout(auth, principal)
    if cookie:
        cookies.clear(response, auth.settings)
    return ok(None)


# GET /auth/me is the users domain's (atrium.users.me): the user's fields plus what the domains
# above add (RBAC's roles, callable permission codes, button codes and menu tree).


@router.get("/sessions", openapi_extra=AUTHENTICATED, responses=TOKEN_ERRORS)
async def list_sessions(auth: AuthDep, principal: CurrentPrincipal) -> Envelope[list[SessionRead]]:
    """The caller's live sessions (devices), the current one flagged."""
    return ok(await service.list_sessions(auth, principal))


@router.delete("/sessions", openapi_extra=AUTHENTICATED, responses=TOKEN_ERRORS)
async def logout_everywhere(
    auth: AuthDep, principal: CurrentPrincipal, response: Response, cookie: RefreshCookieDep
) -> Envelope[RevokedSessions]:
    """Log out everywhere: end every session of the caller, this one included (with
    ``X-Refresh-Cookie: true``, the refresh cookie is cleared)."""
    revoked = await service.logout_everywhere(auth, principal)
    if cookie:
        cookies.clear(response, auth.settings)
    return ok(RevokedSessions(revoked=revoked))


@router.delete(
    "/sessions/{session_id}", openapi_extra=AUTHENTICATED, responses=error_responses(401, 404)
)
async def revoke_session(
    session_id: SessionID, auth: AuthDep, principal: CurrentPrincipal
) -> Envelope[None]:
    """End one of the caller's sessions."""
    await service.revoke_own_session(auth, principal, str(session_id))
    return ok(None)


@router.post(
    "/password", openapi_extra=AUTHENTICATED, responses=error_responses(400, 401, 403, 429)
)
async def change_password(
    data: PasswordChange,
    auth: AuthDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    user: CurrentUser,
    client: ClientDep,
) -> Envelope[None]:
    """Change the caller's password (both encrypted); every other session ends."""
    await service.change_password(auth, session, principal, user, data, client)
    return ok(None)


@router.get(
    "/login-logs",
    openapi_extra=identity(Access.PERMISSION, manages=False),
    responses=error_responses(400, 401, 403, 422),
)
async def list_login_logs(
    limit: CursorLimitDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    username: Annotated[str | None, Query(max_length=320)] = None,
    outcome: LoginOutcome | None = None,
    user_id: Annotated[UUID | None, Query(alias="userId")] = None,
    ip_address: Annotated[str | None, Query(alias="ipAddress", max_length=64)] = None,
    since: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Envelope[CursorPage[LoginLogRead]]:
    """Login attempts, newest first (cursor paginated), filtered like the audit log."""
    filters = LoginLogFilters(
        username=username,
        outcome=outcome,
        user_id=user_id,
        ip_address=ip_address,
        since=since,
        until=until,
    )
    return ok(await service.list_login_logs(cursor, limit, filters))
