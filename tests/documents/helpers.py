"""Helpers of the documents tests: the routes, users who log in for real, documents made over
HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import httpx

from atrium.core.state import AppState
from tests.support.users import bearer, create_user, tokens

API = "/api/v1"
BASE = f"{API}/documents"
ONE = f"{BASE}/{{document_id}}"
ROUTES = (
    ("GET", BASE),
    ("POST", BASE),
    ("GET", ONE),
    ("PATCH", ONE),
    ("DELETE", ONE),
    ("POST", f"{ONE}/restore"),
    ("DELETE", f"{ONE}/purge"),
    ("PUT", f"{ONE}/shares"),
    ("GET", f"{ONE}/revisions"),
    ("GET", f"{ONE}/revisions/{{number}}"),
    ("POST", f"{ONE}/revisions/{{number}}/restore"),
    ("POST", f"{ONE}/attachments"),
    ("DELETE", f"{ONE}/attachments/{{file_id}}"),
)
# Every route of the domain, and its socket events.
ALL_ROUTES = f"*:{BASE}/**"
EVENTS = ("EVENT:documents.watch", "EVENT:documents.unwatch")


@dataclass(frozen=True)
class User:
    """A logged-in user: their id and access token."""

    id: UUID
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access_token)


class MakeUser(Protocol):
    """Makes a user with a role of their own that holds ``grants``; the role's id is kept."""

    async def __call__(self, username: str, *, grants: Sequence[str] = ...) -> User: ...


async def log_in(
    client: httpx.AsyncClient, state: AppState, username: str, *, superuser: bool = False
) -> User:
    """Create a user and log in (the encrypted login, over HTTP)."""
    user = await create_user(state, username, superuser=superuser)
    return User(user.id, (await tokens(client, username))["accessToken"])


async def create_document(
    client: httpx.AsyncClient, owner: User, title: str = "Notes", **fields: Any
) -> dict[str, Any]:
    """Create a document through the API (``fields`` in camelCase); what it answered."""
    response = await client.post(BASE, json={"title": title, **fields}, headers=owner.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def share(
    client: httpx.AsyncClient, owner: User, document_id: str, **lists: list[str]
) -> dict[str, Any]:
    """Replace the document's shares (``viewerIds=[...]``...); what it answered."""
    url = f"{BASE}/{document_id}/shares"
    response = await client.put(url, json=lists, headers=owner.headers)
    assert response.status_code == 200, response.text
    shared: dict[str, Any] = response.json()["data"]
    return shared


async def listed(client: httpx.AsyncClient, who: User, **params: str | int) -> dict[str, Any]:
    """One page of ``GET /documents`` with these query parameters."""
    response = await client.get(BASE, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()["data"]
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [row["id"] for row in page["items"]]
