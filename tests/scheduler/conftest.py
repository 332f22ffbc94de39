"""Scheduler test fixtures: a client logged in as a superuser, beat engines."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from atrium.core.state import AppState
from tests.scheduler.engine_helpers import Engines
from tests.support.users import superuser


@pytest.fixture
async def as_superuser(client: httpx.AsyncClient, state: AppState) -> None:
    """The test client calls as a logged-in superuser (who may schedule every task)."""
    client.headers.update((await superuser(state, client)).headers)


@pytest.fixture
async def engines(state: AppState) -> AsyncIterator[Engines]:
    """Beat engines on the test's stores, closed when the test ends."""
    made = Engines(state)
    yield made
    await made.close()
