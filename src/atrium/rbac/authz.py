"""Why a user may or may not call a route (``explain``), the delegation rule included: for an
admin route with a concrete target (``/users/{id}/roles`` with a real id), whether the user's
grants cover that target. (What a user may call and see is ``me``: ``atrium.rbac.me``.)"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.rbac import delegation, repository
from atrium.rbac.delegation import Actor
from atrium.rbac.errors import REFUSALS
from atrium.rbac.models import Role, RoleStatus
from atrium.rbac.patterns import matches, template_regex
from atrium.rbac.schemas import DelegationVerdict, ExplainRead, GrantMatch, RouteRef
from atrium.users import service as users_service
from atrium.users.models import User, UserStatus


def resolve_route(
    catalogue: RouteCatalogue, prefix: str, method: str, path: str
) -> RouteInfo | None:
    """The route a request ``method path`` would reach (a template or a concrete URL)."""
    method = method.upper()
    routes = [info for info in catalogue.under(prefix) if info.method == method]
    for info in routes:
        if info.path == path:
            return info
    for info in routes:  # registration order, as the router matches
        if template_regex(info.path).fullmatch(path):
            return info
    return None


async def explain(
    session: AsyncSession,
    catalogue: RouteCatalogue,
    prefix: str,
    user_id: UUID,
    method: str,
    path: str,
    given: DelegationInput | None = None,
    actor: Actor | None = None,
) -> ExplainRead:
    """Which role and grant allow ``method path`` for a user (acting as ``actor``, their
    effective set), or why it is refused."""
    route = resolve_route(catalogue, prefix, method, path)
    method = method.upper()
    if route is None:
        return ExplainRead(
            user_id=user_id,
            method=method,
            path=path,
            route=None,
            allowed=False,
            reason="NO_ROUTE",
            message="No API route matches this method and path.",
            matches=[],
        )
    ref = RouteRef(method=route.method, path=route.path, code=route.code, access=route.access.value)
    user = await users_service.get(session, user_id)
    found = await _matches(session, user_id, route.code)
    allowed, reason, message = _verdict(route, user, found)
    rule = None
    if allowed and actor is not None and route.access is Access.PERMISSION:
        rule = await explain_delegation(
            session, route, prefix, path, actor, given or DelegationInput()
        )
        if rule is not None and not rule.allowed:
            allowed, reason, message = False, rule.reason, rule.message
    return ExplainRead(
        user_id=user_id,
        method=method,
        path=path,
        route=ref,
        allowed=allowed,
        reason=reason,
        message=message,
        matches=found,
        delegation=rule,
    )


async def _matches(session: AsyncSession, user_id: UUID, code: str) -> list[GrantMatch]:
    roles = await repository.roles_of_user(session, user_id)
    grants = await repository.grants_of_roles(session, [role.id for role in roles])
    return [
        GrantMatch(
            role_id=role.id,
            role_code=role.code,
            role_name=role.name,
            role_status=role.status,
            grant=grant,
            effective=role.status == RoleStatus.ACTIVE,
        )
        for role in roles
        for grant in grants[role.id]
        if matches(grant, code)
    ]


def _verdict(route: RouteInfo, user: User | None, found: list[GrantMatch]) -> tuple[bool, str, str]:
    if route.access is Access.PUBLIC:
        return True, "PUBLIC", "The route is public."
    if user is None:
        return False, "USER_NOT_FOUND", "No such user."
    if user.status != UserStatus.ACTIVE:
        return False, "USER_DISABLED", "The user is disabled."
    if user.is_superuser:
        return True, "SUPERUSER", "Superusers pass every check."
    if route.access is Access.AUTHENTICATED:
        return True, "AUTHENTICATED", "Any logged-in user may call this route."
    if any(match.effective for match in found):
        return True, "GRANTED", f"Granted {route.code} by an active role."
    if found:
        return False, "ROLE_DISABLED", f"Only disabled roles grant {route.code}."
    return False, "NO_GRANT", f"No role of the user grants {route.code}."


# --- the delegation rule, explained ----------------------------------------------------------

Check = Callable[[AsyncSession, Actor, dict[str, str], "DelegationInput"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class DelegationInput:
    """What an admin request would hand out: its roles (``roleIds``) or grants (``grants``)."""

    role_ids: list[UUID] | None = None
    grants: list[str] | None = None


async def _target_user(session: AsyncSession, params: dict[str, str]) -> User | None:
    try:
        return await users_service.get(session, UUID(params["user_id"]))
    except (KeyError, ValueError):
        return None


async def _target_role(session: AsyncSession, params: dict[str, str]) -> Role | None:
    try:
        return await repository.get_role(session, UUID(params["role_id"]))
    except (KeyError, ValueError):
        return None


async def _roles_given(session: AsyncSession, given: DelegationInput) -> list[Role]:
    return await repository.roles_by_ids(session, set(given.role_ids or ()))


async def _on_user(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    if (target := await _target_user(session, params)) is not None:
        await delegation.check_user(session, actor, target)


async def _status_of_user(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    if (target := await _target_user(session, params)) is not None:
        delegation.require_not_self(actor, target.id, "change")
        await delegation.check_user(session, actor, target)


async def _roles_of_user(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    await _status_of_user(session, actor, params, given)
    if (target := await _target_user(session, params)) is None or given.role_ids is None:
        return
    wanted = await _roles_given(session, given)
    await delegation.check_role_change(session, actor, target.id, wanted)


async def _new_user(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    await delegation.check_roles(session, actor, await _roles_given(session, given))


async def _on_role(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    if (role := await _target_role(session, params)) is not None:
        await delegation.check_roles(session, actor, [role])


async def _grants_of_role(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    await _on_role(session, actor, params, given)
    role = await _target_role(session, params)
    if role is not None and given.grants is not None:
        delegation.check_grants(actor, role, given.grants)


async def _many_roles(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    await delegation.check_roles(session, actor, await _roles_given(session, given))


async def _stale_code(
    session: AsyncSession, actor: Actor, params: dict[str, str], given: DelegationInput
) -> None:
    try:
        row = await repository.get_permission(session, UUID(params["permission_id"]))
    except (KeyError, ValueError):
        return
    if row is not None:
        delegation.require_covered(actor, [row.code], f"The code {row.code}")


# (method, path under the API prefix) -> what the delegation rule checks for that route
DELEGATED: dict[tuple[str, str], Check] = {
    ("POST", "/users"): _new_user,
    ("PATCH", "/users/{user_id}"): _on_user,
    ("POST", "/users/{user_id}/password"): _on_user,
    ("DELETE", "/users/{user_id}/sessions"): _on_user,
    ("GET", "/users/{user_id}/sessions"): _on_user,
    ("DELETE", "/users/{user_id}/sessions/{session_id}"): _on_user,
    ("POST", "/users/{user_id}/enable"): _status_of_user,
    ("POST", "/users/{user_id}/disable"): _status_of_user,
    ("DELETE", "/users/{user_id}"): _status_of_user,
    ("PUT", "/users/{user_id}/roles"): _roles_of_user,
    ("PATCH", "/roles/{role_id}"): _on_role,
    ("DELETE", "/roles/{role_id}"): _on_role,
    ("PUT", "/roles/{role_id}/menus"): _on_role,
    ("PUT", "/roles/{role_id}/permissions"): _grants_of_role,
    ("DELETE", "/roles"): _many_roles,  # the roles named by ``roleIds``
    ("DELETE", "/permissions/{permission_id}"): _stale_code,
}


def _params(template: str, path: str) -> dict[str, str]:
    """The path parameters of a concrete ``path`` of ``template`` (none for the template)."""
    regex = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{") and part.endswith("}"):
            name, _, kind = part[1:-1].partition(":")
            regex += f"(?P<{name}>{'.+' if kind == 'path' else '[^/]+'})"
        else:
            regex += re.escape(part)
    found = re.fullmatch(regex, path)
    return {} if found is None or path == template else dict(found.groupdict())


async def explain_delegation(
    session: AsyncSession,
    route: RouteInfo,
    prefix: str,
    path: str,
    actor: Actor,
    given: DelegationInput,
) -> DelegationVerdict | None:
    """Whether the delegation rule lets ``actor`` make this admin request (None: no rule)."""
    check = DELEGATED.get((route.method, route.path.removeprefix(prefix)))
    if check is None:
        return None
    try:
        await check(session, actor, _params(route.path, path), given)
    except REFUSALS as exc:
        exceeding = [detail.message for detail in exc.details or ()]
        return DelegationVerdict(
            allowed=False, reason=exc.error_code, message=exc.detail_message, exceeding=exceeding
        )
    return DelegationVerdict(
        allowed=True,
        reason="COVERED",
        message="The caller's grants cover the target.",
        exceeding=[],
    )
