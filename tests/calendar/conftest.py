"""Fixtures of the calendar tests: the app with this domain, users with grants.

The domain is appended to the settings' domains when the project does not list it already, and
its migration branch is applied to the suite's database of each SQL backend: these tests run as
they are, alone or in the whole suite.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pytest

from atrium.config import Environment, Settings, SQLSettings
from atrium.core import migrate
from atrium.core.state import AppState
from tests.support.settings import fast_auth

from .helpers import ALL_ROUTES, API, MakeUser, User, log_in

PACKAGE = "atrium.calendar"


def with_domain(settings: Settings) -> Settings:
    if PACKAGE not in settings.domains:
        settings.domains = [*settings.domains, PACKAGE]
    return settings


@pytest.fixture(scope="session")
def sql_url(sql_url: str) -> str:
    """The suite's database of each backend, with this domain's migration branch applied."""
    settings = Settings(environment=Environment.TESTING, sql=SQLSettings(url=sql_url))
    migrate.upgrade(with_domain(settings))
    return sql_url


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast_auth(with_domain(settings))


@pytest.fixture
async def admin(client: httpx.AsyncClient, state: AppState) -> User:
    """A superuser: passes every permission check."""
    return await log_in(client, state, "admin", superuser=True)


@pytest.fixture
async def nobody(client: httpx.AsyncClient, state: AppState) -> User:
    """A user with no role: every route of the domain refuses them."""
    return await log_in(client, state, "nobody")


@pytest.fixture
def member(client: httpx.AsyncClient, state: AppState, admin: User) -> MakeUser:
    """Makes users with a role of their own holding ``grants`` (by default every route of the
    domain), given through the admin API as an operator would."""

    async def make(username: str, *, grants: Sequence[str] = (ALL_ROUTES,)) -> User:
        user = await log_in(client, state, username)
        role = await client.post(
            f"{API}/roles",
            json={"name": username.title(), "code": f"{username}-role"},
            headers=admin.headers,
        )
        assert role.status_code == 201, role.text
        role_id = role.json()["data"]["id"]
        for url, body in (
            (f"{API}/roles/{role_id}/permissions", {"grants": [*grants]}),
            (f"{API}/users/{user.id}/roles", {"roleIds": [role_id]}),
        ):
            response = await client.put(url, json=body, headers=admin.headers)
            assert response.status_code == 200, response.text
        return user

    return make
