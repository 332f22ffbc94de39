"""The to-dos domain's ``initdb`` step: its menu, shown to the ``admin`` and ``user`` roles, and
every to-do route granted to ``user`` (so every logged-in user keeps a to-do list; the data
scope keeps each to their own). Idempotent, like RBAC's seed, which runs before it."""

from __future__ import annotations

from atrium.core.domain import InitContext
from atrium.rbac.seed import screen, seed_domain_access

# Every route of the domain: ``*`` any method, the final ``**`` the path and all below it.
USER_GRANTS = ("*:/api/v1/todos/**",)
MENU = screen("To-dos", "todos", "check-square", ("create", "update", "assign", "delete"))


async def initdb(context: InitContext) -> None:
    """Seed the to-dos menu and the ``user`` role's grants."""
    await seed_domain_access(context, "todos", MENU, USER_GRANTS)
