"""Helpers of the to-dos tests: the routes, and users who log in for real."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import httpx

from atrium.core.state import AppState
from tests.support.users import bearer, create_user, tokens

API = "/api/v1"
BASE = f"{API}/todos"
ONE = f"{BASE}/{{todo_id}}"
ASSIGNEE = f"{ONE}/assignee"
ROUTES = (
    ("GET", BASE),
    ("POST", BASE),
    ("GET", ONE),
    ("PATCH", ONE),
    ("PUT", ASSIGNEE),
    ("DELETE", ONE),
)
# Every route of the domain: ``*`` is any method, a final ``**`` the path and all below it.
ALL_ROUTES = f"*:{BASE}/**"


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


async def create_todo(
    client: httpx.AsyncClient, owner: User, title: str = "First", **fields: Any
) -> dict[str, Any]:
    """Create a to-do through the API (``fields`` in camelCase); what it answered."""
    body = {"title": title, **fields}
    response = await client.post(BASE, json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def listed(client: httpx.AsyncClient, who: User, **params: str | int) -> dict[str, Any]:
    """One page of ``GET /todos`` with these query parameters."""
    response = await client.get(BASE, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()["data"]
    return page
