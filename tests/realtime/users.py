"""Users who log in for real against a live server."""

from __future__ import annotations

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
