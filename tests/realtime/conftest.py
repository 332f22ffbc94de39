from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.realtime.live import LiveServer, live_server


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """With the sample socket events of these tests."""
    settings.domains = [*settings.domains, "tests.realtime.sample_domain"]
    return settings


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    """The app on a real port (uvicorn, in this process, lifespan running)."""
    async with live_server(settings) as server:
        yield server


@pytest.fixture
def state(live: LiveServer) -> AppState:
    result: AppState = live.app.state.atrium
    return result


@pytest.fixture
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as client:
        yield client
