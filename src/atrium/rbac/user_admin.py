"""User administration: it touches users, roles, permission caches and sessions at once, so it
lives above all of them. Functions flush; the session's commit invalidates what they changed and
ends the sessions they noted (``rbac.changes``), before the caller goes on.

Every change goes through the delegation rule (``atrium.rbac.delegation``) first: the caller
must cover the target user's grants and every role handed out or taken away; only superusers
touch superusers and the superuser flag; nobody changes their own roles or status here."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.mapping import FieldMap
from atrium.core.pages import Page, PageParams, make_page, paginate
from atrium.core.security.passwords import PasswordHasher
from atrium.rbac import delegation, repository
from atrium.rbac.changes import noted
from atrium.rbac.delegation import Actor
from atrium.rbac.errors import LastSuperuser, RoleNotFound, UserNotFound
from atrium.rbac.models import Role
from atrium.rbac.schemas import AdminUserCreate, AdminUserRead, AdminUserUpdate, RoleBrief
from atrium.users import service as users_service
from atrium.users.models import User, UserStatus
from atrium.users.schemas import UserCreate, UserUpdate
from atrium.users.service import PasswordPolicy

# The roles are linked after the user exists.
ADMIN_USER_CREATE = FieldMap(AdminUserCreate, UserCreate, handled={"role_ids"})


async def get_user(session: AsyncSession, user_id: UUID) -> User:
    user = await users_service.get(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def read(session: AsyncSession, user: User) -> AdminUserRead:
    roles = await repository.roles_of_user(session, user.id)
    return _read(user, roles)


def _read(user: User, roles: Collection[object]) -> AdminUserRead:
    briefs = [RoleBrief.model_validate(role, from_attributes=True) for role in roles]
    return AdminUserRead.model_validate({**_user_fields(user), "roles": briefs})


def _user_fields(user: User) -> dict[str, object]:
    return {name: getattr(user, name) for name in AdminUserRead.model_fields if name != "roles"}


async def list_users(
    session: AsyncSession,
    params: PageParams,
    *,
    q: str | None,
    status: UserStatus | None,
    role_id: UUID | None,
    is_superuser: bool | None,
) -> Page[AdminUserRead]:
    query = repository.users_query(q, status, role_id, is_superuser)
    page = await paginate(session, query, params)
    roles = await repository.roles_of_users(session, [user.id for user in page.items])
    return make_page([_read(user, roles[user.id]) for user in page.items], page.total, params)


async def _roles(session: AsyncSession, role_ids: Collection[UUID]) -> list[Role]:
    wanted = set(role_ids)
    roles = await repository.roles_by_ids(session, wanted)
    if missing := wanted - {role.id for role in roles}:
        raise RoleNotFound(f"No such role: {sorted(map(str, missing))[0]}.")
    return roles


async def create_user(
    session: AsyncSession,
    actor: Actor,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    data: AdminUserCreate,
) -> User:
    """A new active user with the given roles (each covered by the caller's grants)."""
    if data.is_superuser:
        delegation.require_superuser(actor, "create a superuser")
    roles = await _roles(session, data.role_ids)
    await delegation.check_roles(session, actor, roles)
    role_ids = {role.id for role in roles}
    user = await users_service.create(session, hasher, policy, ADMIN_USER_CREATE.create(data))
    await repository.set_user_roles(session, user.id, role_ids)
    return user


async def update_user(
    session: AsyncSession, actor: Actor, user: User, data: AdminUserUpdate
) -> User:
    """Change the email, display name or (superusers only) the superuser flag."""
    await delegation.check_user(session, actor, user)
    if data.is_superuser is not None and data.is_superuser != user.is_superuser:
        delegation.require_superuser(actor, "set or clear the superuser flag")
    await users_service.update(
        session, user, UserUpdate(email=data.email, display_name=data.display_name)
    )
    if data.is_superuser is not None and data.is_superuser != user.is_superuser:
        if not data.is_superuser:
            await _keep_a_superuser(session, user)
        user.is_superuser = data.is_superuser
        await session.flush()
    return user


async def _keep_a_superuser(session: AsyncSession, user: User) -> None:
    if not user.is_superuser or user.status != UserStatus.ACTIVE:
        return
    if not await repository.count_other_active_superusers(session, user.id):
        raise LastSuperuser()


async def set_status(session: AsyncSession, actor: Actor, user: User, status: UserStatus) -> User:
    """Enable or disable; disabling ends every session of the user, on every node."""
    delegation.require_not_self(actor, user.id, "enable or disable")
    await delegation.check_user(session, actor, user)
    if status == user.status:
        return user
    if status == UserStatus.DISABLED:
        await _keep_a_superuser(session, user)
        noted(session).revoke_sessions(user.id)
    await users_service.set_status(session, user, status)
    return user


async def reset_password(
    session: AsyncSession,
    actor: Actor,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    user: User,
    password: str,
) -> None:
    """Set a new password (under the policy) and end the user's sessions."""
    await delegation.check_user(session, actor, user)
    await users_service.set_password(session, hasher, policy, user, password)
    noted(session).revoke_sessions(user.id)


async def end_sessions(session: AsyncSession, actor: Actor, user: User) -> None:
    """Log a user out everywhere (their sockets too)."""
    await delegation.check_user(session, actor, user)
    noted(session).revoke_sessions(user.id)


async def set_roles(
    session: AsyncSession, actor: Actor, user: User, role_ids: Collection[UUID]
) -> User:
    """Replace the user's roles; every role added or removed must be covered by the caller."""
    delegation.require_not_self(actor, user.id, "change the roles of")
    await delegation.check_user(session, actor, user)
    wanted = await _roles(session, role_ids)
    await delegation.check_role_change(session, actor, user.id, wanted)
    await repository.set_user_roles(session, user.id, {role.id for role in wanted})
    return user


async def delete_user(session: AsyncSession, actor: Actor, user: User) -> None:
    """Delete a user (their role links go too) and end their sessions."""
    delegation.require_not_self(actor, user.id, "delete")
    await delegation.check_user(session, actor, user)
    await _keep_a_superuser(session, user)
    noted(session).revoke_sessions(user.id)
    await session.delete(user)
    await session.flush()
