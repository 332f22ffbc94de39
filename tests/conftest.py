"""Test harness: real services, the app's lifespan, isolation per test.

Service URLs come from the environment that ``make test`` exports (``var/test/services.env``,
written by ``python -m atrium.devservices up --profile test``). The suite is hermetic: it reads
no ``.env`` (``ATRIUM_ENV_FILE`` is set empty, for this process and every process it starts)
and drops every ``ATRIUM_*`` variable it does not set itself. Every test that touches SQL runs
twice, on SQLite and on PostgreSQL; MongoDB gets a fresh database, S3 a fresh bucket and Redis
is flushed (it is the suite's own server) after each test.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from atrium import devservices
from atrium.config import ENV_FILE_VARIABLE, Settings
from atrium.core import migrate
from atrium.core.state import AppState
from atrium.main import create_app
from tests.support.heap import forget_app_callables
from tests.support.postgres import postgres_database
from tests.support.settings import settings_for
from tests.support.stores import clean

REQUIRED = (
    "ATRIUM_REDIS__URL",
    "ATRIUM_MONGO__URL",
    "ATRIUM_STORAGE__ENDPOINT",
    "ATRIUM_TEST_POSTGRES_URL",
)
# Fixtures shared across directories (live server, worker processes' Redis database).
pytest_plugins = ["tests.support.fixtures"]


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


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Drop what keeps the test's apps alive once its fixtures are gone."""
    forget_app_callables()


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
        migrate.upgrade(settings_for(services, url, "unused"))
        yield url
        return
    with postgres_database(services["ATRIUM_TEST_POSTGRES_URL"]) as url:
        migrate.upgrade(settings_for(services, url, "unused"))
        yield url


@pytest.fixture
def settings(services: dict[str, str], sql_url: str) -> Settings:
    """Settings for one test: its own MongoDB database and bucket."""
    return settings_for(services, sql_url, uuid4().hex[:12])


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running; every store is cleaned afterwards."""
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        state: AppState = application.state.atrium
        try:
            yield application
        finally:
            await clean(state)


@pytest.fixture
def state(app: FastAPI) -> AppState:
    result: AppState = app.state.atrium
    return result


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
