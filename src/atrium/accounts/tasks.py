"""The account tasks: the lookups and mails of the enumeration-safe flows (the request answered
already, the same either way), the hourly purge of expired tokens and the daily purge of
registrations never verified."""

from __future__ import annotations

from datetime import timedelta

from atrium.accounts import registration, repository
from atrium.accounts.settings import AccountsSettings
from atrium.core.clock import utcnow
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task
from atrium.users import service as users_service
from atrium.users.schemas import UserCreate


@task(name="accounts.complete_registration")
async def complete_registration(
    username: str, email: str, display_name: str, password_hash: str
) -> bool:
    """Create the pending account and mail its verification link (or mail the owner)."""
    state = await worker_state()
    data = UserCreate(username=username, email=email, display_name=display_name)
    mode = await registration.mode(state)
    async with state.db.session() as session:
        created = await registration.complete(state.settings, session, data, password_hash, mode)
    return created is not None


@task(name="accounts.resend_verification")
async def resend_verification(email: str) -> bool:
    """Mail a new verification link to a registration still waiting for one."""
    state = await worker_state()
    async with state.db.session() as session:
        return await registration.resend(state.settings, session, email)


@task(name="accounts.forgot_password")
async def forgot_password(login: str) -> bool:
    """Mail a reset link to the account ``login`` names, if any."""
    state = await worker_state()
    async with state.db.session() as session:
        return await registration.forgot(state.settings, session, login)


@task(name="accounts.purge_tokens", schedulable=True)
async def purge_tokens(grace_hours: int = 24) -> int:
    """Delete the tokens expired more than ``grace_hours`` ago; how many."""
    state = await worker_state()
    async with state.db.session() as session:
        return await repository.purge(session, utcnow() - timedelta(hours=grace_hours))


@task(name="accounts.purge_unverified", schedulable=True)
async def purge_unverified(days: int | None = None) -> int:
    """Delete the registrations not verified within ``days`` (default
    ``ATRIUM_ACCOUNTS__UNVERIFIED_TTL_DAYS``); how many."""
    state = await worker_state()
    ttl = days if days is not None else state.settings.group(AccountsSettings).unverified_ttl_days
    async with state.db.session() as session:
        return await users_service.delete_unverified(session, utcnow() - timedelta(days=ttl))
