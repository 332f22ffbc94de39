"""What the workspace domains' tests share (to-dos, documents, calendar): the domain added to the
suite's settings and its migration branch applied, users who log in for real, and users holding
a role of their own made through the admin API, as an operator would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

import httpx

from atrium.config import Environment, Settings, SQLSettings
from atrium.core import migrate
from atrium.core.state import AppState
from tests.support.users import bearer, create_user, tokens

API = "/api/v1"


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


def with_domain(settings: Settings, package: str) -> Settings:
    """``settings`` with ``package`` among its domains (appended unless the project lists it)."""
    if package not in settings.domains:
        settings.domains = [*settings.domains, package]
    return settings


def migrated(sql_url: str, package: str) -> str:
    """The suite's database ``sql_url`` with ``package``'s migration branch applied."""
    settings = Settings(environment=Environment.TESTING, sql=SQLSettings(url=sql_url))
    migrate.upgrade(with_domain(settings, package))
    return sql_url


def member_maker(
    client: httpx.AsyncClient,
    state: AppState,
    admin: User,
    default_grants: Sequence[str],
    roles: dict[str, str] | None = None,
) -> MakeUser:
    """Makes users with a role of their own holding ``grants`` (``default_grants`` unless
    given); each role's id is kept in ``roles`` by username when a dict is passed."""

    async def make(username: str, *, grants: Sequence[str] = tuple(default_grants)) -> User:
        user = await log_in(client, state, username)
        role = await client.post(
            f"{API}/roles",
            json={"name": username.title(), "code": f"{username}-role"},
            headers=admin.headers,
        )
        assert role.status_code == 201, role.text
        role_id = role.json()["data"]["id"]
        if roles is not None:
            roles[username] = role_id
        for url, body in (
            (f"{API}/roles/{role_id}/permissions", {"grants": [*grants]}),
            (f"{API}/users/{user.id}/roles", {"roleIds": [role_id]}),
        ):
            response = await client.put(url, json=body, headers=admin.headers)
            assert response.status_code == 200, response.text
        return user

    return make
