"""The second factor's rules: enrol, confirm, status, disable, check a code, admin reset, and
re-encrypting every secret under the first key.

- **Enrol** makes a pending factor (a new secret, encrypted at rest) and answers the secret,
  its ``otpauth://`` URI and QR code; it guards nothing until **confirmed** with a valid code,
  which activates it and answers new recovery codes, shown once, stored as digests.
- **A code** is a TOTP code, accepted once (the last accepted time step per user, in Redis),
  or an unused recovery code, which is used up.
- **Disable** needs the current password (RSA-encrypted like a login's) and a current code, and
  is refused while a role of the user requires a second factor.
- **Confirm** needs the current password (RSA-encrypted like a login's) besides the code, so a
  stolen access token or enrolment ticket alone cannot put a factor on the account.
- **Regenerate** (current password and a current TOTP code) replaces every recovery code.
- **Reset** (an administrator, for a lost phone) passes the delegation rule, removes the factor
  and its codes, records the event, mails the user and ends all their sessions once committed.

Every change of a factor (enabled, disabled, codes regenerated, reset) is recorded and mailed to
the owner once committed.

Functions flush and never commit.
"""

from __future__ import annotations

from uuid import UUID

import structlog
from cryptography.fernet import InvalidToken
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth import service as auth_service
from atrium.auth.principal import ClientInfo
from atrium.auth.runtime import AuthRuntime
from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.db import after_commit
from atrium.rbac import changes as access_changes
from atrium.rbac import delegation
from atrium.rbac import repository as rbac_repository
from atrium.rbac.delegation import Actor
from atrium.twofactor import recovery, repository
from atrium.twofactor.documents import FactorAction, SecondFactorEvent
from atrium.twofactor.errors import (
    TwoFactorAlreadyEnabled,
    TwoFactorEnrolmentConflict,
    TwoFactorInvalidCode,
    TwoFactorNotEnabled,
    TwoFactorNotEnrolled,
    TwoFactorRateLimited,
    TwoFactorRequiredByRole,
)
from atrium.twofactor.models import SecondFactor
from atrium.twofactor.runtime import TwoFactorRuntime
from atrium.twofactor.schemas import (
    DisableRequest,
    EnrolmentConfirm,
    EnrolmentRead,
    OneCode,
    RecoveryCodesRenew,
    StatusRead,
)
from atrium.twofactor.secretbox import SecretBox
from atrium.twofactor.totp import new_secret, qr_svg
from atrium.users import service as users_service
from atrium.users.errors import UserNotFound
from atrium.users.models import User

log = structlog.get_logger(__name__)
MAIL_DOMAIN = "atrium.mail"
RESET_TEMPLATE = "second_factor_reset"
# The owner's mail for each change (templates in ``templates/``).
TEMPLATES = {
    FactorAction.ENABLED: "second_factor_enabled",
    FactorAction.DISABLED: "second_factor_disabled",
    FactorAction.CODES_REGENERATED: "recovery_codes_regenerated",
    FactorAction.RESET: RESET_TEMPLATE,
}


async def start_enrolment(
    session: AsyncSession, runtime: TwoFactorRuntime, user: User
) -> EnrolmentRead:
    """A new pending factor (replacing a pending one); 409 while one is active."""
    factor = await repository.get(session, user.id)
    if factor is not None and factor.is_enabled:
        raise TwoFactorAlreadyEnabled()
    secret = new_secret()
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret=runtime.box.seal(secret))
    else:
        factor.secret = runtime.box.seal(secret)
    session.add(factor)
    await _flush_factor(session)
    totp = runtime.totp
    uri = totp.uri(secret, user.email or user.username)
    return EnrolmentRead(
        secret=secret,
        otpauth_uri=uri,
        qr_svg=qr_svg(uri),
        issuer=totp.issuer,
        digits=totp.digits,
        period=totp.period,
    )


