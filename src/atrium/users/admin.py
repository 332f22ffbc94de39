"""User administration: find, list, create, change, enable or disable, reset the password, log
out everywhere or end one session, delete, under the users domain's rules (a free username and
email, a password under the policy, one active superuser always left).

What other domains add comes through the hooks (``atrium.users.hooks``): every change passes
their guards first (RBAC's delegation rule) and is told to their listeners once made (RBAC ends
the user's sessions on commit). Functions flush; the caller's session commits.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.pages import Page, PageParams, paginate
from atrium.core.security.passwords import PasswordHasher
from atrium.users import repository, service
from atrium.users.errors import LastSuperuser, UserNotFound
from atrium.users.hooks import Acting, UserAction, UserChange, UserHooks
from atrium.users.models import User, UserStatus
from atrium.users.schemas import AdminUserUpdate, UserCreate, UserUpdate
from atrium.users.service import PasswordPolicy


async def get(session: AsyncSession, user_id: UUID) -> User:
    """The user; 404 ``USER_NOT_FOUND``."""
    user = await repository.get(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def list_users(
    session: AsyncSession,
    params: PageParams,
    *,
    q: str | None = None,
    status: UserStatus | None = None,
    is_superuser: bool | None = None,
    among: Select[Any] | None = None,
) -> Page[User]:
    """One page of users, newest first; ``among`` (a select of user ids) narrows it, in the
    same query."""
    query = repository.list_query(q, status, is_superuser, among)
    page: Page[User] = await paginate(session, query, params)
    return page


async def create(
    session: AsyncSession,
    hooks: UserHooks,
    acting: Acting,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    data: UserCreate,
) -> User:
    """A new active user (password under the policy)."""
    await hooks.check(session, acting, UserChange(UserAction.CREATE, None, data.is_superuser))
    user = await service.create(session, hasher, policy, data)
    await hooks.changed(session, UserChange(UserAction.CREATE, user, data.is_superuser))
    return user


async def update(
    session: AsyncSession, hooks: UserHooks, acting: Acting, user: User, data: AdminUserUpdate
) -> User:
    """Change the email, display name or the superuser flag."""
    flag = data.is_superuser if data.is_superuser != user.is_superuser else None
    change = UserChange(UserAction.UPDATE, user, flag)
    await hooks.check(session, acting, change)
    fields = UserUpdate(email=data.email, display_name=data.display_name)
    await service.update(session, user, fields)
    if flag is not None:
        if not flag:
            await _keep_a_superuser(session, user)
        user.is_superuser = flag
        await session.flush()
    await hooks.changed(session, change)
    return user


async def _keep_a_superuser(session: AsyncSession, user: User) -> None:
    """409 ``LAST_SUPERUSER`` when ``user`` is the last active superuser."""
    if not user.is_superuser or user.status != UserStatus.ACTIVE:
        return
    if not await repository.count_other_active_superusers(session, user.id):
        raise LastSuperuser()


async def set_status(
    session: AsyncSession, hooks: UserHooks, acting: Acting, user: User, status: UserStatus
) -> User:
    """Enable or disable (the listeners end a disabled user's sessions)."""
    change = UserChange(UserAction.SET_STATUS, user, status=status)
    await hooks.check(session, acting, change)
    if status == user.status:
        return user
    if status == UserStatus.DISABLED:
        await _keep_a_superuser(session, user)
    await service.set_status(session, user, status)
    await hooks.changed(session, change)
    return user


async def reset_password(
    session: AsyncSession,
    hooks: UserHooks,
    acting: Acting,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    user: User,
    password: str,
) -> None:
    """Set a new password under the policy (the listeners end the user's sessions)."""
    change = UserChange(UserAction.RESET_PASSWORD, user)
    await hooks.check(session, acting, change)
    await service.set_password(session, hasher, policy, user, password)
    await hooks.changed(session, change)


async def end_sessions(session: AsyncSession, hooks: UserHooks, acting: Acting, user: User) -> None:
    """Log a user out everywhere: the listeners end their sessions (and sockets)."""
    change = UserChange(UserAction.END_SESSIONS, user)
    await hooks.check(session, acting, change)
    await hooks.changed(session, change)


async def end_session(
    session: AsyncSession, hooks: UserHooks, acting: Acting, user: User, session_id: str
) -> None:
    """End one session of a user: the listeners end it (and its sockets); a guard of the
    domain that keeps sessions refuses one that is not the user's."""
    change = UserChange(UserAction.END_SESSION, user, session_id=session_id)
    await hooks.check(session, acting, change)
    await hooks.changed(session, change)


async def delete(session: AsyncSession, hooks: UserHooks, acting: Acting, user: User) -> None:
    """Delete a user (rows that reference them go with them; the listeners end their sessions)."""
    change = UserChange(UserAction.DELETE, user)
    await hooks.check(session, acting, change)
    await _keep_a_superuser(session, user)
    await session.delete(user)
    await session.flush()
    await hooks.changed(session, change)
