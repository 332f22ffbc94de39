"""Fixtures shared by several test directories, registered once (``pytest_plugins`` in the root
conftest): the app on a real port with its HTTP client, and the stores of worker processes.

``live`` serves the ``settings`` the requesting test sees, so a directory's ``settings`` override
(extra domains, CORS origins) reaches the server too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import httpx
import pytest

from atrium.config import Settings
from tests.support.live import LiveServer, live_server
from tests.support.workers import claimed_redis_db, emptied


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    """The app on a real port (uvicorn, in this process, lifespan running)."""
    async with live_server(settings) as server:
        yield server


@pytest.fixture
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the live server (over a real socket)."""
    async with httpx.AsyncClient(base_url=live.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def process_redis_db(services: dict[str, str]) -> Iterator[str]:
    """A Redis database URL claimed by this session for worker and beat processes."""
    with claimed_redis_db(services["ATRIUM_REDIS__URL"]) as url:
        yield url


@pytest.fixture
def process_redis_url(process_redis_db: str) -> Iterator[str]:
    """The session's Redis database, emptied before and after the test (its claim kept)."""
    with emptied(process_redis_db) as url:
        yield url


@pytest.fixture
def mongo_db() -> str:
    """A fresh MongoDB database name for worker processes."""
    return f"tw_{uuid4().hex[:10]}"
