"""Helpers of the to-dos tests: the routes, and users who log in for real."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.workspace import API, User

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
