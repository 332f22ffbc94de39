"""Fixtures shared by several test directories, registered once (``pytest_plugins`` in the root
conftest): the app on a real port with its HTTP client, a second app in this process (another
node: its own lifespan and in-process caches, the same stores), and the stores of worker
processes.

``live`` serves the ``settings`` the requesting test sees, so a directory's ``settings`` override
(extra domains, CORS origins) reaches the server too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from atrium.config import Settings
from atrium.main import create_app
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


@pytest.fixture
async def second_app(settings: Settings, app: FastAPI) -> AsyncIterator[FastAPI]:
    """Another node: same settings, its own process-level state (the first app cleans up)."""
    other = create_app(settings)
    async with LifespanManager(other, startup_timeout=30, shutdown_timeout=30):
        yield other


def asgi_client(application: FastAPI) -> httpx.AsyncClient:
    """A client of ``application`` in this process (errors answered as 500s, not raised)."""
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


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
