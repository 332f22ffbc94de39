"""The second factor's routes.

- ``/auth/second-factor``: the caller's own factor (status, enrol, confirm, disable, new
  recovery codes); a user's session only (identity routes: an API key is refused).
- ``/auth/second-factor/login``: step two of the login (public: the challenge is the proof).
- ``/auth/second-factor/ticket/...``: enrolment with the ticket of a
  ``TWOFACTOR_ENROLMENT_REQUIRED`` (public: the ticket is the proof, and it does nothing else).
- ``DELETE /users/{user_id}/second-factor``: an administrator resets a lost factor (its code,
  and the delegation rule).

Both routers' routes are copied into one flat router (as RBAC's are).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from atrium.auth import cookies
from atrium.auth.cookies import RefreshCookieDep
from atrium.auth.deps import AuthDep, ClientDep, CurrentUser
from atrium.auth.schemas import TokenPair
from atrium.core.deps import SessionDep, StateDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, IdentityRoute, access, identity
from atrium.rbac.deps import ActorDep
from atrium.twofactor import login, service
from atrium.twofactor.deps import RuntimeDep
from atrium.twofactor.schemas import (
    DisableRequest,
    EnrolmentConfirm,
    EnrolmentRead,
    RecoveryCodes,
    RecoveryCodesRenew,
    ResetRead,
    SecondStep,
    StatusRead,
    TicketConfirm,
    TicketConfirmed,
    TicketRequest,
    UserID,
)

AUTHENTICATED = access(Access.AUTHENTICATED)
PUBLIC = access(Access.PUBLIC)
# Answers holding secrets or tokens are not for caches.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

own = APIRouter(prefix="/auth/second-factor", tags=["second-factor"], route_class=IdentityRoute)
admin = APIRouter(prefix="/users", tags=["second-factor"], route_class=IdentityRoute)


@own.get("", openapi_extra=AUTHENTICATED, responses=error_responses(401, 403))
async def status(session: SessionDep, user: CurrentUser) -> Envelope[StatusRead]:
    """My second factor: enabled or not, and how many recovery codes are left."""
    return ok(await service.status(session, user))


@own.post("/enrolment", openapi_extra=AUTHENTICATED, responses=error_responses(401, 403, 409))
async def enrol(
    session: SessionDep, runtime: RuntimeDep, user: CurrentUser, response: Response
) -> Envelope[EnrolmentRead]:
    """Start setting up a TOTP factor: its secret, URI and QR code (active once confirmed)."""
    response.headers.update(NO_STORE)
    return ok(await service.start_enrolment(session, runtime, user))


@own.post(
    "/enrolment/confirm",
    openapi_extra=AUTHENTICATED,
    responses=error_responses(400, 401, 403, 409, 429),
)
async def confirm(
    data: EnrolmentConfirm,
    session: SessionDep,
    auth: AuthDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
    response: Response,
) -> Envelope[RecoveryCodes]:
    """Activate the factor: the current password (encrypted) and a current code; answers the
    recovery codes, shown once."""
    codes = await service.confirm_enrolment(session, auth, runtime, user, data, client)
    response.headers.update(NO_STORE)
    return ok(RecoveryCodes(recovery_codes=codes))


@own.post(
    "/recovery-codes",
    openapi_extra=AUTHENTICATED,
    responses=error_responses(400, 401, 403, 404, 429),
)
async def regenerate_codes(
    data: RecoveryCodesRenew,
    session: SessionDep,
    auth: AuthDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
    response: Response,
) -> Envelope[RecoveryCodes]:
    """New recovery codes (password and a current code): shown once; the old ones stop working."""
    codes = await service.regenerate_codes(session, auth, runtime, user, data, client)
    response.headers.update(NO_STORE)
    return ok(RecoveryCodes(recovery_codes=codes))


@own.post(
    "/disable",
    openapi_extra=AUTHENTICATED,
    responses=error_responses(400, 401, 403, 404, 429),
)
async def disable(
    data: DisableRequest,
    session: SessionDep,
    auth: AuthDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    client: ClientDep,
) -> Envelope[None]:
    """Remove my second factor: the current password (encrypted) and a current code."""
    await service.disable(session, auth, runtime, user, data, client)
    return ok(None)


@own.post("/login", openapi_extra=PUBLIC, responses=error_responses(401, 403, 404, 429))
async def second_step(
    data: SecondStep,
    session: SessionDep,
    auth: AuthDep,
    runtime: RuntimeDep,
    client: ClientDep,
    response: Response,
    cookie: RefreshCookieDep,
) -> Envelope[TokenPair]:
    """Step two of the login: the challenge and a TOTP or recovery code, for the tokens (the
    refresh token as the cookie with ``X-Refresh-Cookie: true``, like the login's)."""
    tokens = await login.second_step(session, auth, runtime, data, client)
    response.headers.update(NO_STORE)
    return ok(cookies.answer(response, auth.settings, tokens, cookie))


@own.post("/ticket/enrolment", openapi_extra=PUBLIC, responses=error_responses(401, 403, 409))
async def ticket_enrol(
    data: TicketRequest,
    session: SessionDep,
    auth: AuthDep,
    runtime: RuntimeDep,
    client: ClientDep,
    response: Response,
) -> Envelope[EnrolmentRead]:
    """Start the enrolment a role requires, with the ticket step one answered."""
    response.headers.update(NO_STORE)
    return ok(await login.ticket_enrolment(session, auth, runtime, data.ticket, client))


@own.post(
    "/ticket/confirm", openapi_extra=PUBLIC, responses=error_responses(400, 401, 403, 409, 429)
)
async def ticket_confirm(
    data: TicketConfirm,
    session: SessionDep,
    auth: AuthDep,
    runtime: RuntimeDep,
    client: ClientDep,
    response: Response,
    cookie: RefreshCookieDep,
) -> Envelope[TicketConfirmed]:
    """Confirm that enrolment (password and a code): recovery codes, shown once, and tokens
    (the refresh token as the cookie with ``X-Refresh-Cookie: true``)."""
    confirmed = await login.ticket_confirm(session, auth, runtime, data, client)
    response.headers.update(NO_STORE)
    tokens = cookies.answer(response, auth.settings, confirmed.tokens, cookie)
    return ok(confirmed.model_copy(update={"tokens": tokens}))


@admin.delete(
    "/{user_id}/second-factor",
    openapi_extra=identity(Access.PERMISSION),
    responses=error_responses(401, 403, 404),
)
async def reset(
    user_id: UserID, session: SessionDep, state: StateDep, actor: ActorDep
) -> Envelope[ResetRead]:
    """Reset a user's lost second factor: mailed to them, and all their sessions end."""
    target = await service.reset(session, state.settings, actor, user_id)
    return ok(ResetRead(user_id=target.id))


router = APIRouter()
router.routes.extend([*own.routes, *admin.routes])
