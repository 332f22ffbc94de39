"""RBAC queries: roles, grants, menus, memberships and the catalogue.

The bulk statements here (which the ORM's change tracking cannot see) note in the session's unit
of work whose access they change (``rbac.changes``), so the commit invalidates it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.sqltext import contains
from atrium.rbac.changes import noted
from atrium.rbac.models import (
    Menu,
    Permission,
    Role,
    RoleMenu,
    RolePermission,
    RoleStatus,
    UserRole,
)

# Role, permission and menu columns typed for SQLAlchemy expressions (SQLModel fields are not).
_ROLE: Any = Role
_PERM: Any = Permission
_MENU: Any = Menu
_USER_ROLE: Any = UserRole
_ROLE_PERM: Any = RolePermission
_ROLE_MENU: Any = RoleMenu


# --- roles -----------------------------------------------------------------------------------


def roles_query(q: str | None = None, status: RoleStatus | None = None) -> Select[Any]:
    query = select(Role).order_by(_ROLE.name, _ROLE.id)
    if q:
        query = query.where(or_(contains(_ROLE.name, q), contains(_ROLE.code, q)))
    if status is not None:
        query = query.where(_ROLE.status == status)
    return query


async def all_roles(session: AsyncSession) -> list[Role]:
    return list((await session.execute(roles_query())).scalars())


async def get_role(session: AsyncSession, role_id: UUID) -> Role | None:
    return await session.get(Role, role_id)


async def roles_by_ids(session: AsyncSession, role_ids: Collection[UUID]) -> list[Role]:
    if not role_ids:
        return []
    query = select(Role).where(_ROLE.id.in_(list(role_ids))).order_by(_ROLE.name)
    return list((await session.execute(query)).scalars())


async def role_by(
    session: AsyncSession, *, name: str | None = None, code: str | None = None
) -> Role | None:
    column, value = (_ROLE.name, name) if name is not None else (_ROLE.code, code)
    query = select(Role).where(func.lower(column) == func.lower(value))
    return (await session.execute(query)).scalars().first()


async def roles_of_user(session: AsyncSession, user_id: UUID) -> list[Role]:
    query = (
        select(Role)
        .join(UserRole, _USER_ROLE.role_id == _ROLE.id)
        .where(_USER_ROLE.user_id == user_id)
        .order_by(_ROLE.name)
    )
    return list((await session.execute(query)).scalars())


async def roles_of_users(
    session: AsyncSession, user_ids: Collection[UUID]
) -> dict[UUID, list[Role]]:
    found: dict[UUID, list[Role]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    query = (
        select(_USER_ROLE.user_id, Role)
        .join(Role, _USER_ROLE.role_id == _ROLE.id)
        .where(_USER_ROLE.user_id.in_(list(user_ids)))
        .order_by(_ROLE.name)
    )
    for user_id, role in (await session.execute(query)).all():
        found[user_id].append(role)
    return found


async def member_ids(session: AsyncSession, role_ids: Collection[UUID]) -> set[UUID]:
    """Users holding any of ``role_ids``."""
    if not role_ids:
        return set()
    query = select(_USER_ROLE.user_id).where(_USER_ROLE.role_id.in_(list(role_ids))).distinct()
    return set((await session.execute(query)).scalars())


async def set_user_roles(session: AsyncSession, user_id: UUID, role_ids: Collection[UUID]) -> None:
    # Row by row through the ORM, only what differs: the unit of work (the audit log) sees
    # which links went and which came.
    noted(session).users(user_id)
    held = (await session.execute(select(UserRole).where(_USER_ROLE.user_id == user_id))).scalars()
    kept = await _drop_unwanted(session, list(held), set(role_ids), "role_id")
    session.add_all(UserRole(user_id=user_id, role_id=role_id) for role_id in set(role_ids) - kept)
    await session.flush()


async def _drop_unwanted(
    session: AsyncSession, links: Sequence[Any], wanted: set[Any], name: str
) -> set[Any]:
    """Delete the links whose ``name`` is not wanted; the values of those kept."""
    kept: set[Any] = set()
    for link in links:
        if getattr(link, name) in wanted:
            kept.add(getattr(link, name))
        else:
            await session.delete(link)
    return kept


async def add_user_role(session: AsyncSession, user_id: UUID, role_id: UUID) -> None:
    exists = await session.get(UserRole, (user_id, role_id))
    if exists is None:
        session.add(UserRole(user_id=user_id, role_id=role_id))
        await session.flush()


async def delete_roles(session: AsyncSession, role_ids: Collection[UUID]) -> None:
    """Delete roles; their links go with them (their members are noted before)."""
    noted(session).users(*await member_ids(session, role_ids))
    await session.execute(delete(Role).where(_ROLE.id.in_(list(role_ids))))


# --- grants ----------------------------------------------------------------------------------


async def grants_of_roles(
    session: AsyncSession, role_ids: Collection[UUID]
) -> dict[UUID, list[str]]:
    found: dict[UUID, list[str]] = {role_id: [] for role_id in role_ids}
    if not role_ids:
        return found
    query = (
        select(_ROLE_PERM.role_id, _ROLE_PERM.pattern)
        .where(_ROLE_PERM.role_id.in_(list(role_ids)))
        .order_by(_ROLE_PERM.pattern)
    )
    for role_id, pattern in (await session.execute(query)).all():
        found[role_id].append(pattern)
    return found


async def set_grants(session: AsyncSession, role_id: UUID, grants: Collection[str]) -> None:
    noted(session).roles(role_id)
    query = select(RolePermission).where(_ROLE_PERM.role_id == role_id)
    held = (await session.execute(query)).scalars()
    kept = await _drop_unwanted(session, list(held), set(grants), "pattern")
    session.add_all(RolePermission(role_id=role_id, pattern=grant) for grant in set(grants) - kept)
    await session.flush()


async def roles_granting(session: AsyncSession, grant: str) -> set[UUID]:
    query = select(_ROLE_PERM.role_id).where(_ROLE_PERM.pattern == grant)
    return set((await session.execute(query)).scalars())


async def delete_grant(session: AsyncSession, grant: str) -> None:
    """Delete every exact grant of ``grant`` (the roles holding it are noted before)."""
    noted(session).roles(*await roles_granting(session, grant))
    await session.execute(delete(RolePermission).where(_ROLE_PERM.pattern == grant))


# --- the effective set -----------------------------------------------------------------------


async def role_states(session: AsyncSession, user_id: UUID) -> list[tuple[UUID, RoleStatus]]:
    query = (
        select(_ROLE.id, _ROLE.status)
        .join(UserRole, _USER_ROLE.role_id == _ROLE.id)
        .where(_USER_ROLE.user_id == user_id)
    )
    return [
        (role_id, RoleStatus(status)) for role_id, status in (await session.execute(query)).all()
    ]


async def requires_second_factor(session: AsyncSession, user_id: UUID) -> bool:
    """Whether an active role of the user requires a second factor."""
    query = (
        select(_ROLE.id)
        .join(UserRole, _USER_ROLE.role_id == _ROLE.id)
        .where(
            _USER_ROLE.user_id == user_id,
            _ROLE.status == RoleStatus.ACTIVE,
            _ROLE.require_second_factor.is_(True),
        )
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def grants_of(session: AsyncSession, role_ids: Collection[UUID]) -> list[str]:
    if not role_ids:
        return []
    query = select(_ROLE_PERM.pattern).where(_ROLE_PERM.role_id.in_(list(role_ids))).distinct()
    return sorted((await session.execute(query)).scalars())


# --- menus -----------------------------------------------------------------------------------


async def all_menus(session: AsyncSession) -> list[Menu]:
    query = select(Menu).order_by(_MENU.sort_order, _MENU.name, _MENU.id)
    return list((await session.execute(query)).scalars())


async def get_menu(session: AsyncSession, menu_id: UUID) -> Menu | None:
    return await session.get(Menu, menu_id)


async def existing_menu_ids(session: AsyncSession, menu_ids: Collection[UUID]) -> set[UUID]:
    if not menu_ids:
        return set()
    query = select(_MENU.id).where(_MENU.id.in_(list(menu_ids)))
    return set((await session.execute(query)).scalars())


async def menu_ids_of_roles(
    session: AsyncSession, role_ids: Collection[UUID]
) -> dict[UUID, list[UUID]]:
    found: dict[UUID, list[UUID]] = {role_id: [] for role_id in role_ids}
    if not role_ids:
        return found
    query = select(_ROLE_MENU.role_id, _ROLE_MENU.menu_id).where(
        _ROLE_MENU.role_id.in_(list(role_ids))
    )
    for role_id, menu_id in (await session.execute(query)).all():
        found[role_id].append(menu_id)
    return found


async def set_role_menus(session: AsyncSession, role_id: UUID, menu_ids: Collection[UUID]) -> None:
    noted(session).roles(role_id)
    await session.execute(delete(RoleMenu).where(_ROLE_MENU.role_id == role_id))
    session.add_all(RoleMenu(role_id=role_id, menu_id=menu_id) for menu_id in set(menu_ids))
    await session.flush()


async def roles_with_menus(session: AsyncSession, menu_ids: Collection[UUID]) -> set[UUID]:
    if not menu_ids:
        return set()
    query = select(_ROLE_MENU.role_id).where(_ROLE_MENU.menu_id.in_(list(menu_ids)))
    return set((await session.execute(query)).scalars())


# --- the catalogue ---------------------------------------------------------------------------


async def permissions(session: AsyncSession, include_stale: bool = True) -> Sequence[Permission]:
    query = select(Permission).order_by(_PERM.path, _PERM.method)
    if not include_stale:
        query = query.where(_PERM.stale.is_(False))
    return list((await session.execute(query)).scalars())


async def get_permission(session: AsyncSession, permission_id: UUID) -> Permission | None:
    return await session.get(Permission, permission_id)


# --- memberships as a filter ----------------------------------------------------------------


def members_query(role_id: UUID) -> Select[Any]:
    """The ids of the users holding ``role_id``, as a subquery for the users domain's lists
    (``atrium.users.repository.list_query(among=...)``): one SQL query, no loop per row."""
    return select(_USER_ROLE.user_id).where(_USER_ROLE.role_id == role_id)
