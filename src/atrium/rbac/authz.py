"""Read models over the rules: what a user may call and see (``me``), and why (``explain``)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.rbac import repository
from atrium.rbac.cache import PermissionSet
from atrium.rbac.models import Menu, MenuType, Role, RoleStatus
from atrium.rbac.patterns import matches, template_regex
from atrium.rbac.schemas import (
    ExplainRead,
    GrantMatch,
    MenuNode,
    MeRead,
    RoleBrief,
    RouteRef,
)
from atrium.rbac.service import build_tree
from atrium.users.models import User, UserStatus
from atrium.users.schemas import UserRead


def callable_codes(found: PermissionSet, routes: Iterable[RouteInfo]) -> list[str]:
    """Every non-public route code the user may call now."""
    codes = []
    for info in routes:
        if info.access is Access.PUBLIC:
            continue
        if found.is_superuser or info.access is Access.AUTHENTICATED or found.allows(info.code):
            codes.append(info.code)
    return sorted(codes)


async def visible_menus(
    session: AsyncSession, found: PermissionSet, roles: list[Role]
) -> list[Menu]:
    """The menus of the user's active roles (all for a superuser), with their ancestors."""
    menus = await repository.all_menus(session)
    if found.is_superuser:
        return menus
    active = [role.id for role in roles if role.status == RoleStatus.ACTIVE]
    granted = {
        m for ids in (await repository.menu_ids_of_roles(session, active)).values() for m in ids
    }
    by_id = {menu.id: menu for menu in menus}
    keep: set[UUID] = set()
    for menu_id in granted:
        current = by_id.get(menu_id)
        while current is not None and current.id not in keep:
            keep.add(current.id)
            current = by_id.get(current.parent_id) if current.parent_id else None
    return [menu for menu in menus if menu.id in keep]


def _tree(menus: list[Menu]) -> list[MenuNode]:
    """The navigable tree: visible directories and menus (buttons are listed apart)."""
    shown = [menu for menu in menus if menu.visible and menu.type != MenuType.BUTTON]
    return build_tree(shown)


async def me(
    session: AsyncSession, user: User, found: PermissionSet, catalogue: RouteCatalogue, prefix: str
) -> MeRead:
    roles = await repository.roles_of_user(session, user.id)
    menus = await visible_menus(session, found, roles)
    buttons = sorted({m.button_code for m in menus if m.type == MenuType.BUTTON and m.button_code})
    return MeRead(
        **UserRead.model_validate(user, from_attributes=True).model_dump(by_alias=False),
        roles=[RoleBrief.model_validate(role, from_attributes=True) for role in roles],
        permissions=callable_codes(found, catalogue.under(prefix)),
        buttons=buttons,
        menus=_tree(menus),
    )


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
) -> ExplainRead:
    """Which role and grant allow ``method path`` for a user, or why it is refused."""
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
    user = await session.get(User, user_id)
    found = await _matches(session, user_id, route.code)
    allowed, reason, message = _verdict(route, user, found)
    return ExplainRead(
        user_id=user_id,
        method=method,
        path=path,
        route=ref,
        allowed=allowed,
        reason=reason,
        message=message,
        matches=found,
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
