"""The calendar domain's ``initdb`` step: its menu, shown to the ``admin`` and ``user`` roles, and
every calendar route granted to ``user`` (so every logged-in user keeps a calendar; the data
scope keeps each to their own and the events they are invited to). Idempotent, like RBAC's seed,
which runs before it."""

from __future__ import annotations

from atrium.core.domain import InitContext
from atrium.rbac.seed import screen, seed_domain_access

# Every route of the domain: ``*`` any method, the final ``**`` the path and all below it.
USER_GRANTS = ("*:/api/v1/calendar/**",)
MENU = screen("Calendar", "calendar", "calendar", ("create", "update", "delete", "respond", "feed"))


async def initdb(context: InitContext) -> None:
    """Seed the calendar menu and the ``user`` role's grants."""
    await seed_domain_access(context, "calendar", MENU, USER_GRANTS)
