"""Fixtures of the documents tests: the app with this domain, users with grants.

The domain is appended to the settings' domains when the project does not list it already, so
these tests run as they are, alone or in the whole suite.
"""

from __future__ import annotations

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.support.settings import fast_auth
from tests.support.workspace import MakeUser, User, log_in, member_maker, with_domain

from .helpers import ALL_ROUTES, EVENTS

PACKAGE = "atrium.documents"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast_auth(with_domain(settings, PACKAGE))


@pytest.fixture
async def admin(client: httpx.AsyncClient, state: AppState) -> User:
    """A superuser: passes every permission check."""
    return await log_in(client, state, "admin", superuser=True)


@pytest.fixture
def roles() -> dict[str, str]:
    """The id of each role ``member`` made, by username."""
    return {}


@pytest.fixture
def member(
    client: httpx.AsyncClient, state: AppState, admin: User, roles: dict[str, str]
) -> MakeUser:
    """Makes users with a role of their own holding ``grants`` (by default every route and
    socket event of the domain), given through the admin API as an operator would."""
    return member_maker(client, state, admin, (ALL_ROUTES, *EVENTS), roles)
