"""The two-step login: the gate auth asks after a correct password, and step two.

- A user with an active factor gets a **challenge** (single-use, bound to them, a few minutes)
  instead of tokens; step two exchanges it with a TOTP code or a recovery code for the token
  pair, through auth's own ``open_session``.
- A user holding a role that requires a second factor, without one, is refused at step one
  with ``TWOFACTOR_ENROLMENT_REQUIRED`` and an **enrolment ticket**: it lets them enrol and
  confirm (and nothing else); confirming completes the login.

Step two and the ticket confirmation are rate limited per challenge (or ticket) and per user;
every attempt lands in auth's login log with its reason, refusals of unknown, expired or revoked
challenges and tickets included (with no user when none is known; never the token). Both are
bound to the user's credential epoch (``tickets``): revoking all their sessions voids them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth import service as auth_service
from atrium.auth.errors import AuthUserDisabled
from atrium.auth.principal import ClientInfo
from atrium.auth.runtime import AuthRuntime
from atrium.auth.schemas import SecondFactorChallenge, TokenPair
from atrium.auth.service import LoginAttempt
from atrium.core.errors import AppError
from atrium.core.responses import ErrorDetail
from atrium.rbac import repository as rbac_repository
from atrium.twofactor import service
from atrium.twofactor.errors import (
    TwoFactorChallengeInvalid,
    TwoFactorEnrolmentRequired,
    TwoFactorNotEnabled,
    TwoFactorRateLimited,
    TwoFactorTicketInvalid,
)
from atrium.twofactor.runtime import TwoFactorRuntime
from atrium.twofactor.schemas import (
    RECOVERY_CODE,
    TOTP,
    EnrolmentRead,
    SecondStep,
    TicketConfirm,
    TicketConfirmed,
)
from atrium.twofactor.tickets import TicketKind, digest
from atrium.users import service as users_service
from atrium.users.models import User

T = TypeVar("T")
ENROLMENT_METHOD = "totp_enrolment"


class Gate:
    """What auth asks after a correct password (``atrium.auth.gate.SecondFactorGate``)."""

    def __init__(self, runtime: TwoFactorRuntime) -> None:
        self.runtime = runtime

    async def challenge(
        self, db: AsyncSession, user: User, client: ClientInfo
    ) -> SecondFactorChallenge | None:
        settings = self.runtime.settings
        if await service.active_factor(db, user.id) is not None:
            ttl = settings.challenge_ttl_seconds
            token = await self.runtime.tickets.issue(TicketKind.CHALLENGE, user.id, ttl)
            return SecondFactorChallenge(
                challenge=token, expires_in=ttl, methods=[TOTP, RECOVERY_CODE]
            )
        if await rbac_repository.requires_second_factor(db, user.id):
            ttl = settings.enrolment_ticket_ttl_seconds
            ticket = await self.runtime.tickets.issue(TicketKind.ENROLMENT, user.id, ttl)
            detail = ErrorDetail(loc=["enrolmentTicket"], message=ticket, type="enrolment_ticket")
            raise TwoFactorEnrolmentRequired(details=[detail])
        return None


async def second_step(
    db: AsyncSession,
    auth: AuthRuntime,
    runtime: TwoFactorRuntime,
    data: SecondStep,
    client: ClientInfo,
) -> TokenPair:
    """Step two: the challenge and a code for the token pair; the challenge is then spent."""
    attempt = LoginAttempt("", client, method=data.method)

    async def check() -> TokenPair:
        user = await _holder(db, runtime, TicketKind.CHALLENGE, data.challenge, attempt)
        await _limit(runtime, data.challenge, user)
        factor = await service.active_factor(db, user.id)
        if factor is None:  # reset or disabled since step one
            raise TwoFactorNotEnabled()
        await service.check_code(db, runtime, factor, data)
        await _spend(runtime, TicketKind.CHALLENGE, data.challenge)
        return await auth_service.open_session(auth, db, user, client)

    return await _logged(auth, attempt, check)


async def ticket_enrolment(
    db: AsyncSession,
    auth: AuthRuntime,
    runtime: TwoFactorRuntime,
    ticket: str,
    client: ClientInfo,
) -> EnrolmentRead:
    """Start an enrolment with an enrolment ticket (the ticket stays valid for confirming);
    a refused ticket is in the login log, a started enrolment is no login yet."""
    attempt = LoginAttempt("", client, method=ENROLMENT_METHOD)

    async def check() -> EnrolmentRead:
        user = await _holder(db, runtime, TicketKind.ENROLMENT, ticket, attempt)
        return await service.start_enrolment(db, runtime, user)

    return await _logged(auth, attempt, check, success=False)


async def ticket_confirm(
    db: AsyncSession,
    auth: AuthRuntime,
    runtime: TwoFactorRuntime,
    data: TicketConfirm,
    client: ClientInfo,
) -> TicketConfirmed:
    """Confirm an enrolment with the ticket, the current password and a code: the factor is
    active and the login complete."""
    attempt = LoginAttempt("", client, method=ENROLMENT_METHOD)

    async def check() -> TicketConfirmed:
        user = await _holder(db, runtime, TicketKind.ENROLMENT, data.ticket, attempt)
        await _limit(runtime, data.ticket, user)
        codes = await service.confirm_enrolment(db, auth, runtime, user, data, client)
        await _spend(runtime, TicketKind.ENROLMENT, data.ticket)
        tokens = await auth_service.open_session(auth, db, user, client)
        return TicketConfirmed(recovery_codes=codes, tokens=tokens)

    return await _logged(auth, attempt, check)


async def _holder(
    db: AsyncSession,
    runtime: TwoFactorRuntime,
    kind: TicketKind,
    token: str,
    attempt: LoginAttempt,
) -> User:
    """The token's live holder, named in ``attempt`` once known (the token itself never is)."""
    refused = TwoFactorChallengeInvalid if kind is TicketKind.CHALLENGE else TwoFactorTicketInvalid
    user_id = await runtime.tickets.holder(kind, token)
    user = await users_service.get(db, user_id) if user_id is not None else None
    if user is None:
        raise refused()
    attempt.username, attempt.user_id = user.username, user.id
    if not user.is_active:
        raise AuthUserDisabled()
    return user


async def _limit(runtime: TwoFactorRuntime, token: str, user: User) -> None:
    for item, identifier in (
        (runtime.per_challenge, f"token:{digest(token)}"),
        (runtime.per_user, f"user:{user.id}"),
    ):
        if (wait := await runtime.limiter.hit(item, identifier)) is not None:
            raise TwoFactorRateLimited(headers={"Retry-After": str(wait)})


async def _spend(runtime: TwoFactorRuntime, kind: TicketKind, token: str) -> None:
    if await runtime.tickets.spend(kind, token) is None:  # another request used it first
        raise (
            TwoFactorChallengeInvalid if kind is TicketKind.CHALLENGE else TwoFactorTicketInvalid
        )()


async def _logged(
    auth: AuthRuntime,
    attempt: LoginAttempt,
    check: Callable[[], Awaitable[T]],
    *,
    success: bool = True,
) -> T:
    """Run ``check``; log its refusal (and, if ``success``, its success) in the login log."""
    try:
        answer = await check()
    except AppError as exc:
        await auth_service.log_attempt(auth, attempt, exc.error_code)
        raise
    if success:
        await auth_service.log_attempt(auth, attempt, None)
    return answer
