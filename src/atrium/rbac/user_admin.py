"""RBAC's part of user administration (the rest is ``atrium.users.admin``): the roles of a user,
and the two hooks RBAC adds to every user change (``register``).

- The guard is the delegation rule (``atrium.rbac.delegation``): the caller must cover the
  target user's grants; only superusers touch superusers and the superuser flag; nobody enables,
  disables or deletes themselves. Roles handed out (at creation or later) must be covered too,
  and nobody changes their own roles.
- The listener notes the sessions to end (``rbac.changes``) of a user disabled, deleted, logged
  out everywhere or given a new password, or the one session an administrator ends: the
  session's commit ends them on every node, and auth's revocation event disconnects the user's
  sockets, before the caller goes on.

Functions flush; the session's commit invalidates what they changed.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth import service as auth_service
from atrium.auth.errors import SessionNotFound
from atrium.auth.schemas import SessionRead
from atrium.auth.sessions import SessionStore
from atrium.core.mapping import FieldMap
from atrium.core.pages import Page, PageParams, make_page
from atrium.core.security.passwords import PasswordHasher
from atrium.rbac import delegation, repository
from atrium.rbac.changes import noted
from atrium.rbac.delegation import Actor
from atrium.rbac.errors import RoleNotFound
from atrium.rbac.models import Role
from atrium.rbac.schemas import AdminUserCreate, AdminUserRead, RoleBrief
from atrium.users import admin as users_admin
from atrium.users.hooks import Acting, UserAction, UserChange, UserHooks
from atrium.users.models import User, UserStatus
from atrium.users.schemas import UserCreate
from atrium.users.service import PasswordPolicy

# The roles are linked after the user exists.
ADMIN_USER_CREATE = FieldMap(AdminUserCreate, UserCreate, handled={"role_ids"})
# The changes after which the user's sessions end (a status change only when disabling).
ENDS_SESSIONS = frozenset({UserAction.RESET_PASSWORD, UserAction.END_SESSIONS, UserAction.DELETE})


def register(hooks: UserHooks) -> None:
    """Add RBAC's guard and listener to the app's user hooks (at build time)."""
    hooks.add_guard(delegation_guard)
    hooks.add_listener(end_sessions)


def _actor(acting: Acting) -> Actor:
    # Someone acting without RBAC's view of them holds no grants: they cover nobody's.
    return acting if isinstance(acting, Actor) else Actor(acting.user_id, acting.is_superuser, ())


async def delegation_guard(session: AsyncSession, acting: Acting, change: UserChange) -> None:
    """May ``acting`` make this change? (403 ``DELEGATION_*`` or ``CANNOT_CHANGE_SELF``)"""
    actor, user = _actor(acting), change.user
    if change.action is UserAction.CREATE:
        if change.is_superuser:
            delegation.require_superuser(actor, "create a superuser")
        return
    assert user is not None, "every change but a creation names its user"
    if change.action is UserAction.SET_STATUS:
        delegation.require_not_self(actor, user.id, "enable or disable")
    elif change.action is UserAction.DELETE:
        delegation.require_not_self(actor, user.id, "delete")
    await delegation.check_user(session, actor, user)
    if change.action is UserAction.UPDATE and change.is_superuser is not None:
        delegation.require_superuser(actor, "set or clear the superuser flag")


async def end_sessions(session: AsyncSession, change: UserChange) -> None:
    """Note the sessions the change ends; the commit ends them (``rbac.propagation``)."""
    disabled = change.action is UserAction.SET_STATUS and change.status == UserStatus.DISABLED
    if change.user is None:
        return
    if disabled or change.action in ENDS_SESSIONS:
        noted(session).revoke_sessions(change.user.id)
    elif change.action is UserAction.END_SESSION and change.session_id is not None:
        noted(session).revoke_session(change.user.id, change.session_id)


async def list_sessions(
    session: AsyncSession, actor: Actor, store: SessionStore, user: User, current: str | None
) -> list[SessionRead]:
    """The user's live sessions (devices), for a caller who covers them (the delegation rule):
    the caller's own ``current`` session flagged."""
    await delegation.check_user(session, actor, user)
    return await auth_service.sessions_of(store, user.id, current)


async def end_session(
    session: AsyncSession,
    hooks: UserHooks,
    actor: Actor,
    store: SessionStore,
    user: User,
    session_id: str,
) -> None:
    """End one session of the user on every node once the request commits: the delegation
    rule first (403), then 404 ``SESSION_NOT_FOUND`` for a session that is not theirs."""

    async def owned(session: AsyncSession, acting: Acting, change: UserChange) -> None:
        if await store.owner(session_id) != user.id:
            raise SessionNotFound()

    await users_admin.end_session(session, hooks.with_guard(owned), actor, user, session_id)


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
    """One page of users with their roles: the users query (filtered by role inside it), then
    the page's roles in one more."""
    among = repository.members_query(role_id) if role_id is not None else None
    page = await users_admin.list_users(
        session, params, q=q, status=status, is_superuser=is_superuser, among=among
    )
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
    hooks: UserHooks,
    actor: Actor,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    data: AdminUserCreate,
) -> User:
    """A new active user with the given roles (each covered by the caller's grants)."""
    roles: list[Role] = []

    async def roles_covered(session: AsyncSession, acting: Acting, change: UserChange) -> None:
        roles.extend(await _roles(session, data.role_ids))
        await delegation.check_roles(session, actor, roles)

    checked = hooks.with_guard(roles_covered)
    wanted = ADMIN_USER_CREATE.create(data)
    user = await users_admin.create(session, checked, actor, hasher, policy, wanted)
    await repository.set_user_roles(session, user.id, {role.id for role in roles})
    return user


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
