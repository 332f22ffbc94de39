"""Scheduler test fixtures: a client logged in as a superuser, beat engines."""

from __future__ import annotations

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.auth.helpers import bearer, create_user, fast_auth, tokens
from tests.scheduler.engine_helpers import engines
from tests.worker.conftest import mongo_db, process_redis_db, process_redis_url

# Fixtures shared with the worker tests, and the engine factory.
__all__ = ["engines", "mongo_db", "process_redis_db", "process_redis_url"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return fast_auth(settings)


@pytest.fixture
async def as_superuser(client: httpx.AsyncClient, state: AppState) -> None:
    """The test client calls as a logged-in superuser (who may schedule every task)."""
    await create_user(state, "root", superuser=True)
    client.headers.update(bearer((await tokens(client, "root"))["accessToken"]))