async def _flush_factor(session: AsyncSession) -> None:
    # Two first enrolments racing both find no factor; the unique user_id decides.
    try:
        await session.flush()
    except IntegrityError as exc:
        raise TwoFactorEnrolmentConflict() from exc


async def confirm_enrolment(
    session: AsyncSession,
    auth: AuthRuntime,
    runtime: TwoFactorRuntime,
    user: User,
    data: EnrolmentConfirm,
    client: ClientInfo,
) -> list[str]:
    """Activate the pending factor with the current password and a valid code; the new
    recovery codes (shown once). The owner is mailed once it is committed."""
    factor = await repository.get(session, user.id)
    if factor is None:
        raise TwoFactorNotEnrolled()
    if factor.is_enabled:
        raise TwoFactorAlreadyEnabled()
    await auth_service.confirm_password(auth, user, data.kid, data.password, client)
    await _check_totp(runtime, factor, data.code)
    factor.enabled_at = utcnow()
    session.add(factor)
    codes = await _new_codes(session, runtime, user.id)
    await _changed(session, auth.settings, user, FactorAction.ENABLED, user.id)
    return codes


async def regenerate_codes(
    session: AsyncSession,
    auth: AuthRuntime,
    runtime: TwoFactorRuntime,
    user: User,
    data: RecoveryCodesRenew,
    client: ClientInfo,
) -> list[str]:
    """Replace every recovery code (password and a current TOTP code): the new ones, shown
    once; the old ones stop working. The owner is mailed once it is committed."""
    factor = await active_factor(session, user.id)
    if factor is None:
        raise TwoFactorNotEnabled()
    await auth_service.confirm_password(auth, user, data.kid, data.password, client)
    await limit_codes(runtime, user.id)
    await _check_totp(runtime, factor, data.code)
    codes = await _new_codes(session, runtime, user.id)
    await _changed(session, auth.settings, user, FactorAction.CODES_REGENERATED, user.id)
    return codes


async def _new_codes(session: AsyncSession, runtime: TwoFactorRuntime, user_id: UUID) -> list[str]:
    codes = recovery.new_codes(runtime.settings.recovery_codes)
    await repository.replace_codes(session, user_id, [recovery.code_hash(c) for c in codes])
    return codes


async def limit_codes(runtime: TwoFactorRuntime, user_id: UUID) -> None:
    """429 ``TWOFACTOR_RATE_LIMITED`` past the user's code attempts (the budget the two-step
    login counts too), so nobody guesses codes to remove a factor."""
    if (wait := await runtime.limiter.hit(runtime.per_user, f"user:{user_id}")) is not None:
        raise TwoFactorRateLimited(headers={"Retry-After": str(wait)})


async def status(session: AsyncSession, user: User) -> StatusRead:
    factor = await repository.get(session, user.id)
    enabled = factor is not None and factor.is_enabled
    return StatusRead(
        enabled=enabled,
        pending=factor is not None and not factor.is_enabled,
        enabled_at=factor.enabled_at if factor is not None else None,
        recovery_codes_left=await repository.codes_left(session, user.id) if enabled else 0,
        required_by_role=await rbac_repository.requires_second_factor(session, user.id),
    )


async def active_factor(session: AsyncSession, user_id: UUID) -> SecondFactor | None:
    factor = await repository.get(session, user_id)
    return factor if factor is not None and factor.is_enabled else None


async def check_code(
    session: AsyncSession, runtime: TwoFactorRuntime, factor: SecondFactor, data: OneCode
) -> None:
    """A current TOTP code (taken once) or an unused recovery code (used up); else 401."""
    if data.code is not None:
        await _check_totp(runtime, factor, data.code)
        return
    assert data.recovery_code is not None
    value = recovery.code_hash(data.recovery_code)
    if not await repository.use_code(session, factor.user_id, value, utcnow()):
        raise TwoFactorInvalidCode("The recovery code is not valid, or was used already.")


