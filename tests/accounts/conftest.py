"""The accounts tests: every default domain, cheap hashing, generous limits, open registration
unless a test says otherwise, on the session's own Redis database (a worker shares it), and a
real worker delivering the mail to the real SMTP catcher."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atrium.accounts.settings import AccountsSettings, RegistrationMode
from atrium.config import RedisSettings, Settings
from tests.rbac.domains import with_rbac
from tests.support.accounts import mail_worker
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
    settings.set_group(
        AccountsSettings(
            registration=registration,
            frontend_url="https://app.example.com",
            rate_per_address="1000/minute",
            rate_per_target="1000/minute",
        )
    )
    return settings


@pytest.fixture
def worker(services: dict[str, str], settings: Settings, tmp_path: Path) -> Iterator[Proc]:
    env = {"ATRIUM_ACCOUNTS__REGISTRATION": settings.group(AccountsSettings).registration.value}
    env["ATRIUM_ACCOUNTS__FRONTEND_URL"] = "https://app.example.com"
    with mail_worker(services, settings, tmp_path / "worker.log", **env) as proc:
        yield proc
