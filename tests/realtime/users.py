"""Users who log in for real against a live server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import httpx

from atrium.core.state import AppState
from tests.auth.helpers import bearer, create_user, tokens


@dataclass(frozen=True)
class LoggedIn:
    user_id: UUID
    username: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access)


async def log_in(http: httpx.AsyncClient, user: LoggedIn) -> LoggedIn:
    """Another session of the same user."""
    pair = await tokens(http, user.username)
    return LoggedIn(user.user_id, user.username, pair["accessToken"], pair["refreshToken"])


async def new_user(
    state: AppState, http: httpx.AsyncClient, username: str, *, superuser: bool = False
) -> LoggedIn:
    """Create a user and log in (the real encrypted login over HTTP)."""
    user = await create_user(state, username, superuser=superuser)
    pair = await tokens(http, username)
    return LoggedIn(user.id, username, pair["accessToken"], pair["refreshToken"])


async def give_role(state: AppState, user_id: UUID, code: str, grants: Sequence[str] = ()) -> UUID:
    """Give a user a role (created if missing) holding ``grants``, as the operator would."""
    from atrium.rbac import repository
    from atrium.rbac.cache import ChangeSet
    from atrium.rbac.deps import PERMISSIONS
    from atrium.rbac.models import Role

    changes = ChangeSet()
    async with state.db.session() as session:
        role = await repository.role_by(session, code=code)
        if role is None:
            role = Role(name=code.title(), code=code)
            session.add(role)
            await session.flush()
        held = (await repository.grants_of_roles(session, [role.id]))[role.id]
        await repository.set_grants(session, role.id, {*held, *grants})
        await repository.add_user_role(session, user_id, role.id)
        role_id = role.id
    changes.users(user_id)
    await state.get(PERMISSIONS).invalidate(changes)
    return role_id


EVERYDAY_EVENTS = ("EVENT:messages:send", "EVENT:messages:read", "EVENT:notifications:read")


async def everyday_user(state: AppState, user_id: UUID) -> None:
    """The seeded ``user`` role's socket events (what every user of a stock install has)."""
    await give_role(state, user_id, "user", EVERYDAY_EVENTS)
