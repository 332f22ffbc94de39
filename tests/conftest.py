"""Test harness: real services, the app's lifespan, isolation per test.

Service URLs come from the environment that ``make test`` exports (``var/test/services.env``,
written by ``python -m atrium.devservices up --profile test``). The suite is hermetic: it reads
no ``.env`` (``ATRIUM_ENV_FILE`` is set empty, for this process and every process it starts)
and drops every ``ATRIUM_*`` variable it does not set itself. Every test that touches SQL runs
twice, on SQLite and on PostgreSQL; MongoDB gets a fresh database, S3 a fresh bucket and Redis
is flushed (it is the suite's own server) after each test.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import delete
from sqlmodel import SQLModel

from atrium import devservices
from atrium.config import (
    ENV_FILE_VARIABLE,
    Environment,
    LoggingSettings,
    MongoSettings,
    RedisSettings,
    Settings,
    SQLSettings,
    StorageSettings,
)
from atrium.core import migrate
from atrium.core.state import AppState
from atrium.main import create_app
from atrium.models import import_table_models
from atrium.users.settings import PasswordSettings
from tests.support.postgres import postgres_database

REQUIRED = (
    "ATRIUM_REDIS__URL",
    "ATRIUM_MONGO__URL",
    "ATRIUM_STORAGE__ENDPOINT",
    "ATRIUM_TEST_POSTGRES_URL",
)


def _make_hermetic() -> None:
    """Forget the developer's ``.env`` and any ``ATRIUM_*`` variable the suite did not set."""
    ours = set(REQUIRED) | set(devservices.env("test"))
    for name in [name for name in os.environ if name.startswith("ATRIUM_")]:
        if name not in ours:
            del os.environ[name]
    os.environ[ENV_FILE_VARIABLE] = ""


_make_hermetic()


def _load_services_env() -> dict[str, str]:
    values = devservices.env("test")
    values.update({name: os.environ[name] for name in REQUIRED if name in os.environ})
    missing = [name for name in REQUIRED if name not in values]
    if missing:
        pytest.exit(
            "test services are not running (missing " + ", ".join(missing) + "): "
            "run `make test`, or `python -m atrium.devservices up --profile test` first",
            returncode=3,
        )
    return values


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Freeze the heap before pytest's last full collection: after the whole suite (hundreds of
    apps built and dropped) that one pass over every object took more than ten minutes here,
    and nothing of the suite needs finalising any more."""
    gc.freeze()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran on each SQL backend, so a run on only one is visible."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for backend in ("sqlite", "postgresql"):
                if f"[{backend}" in nodeid or f"-{backend}]" in nodeid or f"-{backend}-" in nodeid:
                    per = counts.setdefault(backend, {})
                    per[outcome] = per.get(outcome, 0) + 1
    if counts:
        terminalreporter.section("SQL backends")
        for backend, per in sorted(counts.items()):
            figures = ", ".join(f"{n} {outcome}" for outcome, n in sorted(per.items()))
            terminalreporter.write_line(f"{backend}: {figures}")


@pytest.fixture(scope="session")
def services() -> dict[str, str]:
    return _load_services_env()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def sql_url(
    request: pytest.FixtureRequest,
    services: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A migrated, empty database per backend, shared by the session."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "atrium.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate.upgrade(_settings(services, url, "unused"))
        yield url
        return
    with postgres_database(services["ATRIUM_TEST_POSTGRES_URL"]) as url:
        migrate.upgrade(_settings(services, url, "unused"))
        yield url


def _settings(services: dict[str, str], sql_url: str, suffix: str) -> Settings:
    return Settings(
        # Cheap Argon2 (about 1 ms a hash; the production default costs ~150 ms here).
        PasswordSettings(
            password_hash_time_cost=1, password_hash_memory_kib=1024, password_hash_parallelism=1
        ),
        environment=Environment.TESTING,
        sql=SQLSettings(url=sql_url, pool_size=5),
        mongo=MongoSettings(url=services["ATRIUM_MONGO__URL"], database=f"t_{suffix}"),
        redis=RedisSettings(url=services["ATRIUM_REDIS__URL"]),
        storage=StorageSettings(
            endpoint=services["ATRIUM_STORAGE__ENDPOINT"],
            access_key=services.get("ATRIUM_STORAGE__ACCESS_KEY", "atrium"),
            secret_key=SecretStr(services.get("ATRIUM_STORAGE__SECRET_KEY", "atrium-test")),
            bucket=f"t-{suffix}",
        ),
        logging=LoggingSettings(level="WARNING", access_log=False),
    )


@pytest.fixture
def settings(services: dict[str, str], sql_url: str) -> Settings:
    """Settings for one test: its own MongoDB database and bucket."""
    return _settings(services, sql_url, uuid4().hex[:12])


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running; every store is cleaned afterwards."""
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        state: AppState = application.state.atrium
        try:
            yield application
        finally:
            await _clean(state)


async def _clean(state: AppState) -> None:
    import_table_models(state.settings)
    async with state.db.session() as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await session.execute(delete(table))
    await state.mongo.client.drop_database(state.settings.mongo.database)
    await state.redis.flushdb()
    for key in await state.storage.list_keys():
        await state.storage.remove(key)
    await asyncio.to_thread(state.storage.client.remove_bucket, state.storage.bucket)


@pytest.fixture
def state(app: FastAPI) -> AppState:
    result: AppState = app.state.atrium
    return result


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
