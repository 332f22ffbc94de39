"""RBAC's part of ``GET /auth/me`` (composed by ``atrium.users.me``): the caller's roles, every
code they may use now (routes, socket events, capabilities), their button codes and visible
menu tree. ``router`` serves the route with this part, the caller resolved by auth.

Called with an API key, the codes are the key's: its owner's narrowed by its scope, without
the identity routes no key may call."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth.deps import authenticate, current_user
from atrium.core.codes import DeclaredCode, declared
from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.core.state import AppState
from atrium.rbac import repository
from atrium.rbac.cache import PermissionSet
from atrium.rbac.deps import permission_set
from atrium.rbac.models import Menu, MenuType, Role, RoleStatus
from atrium.rbac.schemas import MeAccess, MenuNode, RoleBrief
from atrium.rbac.scoped import ScopedPermissionSet
from atrium.rbac.service import build_tree
from atrium.users.me import MePart, me_router
from atrium.users.models import User


def callable_codes(
    found: PermissionSet, routes: Iterable[RouteInfo], declared: Iterable[DeclaredCode] = ()
) -> list[str]:
    """Every non-public code (route, socket event, capability) the user (or the credential) may
    use now."""
    codes = []
    items: list[RouteInfo | DeclaredCode] = [*routes, *declared]
    scope = found.scope if isinstance(found, ScopedPermissionSet) else None
    for info in items:
        if info.access is Access.PUBLIC:
            continue
        if scope is not None and (getattr(info, "identity", False) or not scope.allows(info.code)):
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


async def access_of(
    session: AsyncSession,
    user: User,
    found: PermissionSet,
    routes: Iterable[RouteInfo],
    declared: Iterable[DeclaredCode] = (),
) -> MeAccess:
    """The user's roles, callable codes, button codes and menu tree."""
    roles = await repository.roles_of_user(session, user.id)
    menus = await visible_menus(session, found, roles)
    buttons = sorted({m.button_code for m in menus if m.type == MenuType.BUTTON and m.button_code})
    return MeAccess(
        roles=[RoleBrief.model_validate(role, from_attributes=True) for role in roles],
        permissions=callable_codes(found, routes, declared),
        buttons=buttons,
        menus=_tree(menus),
    )


async def provide(request: Request, session: AsyncSession, user: User) -> MeAccess:
    state: AppState = request.app.state.atrium
    catalogue: RouteCatalogue = request.app.state.catalogue
    found = await permission_set(request, await authenticate(request))
    routes = catalogue.under(state.settings.api_prefix)
    return await access_of(session, user, found, routes, declared(request.app))


PART = MePart(MeAccess, provide)
router = me_router(current_user, [PART])
