"""The to-dos domain's ``initdb`` step: its menu, shown to the ``admin`` and ``user`` roles, and
every to-do route granted to ``user`` (so every logged-in user keeps a to-do list; the data
scope keeps each to their own). Idempotent, like RBAC's seed, which runs before it."""

from __future__ import annotations

from atrium.core.domain import InitContext, open_database
from atrium.rbac import repository as rbac_repository
from atrium.rbac import service as rbac_service
from atrium.rbac.delegation import SYSTEM
from atrium.rbac.models import ADMIN_ROLE, USER_ROLE, MenuType
from atrium.rbac.seed import MenuSpec, seed_menu

# Every route of the domain: ``*`` any method, the final ``**`` the path and all below it.
USER_GRANTS = ("*:/api/v1/todos/**",)
BUTTONS = ("create", "update", "assign", "delete")
TODOS_MENU = MenuSpec(
    name="To-dos",
    type=MenuType.MENU,
    route_path="/todos",
    component="todos/index",
    icon="check-square",
    children=tuple(
        MenuSpec(name=code, type=MenuType.BUTTON, button_code=f"todos:{code}") for code in BUTTONS
    ),
)


async def initdb(context: InitContext) -> None:
    """Seed the to-dos menu and the ``user`` role's grants."""
    async with open_database(context.settings) as db, db.session() as session:
        menus, links = await seed_menu(session, TODOS_MENU, (ADMIN_ROLE, USER_ROLE))
        grants = 0
        if (user := await rbac_repository.role_by(session, code=USER_ROLE)) is not None:
            grants = await rbac_service.add_grants(session, SYSTEM, user, USER_GRANTS)
    context.echo(f"todos: {menus} menus, {links} role menu links, {grants} user role grants added")
