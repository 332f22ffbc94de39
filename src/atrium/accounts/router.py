"""The account routes under ``/api/v1/accounts``: every one manages identity (refused to API
keys). Public ones are the flows of someone not logged in (or not yet a user): registering,
following a mailed link, asking for a reset. The enumeration-safe ones answer 202 with the same
body whether or not an account exists."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from atrium.accounts import requests, service
from atrium.accounts.deps import LimiterDep, RegistrationModeDep
from atrium.accounts.schemas import (
    Accepted,
    AccountCreated,
    EmailChange,
    ForgotPassword,
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
    PasswordResetByToken,
    Registration,
    ResendVerification,
    TokenBody,
)
from atrium.auth.deps import AuthDep, ClientDep, CurrentUser
from atrium.core.deps import SessionDep, StateDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, IdentityRoute, access
from atrium.rbac.deps import ActorDep

router = APIRouter(prefix="/accounts", tags=["accounts"], route_class=IdentityRoute)

# Public: the caller has no account yet, or has lost access to it (a mailed link proves it).
PUBLIC = access(Access.PUBLIC)
AUTHENTICATED = access(Access.AUTHENTICATED)
InvitationID = Annotated[UUID, Path()]
ENUMERATION_SAFE = error_responses(400, 403, 422, 429)
TOKEN_ERRORS = error_responses(400, 409, 422, 429)


@router.post("/register", status_code=202, openapi_extra=PUBLIC, responses=ENUMERATION_SAFE)
async def register(
    data: Registration,
    auth: AuthDep,
    limiter: LimiterDep,
    client: ClientDep,
    mode: RegistrationModeDep,
) -> Envelope[Accepted]:
    """Register (password encrypted); the next step comes by mail, whoever the address is."""
    await requests.register(auth, limiter, data, client, mode)
    return ok(Accepted())


@router.post("/verification", openapi_extra=PUBLIC, responses=TOKEN_ERRORS)
async def verify(
    data: TokenBody, session: SessionDep, limiter: LimiterDep, client: ClientDep
) -> Envelope[None]:
    """Verify an email address with the mailed link's token; the account can log in."""
    await limiter.hit("token", client.ip)
    await service.verify(session, data.token)
    return ok(None)


@router.post(
    "/verification/resend", status_code=202, openapi_extra=PUBLIC, responses=ENUMERATION_SAFE
)
async def resend_verification(
    data: ResendVerification, limiter: LimiterDep, client: ClientDep
) -> Envelope[Accepted]:
    """Mail a new verification link (if the address waits for one; the same answer anyway)."""
    await requests.resend_request(limiter, str(data.email), client)
    return ok(Accepted())


@router.post("/password/forgot", status_code=202, openapi_extra=PUBLIC, responses=ENUMERATION_SAFE)
async def forgot_password(
    data: ForgotPassword, limiter: LimiterDep, client: ClientDep
) -> Envelope[Accepted]:
    """Mail a reset link to the account of a username or email (the same answer anyway)."""
    await requests.forgot_request(limiter, data.login, client)
    return ok(Accepted())


@router.post("/password/reset", openapi_extra=PUBLIC, responses=TOKEN_ERRORS)
async def reset_password(
    data: PasswordResetByToken,
    auth: AuthDep,
    session: SessionDep,
    limiter: LimiterDep,
    client: ClientDep,
) -> Envelope[None]:
    """Set a new password (encrypted) with a mailed link's token; every session ends."""
    await limiter.hit("token", client.ip)
    await service.reset_password(auth, session, data)
    return ok(None)


@router.post(
    "/email",
    status_code=202,
    openapi_extra=AUTHENTICATED,
    responses=error_responses(400, 401, 403, 422, 429),
)
async def change_email(
    data: EmailChange,
    auth: AuthDep,
    session: SessionDep,
    limiter: LimiterDep,
    user: CurrentUser,
    client: ClientDep,
) -> Envelope[Accepted]:
    """Change my email (current password, encrypted): the new address confirms by mail."""
    await service.request_email_change(auth, limiter, session, user, data, client)
    return ok(Accepted())


@router.post("/email/confirm", openapi_extra=PUBLIC, responses=TOKEN_ERRORS)
async def confirm_email(
    data: TokenBody, state: StateDep, session: SessionDep, limiter: LimiterDep, client: ClientDep
) -> Envelope[None]:
    """Confirm a new email address with the mailed link's token; the old one is told."""
    await limiter.hit("token", client.ip)
    await service.confirm_email_change(state.settings, session, data.token)
    return ok(None)


@router.post("/invitations", status_code=201, responses=error_responses(401, 403, 404, 409, 422))
async def invite(
    data: InvitationCreate, state: StateDep, session: SessionDep, actor: ActorDep
) -> Envelope[InvitationRead]:
    """Invite an address into roles (each covered by my own grants); the link goes by mail."""
    return ok(await service.invite(state.settings, session, actor, data))


@router.get("/invitations", responses=error_responses(401, 403, 422))
async def list_invitations(
    session: SessionDep, params: PageParamsDep
) -> Envelope[Page[InvitationRead]]:
    """Invitations waiting to be accepted (unused, unexpired), newest first."""
    return ok(await service.list_invitations(session, params))


@router.delete("/invitations/{invitation_id}", responses=error_responses(401, 403, 404, 422))
async def revoke_invitation(
    invitation_id: InvitationID, session: SessionDep, actor: ActorDep
) -> Envelope[None]:
    """Withdraw a waiting invitation (its roles covered by my own grants); its link dies."""
    await service.revoke_invitation(session, actor, invitation_id)
    return ok(None, message="Revoked")


@router.post(
    "/invitations/accept",
    status_code=201,
    openapi_extra=PUBLIC,
    responses=error_responses(400, 409, 422, 429),
)
async def accept_invitation(
    data: InvitationAccept,
    auth: AuthDep,
    session: SessionDep,
    limiter: LimiterDep,
    client: ClientDep,
) -> Envelope[AccountCreated]:
    """Accept an invitation: a username and a password (encrypted) make the account."""
    await limiter.hit("token", client.ip)
    return ok(await service.accept_invitation(auth, session, data))
