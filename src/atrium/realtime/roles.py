"""Which roles a user has, for role rooms and role-addressed notifications.

The RBAC domain owns roles. Realtime asks through the lookup stored under ``ROLE_LOOKUP``; when
none was installed and ``atrium.rbac`` is a configured domain, the user's active roles are read
from RBAC's tables. Without either, users have no role rooms (user and "everyone" addressing
still work). Role rooms are joined at connect and on ``auth:refresh``, and follow every RBAC
change at once (``atrium.realtime.rooms``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from atrium.core.state import AppState, StateKey

RoleLookup = Callable[[AppState, UUID], Awaitable[Sequence[str]]]

ROLE_LOOKUP: StateKey[RoleLookup] = StateKey("realtime.role_lookup")
RBAC_DOMAIN = "atrium.rbac"


async def rbac_roles(state: AppState, user_id: UUID) -> list[str]:
    """The codes of the user's active roles, from the RBAC tables."""
    # Imported here: realtime works without the RBAC domain configured.
    from atrium.rbac import repository as rbac_repository

    async with state.db.session() as session:
        roles = await rbac_repository.roles_of_user(session, user_id)
    return [role.code for role in roles if role.is_active]


def install_default_lookup(state: AppState) -> None:
    if state.find(ROLE_LOOKUP) is None and RBAC_DOMAIN in state.settings.domains:
        state.set(ROLE_LOOKUP, rbac_roles)


async def roles_of(state: AppState, user_id: UUID) -> tuple[str, ...]:
    """The codes of the user's active roles (empty without RBAC)."""
    lookup = state.find(ROLE_LOOKUP)
    if lookup is None:
        return ()
    return tuple(sorted(set(await lookup(state, user_id))))


BULK_CHUNK = 500


async def _rbac_roles_of_many(state: AppState, user_ids: Sequence[UUID]) -> dict[UUID, list[str]]:
    from atrium.rbac import repository as rbac_repository

    found: dict[UUID, list[str]] = {}
    async with state.db.session() as session:
        for start in range(0, len(user_ids), BULK_CHUNK):
            chunk = user_ids[start : start + BULK_CHUNK]
            for user_id, roles in (await rbac_repository.roles_of_users(session, chunk)).items():
                found[user_id] = [role.code for role in roles if role.is_active]
    return found


async def roles_of_many(state: AppState, user_ids: Sequence[UUID]) -> dict[UUID, tuple[str, ...]]:
    """``roles_of`` for many users (one query per 500 with RBAC's lookup)."""
    lookup = state.find(ROLE_LOOKUP)
    if lookup is None:
        return dict.fromkeys(user_ids, ())
    if lookup is rbac_roles:
        found = await _rbac_roles_of_many(state, user_ids)
        return {user_id: tuple(sorted(set(found.get(user_id, ())))) for user_id in user_ids}
    return {user_id: await roles_of(state, user_id) for user_id in user_ids}
