"""What ``atrium initdb`` seeds: the catalogue, an ``admin`` and a ``user`` role, and the menus of
the built-in admin screens. Additive and idempotent: re-running changes nothing; a run after
new routes appeared grants the new codes to ``admin`` and nothing else.

``admin`` gets every code that needs a permission (routes, socket events, capabilities); ``user``
gets the authenticated codes, the socket events declared ``for_every_user`` and
``rbac.user_role_grants``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.config import Settings
from atrium.core.codes import DeclaredCode
from atrium.core.domain import InitContext, open_database
from atrium.core.routing import Access, RouteInfo
from atrium.rbac import repository, service
from atrium.rbac.delegation import SYSTEM
from atrium.rbac.models import ADMIN_ROLE, USER_ROLE, Menu, MenuType, Role
from atrium.rbac.settings import RbacSettings
from atrium.rbac.sync import SyncReport, sync_session, wanted_from

ADMIN_CODE = ADMIN_ROLE
USER_CODE = USER_ROLE


@dataclass(frozen=True)
class MenuSpec:
    name: str
    type: MenuType
    route_path: str | None = None
    component: str | None = None
    icon: str | None = None
    button_code: str | None = None
    children: tuple[MenuSpec, ...] = ()


def screen(name: str, slug: str, icon: str, buttons: Sequence[str], under: str = "") -> MenuSpec:
    """A screen at ``{under}/{slug}`` with its buttons, coded ``{slug}:{button}``."""
    folder = f"{under.strip('/')}/" if under.strip("/") else ""
    return MenuSpec(
        name=name,
        type=MenuType.MENU,
        route_path=f"/{folder}{slug}",
        component=f"{folder}{slug}/index",
        icon=icon,
        children=tuple(
            MenuSpec(name=code, type=MenuType.BUTTON, button_code=f"{slug}:{code}")
            for code in buttons
        ),
    )


def _screen(name: str, slug: str, icon: str, buttons: Sequence[str]) -> MenuSpec:
    return screen(name, slug, icon, buttons, under="/system")


BUILTIN_MENUS = MenuSpec(
    name="System",
    type=MenuType.DIRECTORY,
    route_path="/system",
    icon="setting",
    children=(
        _screen(
            "Users",
            "users",
            "user",
            ("create", "update", "disable", "reset-password", "roles", "delete"),
        ),
        _screen("Roles", "roles", "team", ("create", "update", "delete", "permissions", "menus")),
        _screen("Menus", "menus", "menu", ("create", "update", "delete")),
        _screen("Permissions", "permissions", "lock", ("sync", "delete")),
        _screen("Login logs", "login-logs", "history", ()),
        _screen("Online users", "online", "wifi", ()),
    ),
)


@dataclass
class SeedReport:
    sync: SyncReport
    roles_created: list[str] = field(default_factory=list)
    grants_added: int = 0
    menus_created: int = 0
    role_menus_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.sync.changed
            or self.roles_created
            or self.grants_added
            or self.menus_created
            or self.role_menus_added
        )


async def seed(
    session: AsyncSession,
    routes: Iterable[RouteInfo],
    settings: Settings,
    codes: Iterable[DeclaredCode] = (),
) -> SeedReport:
    """Seed everything (flushes; the caller's commit invalidates what changed)."""
    routes, codes = list(routes), list(codes)
    report = SeedReport(sync=await sync_session(session, wanted_from(routes, codes)))
    admin = await _role(session, report, ADMIN_CODE, "Administrator", "Every permission.")
    user = await _role(session, report, USER_CODE, "User", "What every logged-in user needs.")
    admin_codes = [info.code for info in routes if info.access is Access.PERMISSION]
    admin_codes += [item.code for item in codes if item.access is Access.PERMISSION]
    user_codes = [info.code for info in routes if info.access is Access.AUTHENTICATED]
    user_codes += [item.code for item in codes if item.access is Access.AUTHENTICATED]
    user_codes += [item.code for item in codes if item.for_every_user]
    report.grants_added += await service.add_grants(session, SYSTEM, admin, admin_codes)
    user_codes += settings.group(RbacSettings).user_role_grants
    report.grants_added += await service.add_grants(session, SYSTEM, user, user_codes)
    menu_ids = await _menus(session, report, BUILTIN_MENUS, None)
    report.role_menus_added = await _add_menus(session, admin, menu_ids)
    return report


async def seed_menu(
    session: AsyncSession, spec: MenuSpec, role_codes: Iterable[str]
) -> tuple[int, int]:
    """A domain's menu tree (its ``initdb`` step), seeded like the built-in ones (found again by
    route path or button code: idempotent) and shown to those of the roles that exist; how many
    menus were created and how many role links added."""
    report = SeedReport(sync=SyncReport())
    menus = await _menus(session, report, spec, None)
    for code in role_codes:
        if (role := await repository.role_by(session, code=code)) is not None:
            report.role_menus_added += await _add_menus(session, role, menus)
    return report.menus_created, report.role_menus_added


async def seed_domain_access(
    context: InitContext, label: str, menu: MenuSpec, user_grants: Sequence[str]
) -> None:
    """A domain's ``initdb`` step: ``menu`` shown to the ``admin`` and ``user`` roles and
    ``user_grants`` given to ``user`` (idempotent, like the seed, which runs before it)."""
    async with open_database(context.settings) as db, db.session() as session:
        menus, links = await seed_menu(session, menu, (ADMIN_ROLE, USER_ROLE))
        grants = 0
        if (user := await repository.role_by(session, code=USER_ROLE)) is not None:
            grants = await service.add_grants(session, SYSTEM, user, user_grants)
    context.echo(
        f"{label}: {menus} menus, {links} role menu links, {grants} user role grants added"
    )


async def _role(
    session: AsyncSession, report: SeedReport, code: str, name: str, description: str
) -> Role:
    role = await repository.role_by(session, code=code)
    if role is None:
        role = Role(code=code, name=name, description=description)
        session.add(role)
        await session.flush()
        report.roles_created.append(code)
    return role


async def _menus(
    session: AsyncSession, report: SeedReport, spec: MenuSpec, parent: Menu | None
) -> list[Menu]:
    menu = await _find_menu(session, spec, parent)
    if menu is None:
        menu = Menu(
            parent_id=parent.id if parent else None,
            type=spec.type,
            name=spec.name,
            route_path=spec.route_path,
            component=spec.component,
            icon=spec.icon,
            button_code=spec.button_code,
            sort_order=_order(spec),
        )
        session.add(menu)
        await session.flush()
        report.menus_created += 1
    found = [menu]
    for child in spec.children:
        found += await _menus(session, report, child, menu)
    return found


def _order(spec: MenuSpec) -> int:
    screens = [child.name for child in BUILTIN_MENUS.children]
    return (screens.index(spec.name) + 1) * 10 if spec.name in screens else 0


async def _find_menu(session: AsyncSession, spec: MenuSpec, parent: Menu | None) -> Menu | None:
    column = Menu.button_code if spec.type == MenuType.BUTTON else Menu.route_path
    value = spec.button_code if spec.type == MenuType.BUTTON else spec.route_path
    query = select(Menu).where(column == value, Menu.type == spec.type)  # type: ignore[arg-type]
    if parent is not None:
        query = query.where(Menu.parent_id == parent.id)  # type: ignore[arg-type]
    return (await session.execute(query)).scalars().first()


async def _add_menus(session: AsyncSession, role: Role, menus: list[Menu]) -> int:
    current = set((await repository.menu_ids_of_roles(session, [role.id]))[role.id])
    missing = {menu.id for menu in menus} - current
    if missing:
        await repository.set_role_menus(session, role.id, current | missing)
    return len(missing)
