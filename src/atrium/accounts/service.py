"""The token flows: verify an address, reset a password, change the email, invite and accept,
and the set-your-password mail of a user an administrator created.

Functions flush and never commit: the request's session commits, and what must follow the
commit is queued on it (the mails) or noted in its unit of work (ending every session after a
reset, done by rbac's access hook before the request answers).
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.accounts import mails, repository, tokens
from atrium.accounts.errors import (
    InvitationAddressTaken,
    InvitationNotFound,
    InvitationWithdrawn,
    TokenInvalid,
)
from atrium.accounts.limits import AccountLimiter
from atrium.accounts.models import AccountToken, TokenPurpose
from atrium.accounts.schemas import (
    AccountCreated,
    EmailChange,
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
    PasswordResetByToken,
)
from atrium.accounts.settings import AccountsSettings
from atrium.auth import service as auth_service
from atrium.auth.principal import ClientInfo
from atrium.auth.runtime import AuthRuntime
from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.pages import Page, PageParams, make_page
from atrium.rbac import changes as access_changes
from atrium.rbac import delegation
from atrium.rbac import repository as rbac_repository
from atrium.rbac.delegation import Actor
from atrium.rbac.errors import DelegationDenied, RoleNotFound
from atrium.rbac.models import Role
from atrium.users import service as users_service
from atrium.users.models import User
from atrium.users.schemas import UserCreate

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 24 * SECONDS_PER_HOUR
RESET_PURPOSES = (TokenPurpose.RESET_PASSWORD, TokenPurpose.SET_PASSWORD)
CREDENTIAL_PURPOSES = (*RESET_PURPOSES, TokenPurpose.CHANGE_EMAIL)


async def _owner(session: AsyncSession, row: AccountToken) -> User:
    user = await users_service.get(session, row.user_id) if row.user_id else None
    if user is None:
        raise TokenInvalid()
    return user


async def verify(session: AsyncSession, token: str) -> None:
    """Spend a verification link: the address is verified, a pending account becomes active."""
    row = await tokens.spend(session, token, (TokenPurpose.VERIFY_EMAIL,))
    await users_service.mark_email_verified(session, await _owner(session, row))


async def reset_password(
    auth: AuthRuntime, session: AsyncSession, data: PasswordResetByToken
) -> None:
    """Spend a reset (or set-your-password) link: the new password, every session ended."""
    password = await auth_service.decrypt_password(auth, data.kid, data.password)
    row = await tokens.spend(session, data.token, RESET_PURPOSES)
    user = await _owner(session, row)
    await users_service.set_password(session, auth.hasher, auth.policy, user, password)
    await users_service.mark_email_verified(session, user)  # the link reached the address
    # Every other link that sets the password, or changes the address, dies with this one.
    await repository.spend_all(session, user.id, CREDENTIAL_PURPOSES, utcnow())
    # Ended by the access commit hook before the answer: if Redis cannot be told, the reset is
    # saved but the caller gets 503 RBAC_PROPAGATION_FAILED rather than a false success.
    access_changes.noted(session).revoke_sessions(user.id)


async def request_email_change(
    auth: AuthRuntime,
    limiter: AccountLimiter,
    session: AsyncSession,
    user: User,
    data: EmailChange,
    client: ClientInfo,
) -> None:
    """With the current password: a confirmation link to the new address (or, when the new
    address has an account, a notice to it: the caller learns nothing either way)."""
    await limiter.hit("email", client.ip, str(user.id))
    await auth_service.confirm_password(auth, user, data.kid, data.current_password, client)
    settings, email = auth.settings, str(data.email)
    if await users_service.get_by_email(session, email) is not None:
        await mails.send(settings, session, email, "email_in_use")
        return
    accounts = settings.group(AccountsSettings)
    ttl = accounts.email_change_ttl_seconds
    issued = await tokens.issue(
        session, TokenPurpose.CHANGE_EMAIL, ttl, user_id=user.id, email=email
    )
    link = mails.link(settings, accounts.email_change_path, issued.token)
    await mails.send(
        settings,
        session,
        email,
        "email_change",
        username=user.username,
        link=link,
        hours=ttl // SECONDS_PER_HOUR,
    )


async def confirm_email_change(settings: Settings, session: AsyncSession, token: str) -> None:
    """Spend an email-change link: the new address is the account's, the old one is told."""
    row = await tokens.spend(session, token, (TokenPurpose.CHANGE_EMAIL,))
    user = await _owner(session, row)
    if row.email is None:
        raise TokenInvalid()
    old = user.email
    await users_service.change_email(session, user, row.email)
    # Links mailed to the old address (or to another new one) no longer speak for the account.
    await repository.spend_all(session, user.id, CREDENTIAL_PURPOSES, utcnow())
    await mails.send(
        settings, session, old, "email_changed", username=user.username, new_email=row.email
    )


