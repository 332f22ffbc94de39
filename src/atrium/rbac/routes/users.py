"""User administration: list, get, create, update, enable/disable, reset password, roles,
sessions (list, end one, end all), delete.

The rules are the users domain's (``atrium.users.admin``); these routes add the roles of each
user (``atrium.rbac.user_admin``) and act as the caller's RBAC actor. Each route is protected by
its own derived code, and every change passes the delegation rule (RBAC's guard on the user
hooks): 403 ``DELEGATION_EXCEEDS_GRANTS``, ``DELEGATION_SUPERUSER_ONLY`` or
``CANNOT_CHANGE_SELF``; seeing a user's sessions needs the same cover. Disabling, resetting a
password, ending sessions and deleting end the user's sessions on every node before the answer.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from atrium.auth import service as auth_service
from atrium.auth.deps import AuthDep, CurrentPrincipal
from atrium.auth.schemas import SessionRead
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, identity
from atrium.rbac import user_admin
from atrium.rbac.deps import ActorDep
from atrium.rbac.schemas import AdminUserCreate, AdminUserRead, UserRolesUpdate
from atrium.users import admin as users_admin
from atrium.users.deps import UserHooksDep
from atrium.users.models import UserStatus
from atrium.users.schemas import AdminUserUpdate, PasswordReset

router = APIRouter(prefix="/users", tags=["users"])
UserID = Annotated[UUID, Path()]
SessionID = Annotated[UUID, Path(description="A session id from GET /users/{user_id}/sessions")]
NOT_FOUND = error_responses(404)
ADMIN_ERRORS = error_responses(403, 404, 409)
WRITE_ERRORS = error_responses(403, 404, 409, 422)
# Another user's email, password or sessions: identity, which no API key manages.
IDENTITY = identity(Access.PERMISSION)


@router.get("")
async def list_users(
    session: SessionDep,
    params: PageParamsDep,
    q: Annotated[
        str | None, Query(max_length=64, description="Username, email or name contains")
    ] = None,
    status: UserStatus | None = None,
    role_id: Annotated[UUID | None, Query(alias="roleId")] = None,
    is_superuser: Annotated[bool | None, Query(alias="isSuperuser")] = None,
) -> Envelope[Page[AdminUserRead]]:
    """Users, newest first, filtered and in pages."""
    page = await user_admin.list_users(
        session, params, q=q, status=status, role_id=role_id, is_superuser=is_superuser
    )
    return ok(page)


@router.get("/{user_id}", responses=NOT_FOUND)
async def get(user_id: UserID, session: SessionDep) -> Envelope[AdminUserRead]:
    """One user with their roles."""
    return ok(await user_admin.read(session, await users_admin.get(session, user_id)))


@router.post("", status_code=201, responses=WRITE_ERRORS)
async def create(
    data: AdminUserCreate, session: SessionDep, actor: ActorDep, hooks: UserHooksDep, auth: AuthDep
) -> Envelope[AdminUserRead]:
    """Create a user with roles; they are mailed a link to set their password."""
    user = await user_admin.create_user(session, hooks, actor, auth.hasher, auth.policy, data)
    return ok(await user_admin.read(session, user))


@router.patch("/{user_id}", openapi_extra=IDENTITY, responses=WRITE_ERRORS)
async def update(
    user_id: UserID,
    data: AdminUserUpdate,
    session: SessionDep,
    actor: ActorDep,
    hooks: UserHooksDep,
) -> Envelope[AdminUserRead]:
    """Change a user's email, display name or superuser flag."""
    user = await users_admin.get(session, user_id)
    await users_admin.update(session, hooks, actor, user, data)
    return ok(await user_admin.read(session, user))


@router.post("/{user_id}/enable", responses=ADMIN_ERRORS)
async def enable(
    user_id: UserID, session: SessionDep, actor: ActorDep, hooks: UserHooksDep
) -> Envelope[AdminUserRead]:
    """Enable a user."""
    return ok(await _set_status(session, actor, hooks, user_id, UserStatus.ACTIVE))


