"""Fixtures of the audit tests: a superuser who administers, fast logins."""

from __future__ import annotations

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.support.admin import Actor, actor
from tests.support.settings import fast_auth


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast_auth(settings)


@pytest.fixture
async def admin(client: httpx.AsyncClient, state: AppState) -> Actor:
    return await actor(client, state, "root", superuser=True)
