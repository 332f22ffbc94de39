"""Roles, their grants and menus, the menu tree and the catalogue.

Functions flush and never commit: the caller's session commits, and its unit of work then
invalidates whatever the change made stale (``atrium.rbac.changes``) before the caller goes on.
Every change of a role passes the delegation rule first (``atrium.rbac.delegation``): the
caller's grants must cover the role's grants before and after.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.mapping import FieldMap
from atrium.core.pages import Page, PageParams, make_page, paginate
from atrium.core.responses import ErrorDetail
from atrium.rbac import delegation, repository
from atrium.rbac.changes import noted
from atrium.rbac.delegation import Actor
from atrium.rbac.errors import (
    InvalidGrants,
    MenuButtonCodeRequired,
    MenuCycle,
    MenuNotFound,
    MenuParentIsButton,
    PermissionNotFound,
    PermissionNotStale,
    RoleCodeTaken,
    RoleExists,
    RoleNameTaken,
    RoleNotFound,
)
from atrium.rbac.models import Menu, MenuType, Permission, Role, RoleStatus
from atrium.rbac.patterns import InvalidGrant, normalize
from atrium.rbac.schemas import (
    MenuCreate,
    MenuNode,
    MenuRead,
    MenuUpdate,
    PermissionGroup,
    PermissionRead,
    RoleCreate,
    RoleDetail,
    RoleRead,
    RoleUpdate,
)

UNTAGGED = "untagged"
ROLE_CREATE = FieldMap(RoleCreate, Role)
ROLE_UPDATE = FieldMap(RoleUpdate, Role, handled={"status"})  # a status change invalidates
MENU_CREATE = FieldMap(MenuCreate, Menu)
MENU_UPDATE = FieldMap(MenuUpdate, Menu)
# A ``null`` in a menu update clears these (the others keep their value).
MENU_CLEARABLE = frozenset({"parent_id", "route_path", "component", "icon", "button_code"})


# --- roles -----------------------------------------------------------------------------------


async def roles_page(
    session: AsyncSession, params: PageParams, q: str | None, status: RoleStatus | None
) -> Page[RoleRead]:
    """Roles by name, one page, filtered by name or code and status."""
    page = await paginate(session, repository.roles_query(q, status), params)
    items = [RoleRead.model_validate(role, from_attributes=True) for role in page.items]
    return make_page(items, page.total, params)


async def get_role(session: AsyncSession, role_id: UUID) -> Role:
    role = await repository.get_role(session, role_id)
    if role is None:
        raise RoleNotFound()
    return role


async def role_detail(session: AsyncSession, role: Role) -> RoleDetail:
    grants = (await repository.grants_of_roles(session, [role.id]))[role.id]
    menus = (await repository.menu_ids_of_roles(session, [role.id]))[role.id]
    base = RoleRead.model_validate(role, from_attributes=True)
    return RoleDetail(**base.model_dump(by_alias=False), grants=grants, menu_ids=sorted(menus))


async def _ensure_role_free(
    session: AsyncSession, name: str | None, code: str | None, role_id: UUID | None = None
) -> None:
    if name is not None:
        taken = await repository.role_by(session, name=name)
        if taken is not None and taken.id != role_id:
            raise RoleNameTaken()
    if code is not None:
        taken = await repository.role_by(session, code=code)
        if taken is not None and taken.id != role_id:
            raise RoleCodeTaken()


async def _flush_role(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent creation won the unique index
        raise RoleExists() from exc


async def create_role(session: AsyncSession, actor: Actor, data: RoleCreate) -> Role:
    """A new role with no grants; 409 when the name or code is taken."""
    delegation.check_role_code(actor, data.code)
    await _ensure_role_free(session, data.name, data.code)
    role = ROLE_CREATE.create(data)
    session.add(role)
    await _flush_role(session)
    return role


async def update_role(session: AsyncSession, actor: Actor, role: Role, data: RoleUpdate) -> Role:
    """Rename, re-describe, enable or disable a role (a new code or status invalidates its
    holders' sets, and moves their sockets to the new role room)."""
    await delegation.check_roles(session, actor, [role])
    if data.code is not None and data.code.lower() != role.code.lower():
        delegation.check_role_code(actor, data.code)
    await _ensure_role_free(session, data.name, data.code, role.id)
    ROLE_UPDATE.apply(role, data)
    if data.status is not None and data.status != role.status:
        role.status = data.status
    await _flush_role(session)
    return role


async def delete_roles(session: AsyncSession, actor: Actor, role_ids: Collection[UUID]) -> int:
    """Delete roles (their links go with them); 404 if none of them exists."""
    roles = await repository.roles_by_ids(session, set(role_ids))
    if not roles:
        raise RoleNotFound()
    await delegation.check_roles(session, actor, roles)
    found = [role.id for role in roles]
    await repository.delete_roles(session, found)
    await session.flush()
    return len(found)


def normalize_grants(grants: Iterable[str]) -> list[str]:
    """Canonical, de-duplicated grants; 422 ``INVALID_GRANT`` naming every bad one."""
    valid: set[str] = set()
    problems: list[ErrorDetail] = []
    for index, grant in enumerate(grants):
        try:
            valid.add(normalize(grant))
        except InvalidGrant as exc:
            problems.append(
                ErrorDetail(loc=["body", "grants", index], message=str(exc), type="grant")
            )
    if problems:
        raise InvalidGrants(details=problems)
    return sorted(valid)


async def set_grants(
    session: AsyncSession, actor: Actor, role: Role, grants: Iterable[str]
) -> list[str]:
    """Replace a role's grants (the caller covers the grants before and after)."""
    canonical = normalize_grants(grants)
    await delegation.check_roles(session, actor, [role])
    delegation.check_grants(actor, role, canonical)
    await repository.set_grants(session, role.id, canonical)
    return canonical


async def add_grants(session: AsyncSession, actor: Actor, role: Role, grants: Iterable[str]) -> int:
    """Add grants a role lacks (the seed uses this); how many were added."""
    current = set((await repository.grants_of_roles(session, [role.id]))[role.id])
    wanted = set(normalize_grants(grants))
    if wanted <= current:
        return 0
    delegation.check_grants(actor, role, current | wanted)
    await repository.set_grants(session, role.id, current | wanted)
    return len(wanted - current)


async def set_role_menus(
    session: AsyncSession, actor: Actor, role: Role, menu_ids: Collection[UUID]
) -> list[UUID]:
    """Replace a role's menus; 404 ``MENU_NOT_FOUND`` if one does not exist."""
    await delegation.check_roles(session, actor, [role])
    wanted = set(menu_ids)
    if missing := wanted - await repository.existing_menu_ids(session, wanted):
        raise MenuNotFound(f"No such menu: {sorted(map(str, missing))[0]}.")
    await repository.set_role_menus(session, role.id, wanted)
    return sorted(wanted)


# --- menus -----------------------------------------------------------------------------------


def build_tree(menus: Iterable[Menu]) -> list[MenuNode]:
    """Nest menus under their parents (orphans, whose parent is not listed, become roots)."""
    nodes = {menu.id: MenuNode.model_validate(menu, from_attributes=True) for menu in menus}
    roots: list[MenuNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


async def menu_tree(session: AsyncSession) -> list[MenuNode]:
    return build_tree(await repository.all_menus(session))


async def get_menu(session: AsyncSession, menu_id: UUID) -> Menu:
    menu = await repository.get_menu(session, menu_id)
    if menu is None:
        raise MenuNotFound()
    return menu


async def _check_parent(
    session: AsyncSession, parent_id: UUID | None, menu_id: UUID | None = None
) -> None:
    if parent_id is None:
        return
    parent = await repository.get_menu(session, parent_id)
    if parent is None:
        raise MenuNotFound("No such parent menu.")
    if parent.type == MenuType.BUTTON:
        raise MenuParentIsButton()
    if menu_id is not None and menu_id in await _ancestors(session, parent):
        raise MenuCycle()


async def _ancestors(session: AsyncSession, menu: Menu) -> set[UUID]:
    seen = {menu.id}
    while menu.parent_id is not None and menu.parent_id not in seen:
        parent = await repository.get_menu(session, menu.parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        menu = parent
    return seen


def _check_button(kind: MenuType, button_code: str | None) -> None:
    if kind == MenuType.BUTTON and not button_code:
        raise MenuButtonCodeRequired()


async def create_menu(session: AsyncSession, data: MenuCreate) -> Menu:
    """A new node of the menu tree."""
    _check_button(data.type, data.button_code)
    await _check_parent(session, data.parent_id)
    menu = MENU_CREATE.create(data)
    session.add(menu)
    await session.flush()
    return menu


async def update_menu(session: AsyncSession, menu: Menu, data: MenuUpdate) -> Menu:
    """Change the fields sent; moving a node checks for cycles."""
    sent = data.model_dump(by_alias=False, exclude_unset=True)
    if "parent_id" in sent and sent["parent_id"] != menu.parent_id:
        await _check_parent(session, sent["parent_id"], menu.id)
    _check_button(sent.get("type") or menu.type, sent.get("button_code", menu.button_code))
    MENU_UPDATE.apply(menu, data, clearable=MENU_CLEARABLE)
    await session.flush()
    noted(session).roles(*await repository.roles_with_menus(session, [menu.id]))
    return menu


async def delete_menu(session: AsyncSession, menu: Menu) -> None:
    """Delete a node and everything under it."""
    subtree = _subtree_ids(menu.id, await repository.all_menus(session))
    noted(session).roles(*await repository.roles_with_menus(session, subtree))  # before they go
    await session.delete(menu)
    await session.flush()


def _subtree_ids(root: UUID, menus: Iterable[Menu]) -> set[UUID]:
    children: dict[UUID, list[UUID]] = {}
    for menu in menus:
        if menu.parent_id is not None:
            children.setdefault(menu.parent_id, []).append(menu.id)
    found, todo = set(), [root]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def menu_read(menu: Menu) -> MenuRead:
    return MenuRead.model_validate(menu, from_attributes=True)


# --- the catalogue ---------------------------------------------------------------------------


async def grouped_permissions(session: AsyncSession, include_stale: bool) -> list[PermissionGroup]:
    """Every catalogued code, grouped by the route's first tag."""
    groups: dict[str, list[PermissionRead]] = {}
    for row in await repository.permissions(session, include_stale):
        tag = row.tags[0] if row.tags else UNTAGGED
        groups.setdefault(tag, []).append(PermissionRead.model_validate(row, from_attributes=True))
    return [PermissionGroup(tag=tag, permissions=groups[tag]) for tag in sorted(groups)]


async def get_permission(session: AsyncSession, permission_id: UUID) -> Permission:
    row = await repository.get_permission(session, permission_id)
    if row is None:
        raise PermissionNotFound()
    return row


async def delete_stale_permission(session: AsyncSession, actor: Actor, row: Permission) -> None:
    """Remove a stale code and every exact grant of it (patterns are left alone)."""
    if not row.stale:
        raise PermissionNotStale()
    delegation.require_covered(actor, [row.code], f"The code {row.code}")
    await repository.delete_grant(session, row.code)
    await session.delete(row)
    await session.flush()
