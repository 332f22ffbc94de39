"""The calendar domain's ``initdb`` step: its menu, shown to the ``admin`` and ``user`` roles, and
every calendar route granted to ``user`` (so every logged-in user keeps a calendar; the data
scope keeps each to their own and the events they are invited to). Idempotent, like RBAC's seed,
which runs before it."""

from __future__ import annotations

from atrium.core.domain import InitContext, open_database
from atrium.rbac import repository as rbac_repository
from atrium.rbac import service as rbac_service
from atrium.rbac.delegation import SYSTEM
from atrium.rbac.models import ADMIN_ROLE, USER_ROLE, MenuType
from atrium.rbac.seed import MenuSpec, seed_menu

# Every route of the domain: ``*`` any method, the final ``**`` the path and all below it.
USER_GRANTS = ("*:/api/v1/calendar/**",)
BUTTONS = ("create", "update", "delete", "respond", "feed")
CALENDAR_MENU = MenuSpec(
    name="Calendar",
    type=MenuType.MENU,
    route_path="/calendar",
    component="calendar/index",
    icon="calendar",
    children=tuple(
        MenuSpec(name=code, type=MenuType.BUTTON, button_code=f"calendar:{code}")
        for code in BUTTONS
    ),
)


async def initdb(context: InitContext) -> None:
    """Seed the calendar menu and the ``user`` role's grants."""
    async with open_database(context.settings) as db, db.session() as session:
        menus, links = await seed_menu(session, CALENDAR_MENU, (ADMIN_ROLE, USER_ROLE))
        grants = 0
        if (user := await rbac_repository.role_by(session, code=USER_ROLE)) is not None:
            grants = await rbac_service.add_grants(session, SYSTEM, user, USER_GRANTS)
    context.echo(
        f"calendar: {menus} menus, {links} role menu links, {grants} user role grants added"
    )
