from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import httpx

from atrium.core.state import AppState
from atrium.realtime.roles import ROLE_LOOKUP

API = "/api/v1"


async def send(
    http: httpx.AsyncClient, headers: dict[str, str], expect: int = 201, **body: Any
) -> dict[str, Any]:
    """An admin send; the response data."""
    body.setdefault("title", "Hello")
    response = await http.post(f"{API}/notifications/send", json=body, headers=headers)
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()["data"] if expect == 201 else response.json()
    return data


async def feed(http: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await http.get(f"{API}/notifications", params=params, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def unread(http: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await http.get(f"{API}/notifications/unread-count", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["unread"])


def give_roles(state: AppState, roles: dict[UUID, Sequence[str]]) -> None:
    """Stand in for RBAC's role lookup (the seam realtime and notifications read roles through)."""

    async def lookup(_state: AppState, user_id: UUID) -> Sequence[str]:
        return roles.get(user_id, ())

    state.set(ROLE_LOOKUP, lookup)
