"""RBAC's settings group (``ATRIUM_RBAC__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class RbacSettings(SettingsGroup, section="rbac"):
    """The permission cache, route sync and the seeded role's grants (``ATRIUM_RBAC__*``)."""

    # In-process lease of a user's permission set (0 disables it). Changes reach every node
    # through Redis pub/sub before they are reported done; this is the safety net.
    permission_cache_seconds: float = Field(default=30.0, ge=0)
    # Sync the route table into the permission table at startup.
    sync_on_startup: bool = True
    # Grants (codes or patterns) the seeded `user` role gets besides the authenticated basics.
    user_role_grants: list[str] = []