async def invite(
    settings: Settings, session: AsyncSession, actor: Actor, data: InvitationCreate
) -> InvitationRead:
    """Invite an address into roles the inviter's own grants cover."""
    wanted = set(data.role_ids)
    roles = await rbac_repository.roles_by_ids(session, wanted)
    if missing := wanted - {role.id for role in roles}:
        raise RoleNotFound(f"No such role: {sorted(map(str, missing))[0]}.")
    await delegation.check_roles(session, actor, roles)
    email = str(data.email)
    if await users_service.get_by_email(session, email) is not None:
        raise InvitationAddressTaken()
    accounts = settings.group(AccountsSettings)
    ttl = accounts.invitation_ttl_seconds
    issued = await tokens.issue(
        session,
        TokenPurpose.INVITATION,
        ttl,
        email=email,
        role_ids=wanted,
        invited_by=actor.user_id,
    )
    inviter = await _inviter(session, actor.user_id)
    link = mails.link(settings, accounts.invitation_path, issued.token)
    await mails.send(
        settings,
        session,
        email,
        "invitation",
        inviter=inviter,
        link=link,
        days=ttl // SECONDS_PER_DAY,
    )
    return invitation_read(issued.row)


def invitation_read(row: AccountToken) -> InvitationRead:
    return InvitationRead(
        id=row.id,
        email=row.email or "",
        role_ids=sorted(UUID(role_id) for role_id in row.role_ids),
        expires_at=row.expires_at,
        invited_by=row.invited_by,
        created_at=row.created_at,
    )


async def list_invitations(session: AsyncSession, params: PageParams) -> Page[InvitationRead]:
    """The invitations still waiting to be accepted, newest first."""
    found = await repository.page_invitations(session, params, utcnow())
    items = [invitation_read(row) for row in found.items]
    return make_page(items, found.total, params)


async def revoke_invitation(session: AsyncSession, actor: Actor, invitation_id: UUID) -> None:
    """Withdraw a waiting invitation (its roles covered by the caller's grants, as to make it)."""
    row = await repository.live_invitation_by_id(session, invitation_id, utcnow())
    if row is None:
        raise InvitationNotFound()
    await delegation.check_roles(session, actor, await _roles(session, row.role_ids))
    await repository.remove(session, row)


async def _roles(session: AsyncSession, role_ids: list[str]) -> list[Role]:
    return await rbac_repository.roles_by_ids(session, {UUID(role_id) for role_id in role_ids})


async def _grant_roles(session: AsyncSession, user: User, role_ids: list[str]) -> None:
    """The invitation's roles that still exist."""
    if roles := await _roles(session, role_ids):
        await rbac_repository.set_user_roles(session, user.id, {role.id for role in roles})


async def _still_invited(session: AsyncSession, row: AccountToken) -> None:
    """The inviter must still be active and still cover the roles when the invitation is
    accepted, not only when it was made (system invitations have no inviter)."""
    if row.invited_by is None:
        return
    inviter = await delegation.current(session, row.invited_by)
    if inviter is None:
        raise InvitationWithdrawn()
    try:
        await delegation.check_roles(session, inviter, await _roles(session, row.role_ids))
    except DelegationDenied as exc:
        raise InvitationWithdrawn() from exc


async def _inviter(session: AsyncSession, user_id: UUID | None) -> str:
    user = await users_service.get(session, user_id) if user_id else None
    return user.display_name or user.username if user is not None else "An administrator"


async def accept_invitation(
    auth: AuthRuntime, session: AsyncSession, data: InvitationAccept
) -> AccountCreated:
    """Spend an invitation: an active user with the invitation's roles and this password."""
    password = await auth_service.decrypt_password(auth, data.kid, data.password)
    row = await tokens.spend(session, data.token, (TokenPurpose.INVITATION,))
    if row.email is None:
        raise TokenInvalid()
    await _still_invited(session, row)
    wanted = UserCreate(
        username=data.username, email=row.email, display_name=data.display_name, password=password
    )
    user = await users_service.create(session, auth.hasher, auth.policy, wanted)
    await users_service.mark_email_verified(session, user)  # the invitation reached it
    await _grant_roles(session, user, row.role_ids)
    return AccountCreated(user_id=user.id, username=user.username)


async def welcome(settings: Settings, session: AsyncSession, user: User) -> None:
    """Mail a user an administrator created the link to set their password."""
    accounts = settings.group(AccountsSettings)
    ttl = accounts.invitation_ttl_seconds
    issued = await tokens.issue(session, TokenPurpose.SET_PASSWORD, ttl, user_id=user.id)
    link = mails.link(settings, accounts.reset_path, issued.token)
    await mails.send(
        settings,
        session,
        user.email,
        "welcome",
        username=user.username,
        link=link,
        days=ttl // SECONDS_PER_DAY,
    )
