"""The accounts tests: every default domain, cheap hashing, generous limits, open registration
unless a test says otherwise, on the session's own Redis database (a worker shares it), and a
real worker delivering the mail to the real SMTP catcher.

The workers are shared by the directory's tests (one per SQL backend and registration mode), so
the tests share one MongoDB database name too; each test's app still empties every store after it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from atrium.accounts.settings import AccountsSettings, RegistrationMode
from atrium.config import MongoSettings, RedisSettings, Settings
from tests.rbac.domains import with_rbac
from tests.support.accounts import MailWorkers
from tests.support.workers import Proc


@pytest.fixture
def registration() -> RegistrationMode:
    return RegistrationMode.OPEN


@pytest.fixture
def settings(
    settings: Settings, process_redis_url: str, registration: RegistrationMode
) -> Settings:
    settings = with_rbac(settings)
    settings.redis = RedisSettings(url=process_redis_url)
    settings.mongo = MongoSettings(url=settings.mongo.url, database="t_accounts")
    settings.set_group(
        AccountsSettings(
            registration=registration,
            frontend_url="https://app.example.com",
            rate_per_address="1000/minute",
            rate_per_target="1000/minute",
        )
    )
    return settings


@pytest.fixture(scope="package")
def mail_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailWorkers]:
    workers = MailWorkers(tmp_path_factory.mktemp("workers"))
    yield workers
    workers.stop()


@pytest.fixture
def worker(services: dict[str, str], settings: Settings, mail_workers: MailWorkers) -> Proc:
    env = {"ATRIUM_ACCOUNTS__REGISTRATION": settings.group(AccountsSettings).registration.value}
    env["ATRIUM_ACCOUNTS__FRONTEND_URL"] = "https://app.example.com"
    return mail_workers.get(services, settings, **env)