@router.post("/{user_id}/disable", responses=ADMIN_ERRORS)
async def disable(
    user_id: UserID, session: SessionDep, actor: ActorDep, hooks: UserHooksDep
) -> Envelope[AdminUserRead]:
    """Disable a user: refused from the next request on, logged out everywhere."""
    return ok(await _set_status(session, actor, hooks, user_id, UserStatus.DISABLED))


async def _set_status(
    session: SessionDep, actor: ActorDep, hooks: UserHooksDep, user_id: UUID, status: UserStatus
) -> AdminUserRead:
    user = await users_admin.get(session, user_id)
    await users_admin.set_status(session, hooks, actor, user, status)
    return await user_admin.read(session, user)


@router.post(
    "/{user_id}/password", openapi_extra=IDENTITY, responses=error_responses(400, 403, 404, 422)
)
async def reset_password(
    user_id: UserID,
    data: PasswordReset,
    session: SessionDep,
    actor: ActorDep,
    hooks: UserHooksDep,
    auth: AuthDep,
) -> Envelope[None]:
    """Set a new password (RSA-encrypted, under the policy) for a user; their sessions end."""
    user = await users_admin.get(session, user_id)
    password = await auth_service.decrypt_password(auth, data.kid, data.password)
    await users_admin.reset_password(
        session, hooks, actor, auth.hasher, auth.policy, user, password
    )
    return ok(None)


@router.delete("/{user_id}/sessions", openapi_extra=IDENTITY, responses=ADMIN_ERRORS)
async def end_sessions(
    user_id: UserID, session: SessionDep, actor: ActorDep, hooks: UserHooksDep
) -> Envelope[None]:
    """Log a user out everywhere: every session and socket of theirs ends."""
    user = await users_admin.get(session, user_id)
    await users_admin.end_sessions(session, hooks, actor, user)
    return ok(None)


@router.get("/{user_id}/sessions", openapi_extra=IDENTITY, responses=ADMIN_ERRORS)
async def list_sessions(
    user_id: UserID,
    session: SessionDep,
    actor: ActorDep,
    auth: AuthDep,
    principal: CurrentPrincipal,
) -> Envelope[list[SessionRead]]:
    """A user's live sessions (devices), oldest first; never a token."""
    user = await users_admin.get(session, user_id)
    current = principal.session_id
    return ok(await user_admin.list_sessions(session, actor, auth.sessions, user, current))


@router.delete("/{user_id}/sessions/{session_id}", openapi_extra=IDENTITY, responses=ADMIN_ERRORS)
async def end_session(
    user_id: UserID,
    session_id: SessionID,
    session: SessionDep,
    actor: ActorDep,
    hooks: UserHooksDep,
    auth: AuthDep,
) -> Envelope[None]:
    """End one session of a user: its refresh token and sockets stop on every node."""
    user = await users_admin.get(session, user_id)
    await user_admin.end_session(session, hooks, actor, auth.sessions, user, str(session_id))
    return ok(None)


@router.put("/{user_id}/roles", responses=ADMIN_ERRORS)
async def set_roles(
    user_id: UserID, data: UserRolesUpdate, session: SessionDep, actor: ActorDep
) -> Envelope[AdminUserRead]:
    """Replace a user's roles; takes effect on their next request and their sockets' rooms."""
    user = await users_admin.get(session, user_id)
    await user_admin.set_roles(session, actor, user, data.role_ids)
    return ok(await user_admin.read(session, user))


@router.delete("/{user_id}", responses=ADMIN_ERRORS)
async def delete(
    user_id: UserID, session: SessionDep, actor: ActorDep, hooks: UserHooksDep
) -> Envelope[None]:
    """Delete a user and end their sessions."""
    user = await users_admin.get(session, user_id)
    await users_admin.delete(session, hooks, actor, user)
    return ok(None)
