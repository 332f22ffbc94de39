"""The first declared parameter: the registration mode, switched at runtime by an administrator,
applies at the very next register call, in the request and in the worker that completes it
(a real worker, the real SMTP catcher), on both SQL backends."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from atrium.accounts.settings import AccountsSettings
from atrium.config import MongoSettings, RedisSettings, Settings
from atrium.core.state import AppState
from tests.support.accounts import MailWorkers, address, mail_to
from tests.support.admin import API, actor, data
from tests.support.settings import fast_auth
from tests.support.users import PASSWORD, sealed
from tests.support.workers import Proc

URL = f"{API}/parameters/accounts.registration"


@pytest.fixture
def settings(settings: Settings, process_redis_url: str) -> Settings:
    fast_auth(settings)
    settings.redis = RedisSettings(url=process_redis_url)  # the worker's broker too
    settings.mongo = MongoSettings(url=settings.mongo.url, database="t_parameters")
    settings.set_group(
        AccountsSettings(rate_per_address="1000/minute", rate_per_target="1000/minute")
    )
    return settings


@pytest.fixture(scope="module")
def mail_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailWorkers]:
    workers = MailWorkers(tmp_path_factory.mktemp("workers"))
    yield workers
    workers.stop()


@pytest.fixture
def worker(services: dict[str, str], settings: Settings, mail_workers: MailWorkers) -> Proc:
    return mail_workers.get(services, settings, ATRIUM_ACCOUNTS__REGISTRATION="closed")


async def _register(client: httpx.AsyncClient, username: str, email: str) -> httpx.Response:
    body = {"username": username, "email": email, **await sealed(client, PASSWORD)}
    return await client.post(f"{API}/accounts/register", json=body)


async def test_switching_the_mode_applies_to_the_next_register_call(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    root = await actor(client, state, "root", superuser=True)
    closed = await _register(client, "early", address("early"))
    assert (closed.status_code, closed.json()["code"]) == (403, "ACCOUNTS_REGISTRATION_CLOSED")
    data(await client.patch(URL, json={"value": "invite"}, headers=root.headers))
    stranger = address("stranger")
    assert (await _register(client, "stranger", stranger)).status_code == 202
    # The worker, configured ``closed``, read the override: it asked for an invitation.
    await mail_to(services, stranger, "registration is by invitation")
    data(await client.patch(URL, json={"value": "open"}, headers=root.headers))
    newcomer = address("newcomer")
    assert (await _register(client, "newcomer", newcomer)).status_code == 202
    await mail_to(services, newcomer, "confirm your email address")
    data(await client.post(f"{URL}/reset", headers=root.headers))
    again = await _register(client, "late", address("late"))
    assert (again.status_code, again.json()["code"]) == (403, "ACCOUNTS_REGISTRATION_CLOSED")
