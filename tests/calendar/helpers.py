"""Helpers of the calendar tests: the routes, users who log in for real, and events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import httpx

from atrium.core.state import AppState
from tests.support.users import bearer, create_user, tokens

API = "/api/v1"
BASE = f"{API}/calendar"
EVENTS = f"{BASE}/events"
ONE = f"{EVENTS}/{{event_id}}"
EXPORT = f"{EVENTS}/{{event_id}}.ics"
RESPONSE = f"{ONE}/response"
FEED = f"{BASE}/feed"
PUBLIC_FEED = f"{BASE}/feeds/{{token}}.ics"
ROUTES = (
    ("GET", EVENTS),
    ("POST", EVENTS),
    ("GET", EXPORT),
    ("GET", ONE),
    ("PATCH", ONE),
    ("DELETE", ONE),
    ("PUT", RESPONSE),
    ("GET", FEED),
    ("POST", FEED),
    ("DELETE", FEED),
)
# Every route of the domain: ``*`` is any method, a final ``**`` the path and all below it.
ALL_ROUTES = f"*:{BASE}/**"
MEETING: dict[str, Any] = {
    "title": "Planning",
    "tz": "Europe/Berlin",
    "start": "2031-05-05T09:00:00",
    "end": "2031-05-05T10:00:00",
}


@dataclass(frozen=True)
class User:
    """A logged-in user: their id and access token."""

    id: UUID
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access_token)


class MakeUser(Protocol):
    """Makes a user with a role of their own that holds ``grants``."""

    async def __call__(self, username: str, *, grants: Sequence[str] = ...) -> User: ...


async def log_in(
    client: httpx.AsyncClient, state: AppState, username: str, *, superuser: bool = False
) -> User:
    """Create a user and log in (the encrypted login, over HTTP)."""
    user = await create_user(state, username, superuser=superuser)
    return User(user.id, (await tokens(client, username))["accessToken"])


async def create_event(client: httpx.AsyncClient, organiser: User, **fields: Any) -> dict[str, Any]:
    """Create an event through the API (``MEETING`` with ``fields``, camelCase); its answer."""
    response = await client.post(EVENTS, json={**MEETING, **fields}, headers=organiser.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def occurrences(
    client: httpx.AsyncClient, who: User, start: str, end: str, **params: str | int
) -> dict[str, Any]:
    """One page of ``GET /calendar/events`` over [start, end) with these query parameters."""
    query = {"from": start, "to": end, **params}
    response = await client.get(EVENTS, params=query, headers=who.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()["data"]
    return page
