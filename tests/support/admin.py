"""RBAC administration through the API, as an admin would: logged-in actors, roles, grants."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from atrium.core.state import AppState
from atrium.users.models import User
from tests.support.users import bearer, create_user, tokens

API = "/api/v1"


class Actor:
    """A logged-in user: their row and bearer headers."""

    def __init__(self, user: User, headers: dict[str, str]) -> None:
        self.user = user
        self.id: UUID = user.id
        self.headers = headers


async def actor(
    client: httpx.AsyncClient, state: AppState, username: str, *, superuser: bool = False
) -> Actor:
    user = await create_user(state, username, superuser=superuser)
    return Actor(user, bearer((await tokens(client, username))["accessToken"]))


async def relogin(client: httpx.AsyncClient, who: Actor) -> None:
    who.headers = bearer((await tokens(client, who.user.username))["accessToken"])


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


async def create_role(
    client: httpx.AsyncClient, admin: Actor, code: str, grants: list[str] | None = None
) -> UUID:
    body = {"name": code.title(), "code": code}
    role = data(await client.post(f"{API}/roles", json=body, headers=admin.headers), 201)
    if grants:
        await set_grants(client, admin, role["id"], grants)
    return UUID(role["id"])


async def set_grants(
    client: httpx.AsyncClient, admin: Actor, role_id: UUID | str, grants: list[str]
) -> None:
    url = f"{API}/roles/{role_id}/permissions"
    data(await client.put(url, json={"grants": grants}, headers=admin.headers))


async def set_roles(
    client: httpx.AsyncClient, admin: Actor, user_id: UUID, role_ids: list[UUID]
) -> None:
    body = {"roleIds": [str(role_id) for role_id in role_ids]}
    data(await client.put(f"{API}/users/{user_id}/roles", json=body, headers=admin.headers))
