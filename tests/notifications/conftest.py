from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from atrium.config import Settings
from tests.realtime.live import LiveServer, live_server


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    """The app on a real port, for tests with real Socket.IO clients."""
    async with live_server(settings) as server:
        yield server


@pytest.fixture
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as client:
        yield client