async def _check_totp(runtime: TwoFactorRuntime, factor: SecondFactor, code: str) -> None:
    try:
        secret = runtime.box.open(factor.secret)
    except InvalidToken:
        log.error("second_factor_undecryptable", user_id=str(factor.user_id))
        raise TwoFactorInvalidCode() from None
    step = runtime.totp.matched_step(secret, code)
    if step is None:
        raise TwoFactorInvalidCode()
    if not await runtime.tickets.claim_step(factor.user_id, step, runtime.step_ttl):
        raise TwoFactorInvalidCode("This code was used already; wait for the next one.")


async def disable(
    session: AsyncSession,
    auth: AuthRuntime,
    runtime: TwoFactorRuntime,
    user: User,
    data: DisableRequest,
    client: ClientInfo,
) -> None:
    """Remove the caller's factor: current password and a current code; not while a role of
    theirs requires one."""
    factor = await active_factor(session, user.id)
    if factor is None:
        raise TwoFactorNotEnabled()
    if await rbac_repository.requires_second_factor(session, user.id):
        raise TwoFactorRequiredByRole()
    await auth_service.confirm_password(auth, user, data.kid, data.password, client)
    await limit_codes(runtime, user.id)
    await check_code(session, runtime, factor, data)
    await repository.delete_of_user(session, user.id)
    await _changed(session, auth.settings, user, FactorAction.DISABLED, user.id)


async def reset(session: AsyncSession, settings: Settings, actor: Actor, user_id: UUID) -> User:
    """An administrator removes a user's factor (lost phone): the delegation rule applies
    (never one's own, only superusers on superusers); mailed, recorded, sessions ended."""
    target = await users_service.get(session, user_id)
    if target is None:
        raise UserNotFound()
    delegation.require_not_self(actor, target.id, "reset the second factor of")
    await delegation.check_user(session, actor, target)
    if await active_factor(session, target.id) is None:
        raise TwoFactorNotEnabled()
    await repository.delete_of_user(session, target.id)
    log.info("second_factor_reset", user_id=str(target.id), actor_id=str(actor.user_id))
    await _changed(session, settings, target, FactorAction.RESET, actor.user_id)
    # Ended by rbac's access hook before the answer (503 RBAC_PROPAGATION_FAILED if Redis
    # cannot be told), so "sessionsEnded" is never said of sessions still alive.
    access_changes.noted(session).revoke_sessions(target.id)
    return target


async def _changed(
    session: AsyncSession,
    settings: Settings,
    user: User,
    action: FactorAction,
    actor_id: UUID | None,
) -> None:
    """Record a change of the user's factor and mail them about it, both once committed."""
    await _record(session, user.id, action, actor_id)
    await _mail(session, settings, user, TEMPLATES[action])


async def _mail(session: AsyncSession, settings: Settings, user: User, template: str) -> None:
    if MAIL_DOMAIN not in settings.domains or not user.email:
        return
    from atrium.mail import service as mail_service
    from atrium.mail.settings import MailSettings

    context = {"username": user.username, "project": settings.project_name}
    await mail_service.queue(
        settings.group(MailSettings),
        [user.email],
        template,
        context,
        session=session,
        package=__package__,
    )


async def _record(
    session: AsyncSession, user_id: UUID, action: FactorAction, actor_id: UUID | None
) -> None:
    """The event document, written once the change is committed."""

    async def write() -> None:
        await SecondFactorEvent(user_id=user_id, action=action, actor_id=actor_id).insert()

    after_commit(session, write)


async def rotate_keys(session: AsyncSession, box: SecretBox) -> int:
    """Re-encrypt every secret under the first key; the number of secrets rewritten."""
    count = 0
    async for factors in repository.batches(session):
        for factor in factors:
            factor.secret = box.rotate(factor.secret)
            session.add(factor)
            count += 1
        await session.flush()
    return count
