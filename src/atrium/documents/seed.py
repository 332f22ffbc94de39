"""The documents domain's ``initdb`` step: its menu, shown to the ``admin`` and ``user`` roles,
and every document route granted to ``user`` (so every logged-in user writes documents; the data
scope keeps each to their own and what is shared with them). Idempotent, like RBAC's seed."""

from __future__ import annotations

from atrium.core.domain import InitContext, open_database
from atrium.rbac import repository as rbac_repository
from atrium.rbac import service as rbac_service
from atrium.rbac.delegation import SYSTEM
from atrium.rbac.models import ADMIN_ROLE, USER_ROLE, MenuType
from atrium.rbac.seed import MenuSpec, seed_menu

# Every route of the domain: ``*`` any method, the final ``**`` the path and all below it.
USER_GRANTS = ("*:/api/v1/documents/**",)
BUTTONS = ("create", "update", "share", "delete", "purge")
DOCUMENTS_MENU = MenuSpec(
    name="Documents",
    type=MenuType.MENU,
    route_path="/documents",
    component="documents/index",
    icon="file-text",
    children=tuple(
        MenuSpec(name=code, type=MenuType.BUTTON, button_code=f"documents:{code}")
        for code in BUTTONS
    ),
)


async def initdb(context: InitContext) -> None:
    """Seed the documents menu and the ``user`` role's grants."""
    async with open_database(context.settings) as db, db.session() as session:
        menus, links = await seed_menu(session, DOCUMENTS_MENU, (ADMIN_ROLE, USER_ROLE))
        grants = 0
        if (user := await rbac_repository.role_by(session, code=USER_ROLE)) is not None:
            grants = await rbac_service.add_grants(session, SYSTEM, user, USER_GRANTS)
    context.echo(
        f"documents: {menus} menus, {links} role menu links, {grants} user role grants added"
    )
