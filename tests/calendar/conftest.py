"""Fixtures of the calendar tests: the app with this domain, users with grants.

The domain is appended to the settings' domains when the project does not list it already, and
its migration branch is applied to the suite's database of each SQL backend: these tests run as
they are, alone or in the whole suite.
"""

from __future__ import annotations

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.support.settings import fast_auth
from tests.support.workspace import MakeUser, User, log_in, member_maker, migrated, with_domain

from .helpers import ALL_ROUTES

PACKAGE = "atrium.calendar"


@pytest.fixture(scope="session")
def sql_url(sql_url: str) -> str:
    """The suite's database of each backend, with this domain's migration branch applied."""
    return migrated(sql_url, PACKAGE)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast_auth(with_domain(settings, PACKAGE))


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
    return member_maker(client, state, admin, (ALL_ROUTES,))
