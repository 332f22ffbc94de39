"""The worker's half of the enumeration-safe flows (the request's is ``accounts.requests``):
look the account up and mail. The owner of an address already registered is told so (nothing is
revealed to the registrant), an unknown address for a reset gets nothing, and a registrant whose
username is taken learns it by mail, at the address they gave.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.accounts import mails, repository, tokens
from atrium.accounts.models import TokenPurpose
from atrium.accounts.settings import REGISTRATION, AccountsSettings, RegistrationMode
from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.parameters import current
from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import User, UserStatus
from atrium.users.schemas import UserCreate

SECONDS_PER_HOUR = 3600


async def mode(state: AppState) -> RegistrationMode:
    """Who may register now: an administrator's override of the setting, else the setting."""
    return RegistrationMode(str(await current(state, REGISTRATION)))


async def complete(
    settings: Settings,
    session: AsyncSession,
    data: UserCreate,
    password_hash: str,
    registration: RegistrationMode,
) -> User | None:
    """Create the pending user and mail the verification link, or mail why not."""
    email = str(data.email)
    owner = await users_service.get_by_email(session, email)
    if owner is not None:
        await mails.send(
            settings, session, owner.email, "already_registered", username=owner.username
        )
        return None
    if registration is RegistrationMode.INVITE:
        # An invited address joins through its invitation's link, never here: whoever knows the
        # address could otherwise pick the password of an account the invitation's roles go to.
        invited = await repository.live_invitation(session, email, utcnow()) is not None
        await mails.send(
            settings, session, email, "use_invitation" if invited else "invitation_needed"
        )
        return None
    if await users_service.get_by_username(session, data.username) is not None:
        await mails.send(settings, session, email, "username_taken", username=data.username)
        return None
    user = await users_service.create_hashed(session, data, password_hash, UserStatus.PENDING)
    await send_verification(settings, session, user)
    return user


async def send_verification(settings: Settings, session: AsyncSession, user: User) -> None:
    ttl = settings.group(AccountsSettings).verify_ttl_seconds
    issued = await tokens.issue(session, TokenPurpose.VERIFY_EMAIL, ttl, user_id=user.id)
    path = settings.group(AccountsSettings).verify_path
    await mails.send(
        settings,
        session,
        user.email,
        "verify",
        username=user.username,
        link=mails.link(settings, path, issued.token),
        hours=ttl // SECONDS_PER_HOUR,
    )


async def resend(settings: Settings, session: AsyncSession, email: str) -> bool:
    """A new verification link for a pending registration of ``email``."""
    user = await users_service.get_by_email(session, email)
    if user is None or not user.is_pending:
        return False
    await send_verification(settings, session, user)
    return True


async def forgot(settings: Settings, session: AsyncSession, login: str) -> bool:
    """A reset link for the account ``login`` names (nothing for an unknown or disabled one)."""
    user = await users_service.get_by_login(session, login.strip())
    if user is None or user.status == UserStatus.DISABLED:
        return False
    accounts = settings.group(AccountsSettings)
    ttl = accounts.reset_ttl_seconds
    issued = await tokens.issue(session, TokenPurpose.RESET_PASSWORD, ttl, user_id=user.id)
    await mails.send(
        settings,
        session,
        user.email,
        "reset",
        username=user.username,
        link=mails.link(settings, accounts.reset_path, issued.token),
        minutes=ttl // 60,
    )
    return True
