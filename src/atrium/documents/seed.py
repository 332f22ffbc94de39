"""The documents domain's ``initdb`` step: its menu, shown to the ``admin`` and ``user`` roles,
and every document route granted to ``user`` (so every logged-in user writes documents; the data
scope keeps each to their own and what is shared with them). Idempotent, like RBAC's seed."""

from __future__ import annotations

from atrium.core.domain import InitContext
from atrium.rbac.seed import screen, seed_domain_access

# Every route of the domain: ``*`` any method, the final ``**`` the path and all below it.
USER_GRANTS = ("*:/api/v1/documents/**",)
MENU = screen(
    "Documents", "documents", "file-text", ("create", "update", "share", "delete", "purge")
)


async def initdb(context: InitContext) -> None:
    """Seed the documents menu and the ``user`` role's grants."""
    await seed_domain_access(context, "documents", MENU, USER_GRANTS)
