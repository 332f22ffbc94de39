"""Login rate limits per address and per (username, address), the progressive lockout of one
(account, address) pair, the per-name slow-down, and client addresses behind a trusted proxy."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from atrium.auth.ratelimit import LoginLimiter, client_bucket
from atrium.auth.runtime import runtime
from atrium.config import ProxySettings, Settings
from atrium.core.domain import load_domains
from atrium.core.errors import TooManyRequests
from atrium.core.redis import create_redis
from atrium.core.state import AppState
from tests.support.settings import fast_auth
from tests.support.users import bearer, create_user, login, tokens

HERE = "127.0.0.1"  # the address of the default test client


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    overrides: dict[str, Any] = dict(getattr(request, "param", {}))
    trusted = overrides.pop("trusted_proxies", None)
    if trusted is not None:
        settings.proxy = ProxySettings(trusted_addresses=trusted)
    return fast_auth(settings, **overrides)


@asynccontextmanager
async def client_at(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose TCP peer address is ``address``."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _limits(**overrides: Any) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("settings", [overrides], indirect=True, ids=["limits"])


def _retry_after(response: httpx.Response) -> int:
    return int(response.headers["retry-after"])


@_limits(login_rate_per_username="3/minute", lockout_threshold=50)
async def test_the_n_plus_first_bad_password_is_429(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    for _ in range(3):
        assert (await login(client, "alice", "wrong-password-1")).status_code == 401
    response = await login(client, "alice", "wrong-password-1")
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert 1 <= _retry_after(response) <= 60
    # The username is limited whoever asks, even with the right password.
    assert (await login(client, "ALICE")).status_code == 429


@_limits(login_rate_per_address="2/minute", lockout_threshold=50)
async def test_one_address_cannot_spray_many_usernames(
    client: httpx.AsyncClient, state: AppState
) -> None:
    for name in ("ann", "ben"):
        assert (await login(client, name, "wrong-password-1")).status_code == 401
    response = await login(client, "cat", "wrong-password-1")
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert "retry-after" in response.headers


@_limits(lockout_threshold=2, lockout_base_seconds=30, lockout_max_seconds=100)
async def test_repeated_failures_lock_the_account_progressively(
    client: httpx.AsyncClient, state: AppState
) -> None:
    user = await create_user(state, "alice")
    for _ in range(2):
        assert (await login(client, "alice", "wrong-password-1")).status_code == 401
    locked = await login(client, "alice@example.com")  # the right password, by email
    assert locked.status_code == 429
    assert locked.json()["code"] == "AUTH_LOCKED"
    assert 25 <= _retry_after(locked) <= 30
    limiter = runtime(state).limiter
    await limiter.record_failure(str(user.id), HERE)
    with pytest.raises(TooManyRequests) as third:
        await limiter.check_lockout(str(user.id), HERE)
    assert 55 <= int((third.value.headers or {})["Retry-After"]) <= 60
    for _ in range(3):
        await limiter.record_failure(str(user.id), HERE)
    with pytest.raises(TooManyRequests) as capped:
        await limiter.check_lockout(str(user.id), HERE)
    assert int((capped.value.headers or {})["Retry-After"]) <= 100


@_limits(lockout_threshold=3)
async def test_a_success_resets_the_failure_count(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    for _ in range(2):
        await login(client, "alice", "wrong-password-1")
    assert (await login(client, "alice")).status_code == 200
    for _ in range(2):
        await login(client, "alice", "wrong-password-1")
    assert (await login(client, "alice")).status_code == 200


# -- an outsider cannot lock the owner out ----------------------------------------------------


@_limits(lockout_threshold=3, login_rate_per_username="50/minute")
async def test_an_attackers_failures_lock_the_attacker_out_not_the_owner(
    app: FastAPI, state: AppState
) -> None:
    await create_user(state, "admin")
    async with client_at(app, "203.0.113.9") as attacker, client_at(app, "198.51.100.4") as owner:
        for _ in range(3):
            assert (await login(attacker, "admin", "wrong-password-1")).status_code == 401
        locked = await login(attacker, "admin")  # even the right password, from there
        assert locked.status_code == 429
        assert locked.json()["code"] == "AUTH_LOCKED"
        assert int(locked.headers["retry-after"]) >= 1
        assert (await login(owner, "admin")).status_code == 200
        assert (await login(attacker, "admin@example.com")).status_code == 429


@_limits(login_rate_per_username="3/minute", lockout_threshold=50)
async def test_the_username_limit_counts_per_address(app: FastAPI, state: AppState) -> None:
    await create_user(state, "admin")
    async with client_at(app, "203.0.113.9") as attacker, client_at(app, "198.51.100.4") as owner:
        for _ in range(3):
            await login(attacker, "admin", "wrong-password-1")
        refused = await login(attacker, "admin")
        assert refused.status_code == 429
        assert refused.json()["code"] == "RATE_LIMITED"
        assert (await login(owner, "admin")).status_code == 200


@_limits(
    lockout_threshold=50,
    account_slowdown_threshold=4,
    account_slowdown_base_seconds=0.3,
    account_slowdown_max_seconds=0.6,
)
async def test_failures_from_everywhere_slow_the_account_down_without_locking(
    app: FastAPI, state: AppState
) -> None:
    await create_user(state, "admin")
    for n in range(4):  # a distributed guesser: every address stays under its own limits
        async with client_at(app, f"203.0.113.{n + 1}") as attacker:
            assert (await login(attacker, "admin", "wrong-password-1")).status_code == 401
    async with client_at(app, "198.51.100.4") as owner:
        started = time.perf_counter()
        assert (await login(owner, "admin")).status_code == 200
        assert time.perf_counter() - started >= 0.3
    limiter = runtime(state).limiter
    assert limiter.delay_for(3) == 0
    assert [limiter.delay_for(n) for n in (4, 5, 6, 40)] == [0.3, 0.6, 0.6, 0.6]


@_limits(lockout_threshold=50)
async def test_a_successful_login_does_not_undo_the_slow_down(state: AppState) -> None:
    limiter = runtime(state).limiter
    user = await create_user(state, "admin")
    for _ in range(3):
        await limiter.record_failure(str(user.id), "203.0.113.9", "Admin")
    await limiter.record_success(str(user.id), "198.51.100.4")
    count = await state.redis.get(state.settings.redis.key_prefix + "auth:fails:admin")
    assert count == "3"


@_limits(
    lockout_threshold=50,
    login_rate_per_username="100/minute",
    account_slowdown_threshold=3,
    account_slowdown_base_seconds=0.25,
    account_slowdown_max_seconds=0.25,
    account_slowdown_max_wait_seconds=1.0,
)
async def test_concurrent_attempts_on_a_slowed_name_are_served_one_delay_apart(
    app: FastAPI, state: AppState
) -> None:
    user = await create_user(state, "admin")
    limiter = runtime(state).limiter
    for _ in range(3):  # the name is past its threshold
        await limiter.record_failure(str(user.id), "192.0.2.1", "admin")

    async def guess(n: int) -> httpx.Response:
        async with client_at(app, f"2001:db8:{n + 1}::1") as attacker:  # one /64 each
            return await login(attacker, "admin", "wrong-password-1")

    attempts = 8
    started = time.perf_counter()
    responses = await asyncio.gather(*(guess(n) for n in range(attempts)))
    elapsed = time.perf_counter() - started
    checked = [r for r in responses if r.status_code == 401]
    refused = [r for r in responses if r.status_code == 429]
    assert len(checked) + len(refused) == attempts
    # One password check per delay: the checks took at least that long, and no more of them
    # were made than fit in the longest wait.
    assert 2 <= len(checked) <= 1 + 1.0 / 0.25
    assert elapsed >= len(checked) * 0.25 - 0.05
    assert {r.json()["code"] for r in refused} == {"RATE_LIMITED"}
    assert all(_retry_after(r) >= 1 for r in refused)
    count = await state.redis.get(state.settings.redis.key_prefix + "auth:fails:admin")
    assert int(count or 0) == 3 + len(checked)


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        (None, "-"),
    ],
)
def test_an_ipv6_client_is_counted_by_its_64(address: str | None, bucket: str) -> None:
    assert client_bucket(address) == bucket


@_limits(lockout_threshold=3, login_rate_per_username="50/minute")
async def test_the_addresses_of_one_64_share_a_lockout(app: FastAPI, state: AppState) -> None:
    await create_user(state, "admin")
    for n in range(3):
        async with client_at(app, f"2001:db8:1:2::{n + 1}") as attacker:
            assert (await login(attacker, "admin", "wrong-password-1")).status_code == 401
    async with client_at(app, "2001:db8:1:2:ffff::9") as same_prefix:
        assert (await login(same_prefix, "admin")).json()["code"] == "AUTH_LOCKED"
    async with client_at(app, "2001:db8:1:3::1") as owner:  # the next /64
        assert (await login(owner, "admin")).status_code == 200


@_limits(login_rate_per_address="2/minute", lockout_threshold=50)
async def test_the_addresses_of_one_64_share_the_address_limit(
    app: FastAPI, state: AppState
) -> None:
    for n, name in enumerate(("ann", "ben")):
        async with client_at(app, f"2001:db8:5:6::{n + 1}") as attacker:
            assert (await login(attacker, name, "wrong-password-1")).status_code == 401
    async with client_at(app, "2001:db8:5:6::99") as attacker:
        refused = await login(attacker, "cat", "wrong-password-1")
        assert refused.json()["code"] == "RATE_LIMITED"
    async with client_at(app, "::ffff:203.0.113.7") as mapped:
        assert (await login(mapped, "dan", "wrong-password-1")).status_code == 401
    async with client_at(app, "203.0.113.7") as plain:
        assert (await login(plain, "eve", "wrong-password-1")).status_code == 401
        assert (await login(plain, "fay", "wrong-password-1")).status_code == 429


# -- client addresses behind a proxy ----------------------------------------------------------


async def _session_address(client: httpx.AsyncClient) -> str:
    """Log in as alice; the address her new session was opened from."""
    pair = await tokens(client, "alice")
    response = await client.get("/api/v1/auth/sessions", headers=bearer(pair["accessToken"]))
    assert response.status_code == 200
    address: str = response.json()["data"][0]["ipAddress"]
    return address


@_limits(trusted_proxies=["127.0.0.0/8"])
async def test_a_trusted_proxy_forwards_the_client_address(app: FastAPI, state: AppState) -> None:
    await create_user(state, "alice")
    async with client_at(app, "127.0.0.1") as proxy:
        proxy.headers["X-Forwarded-For"] = "198.51.100.4"
        assert await _session_address(proxy) == "198.51.100.4"


async def test_forwarded_headers_are_ignored_by_default(app: FastAPI, state: AppState) -> None:
    await create_user(state, "alice")
    async with client_at(app, "127.0.0.1") as peer:
        peer.headers["X-Forwarded-For"] = "198.51.100.4"
        assert await _session_address(peer) == "127.0.0.1"


@_limits(trusted_proxies=["10.0.0.0/8"])
async def test_forwarded_headers_from_an_untrusted_peer_are_ignored(
    app: FastAPI, state: AppState
) -> None:
    await create_user(state, "alice")
    async with client_at(app, "192.0.2.50") as peer:
        peer.headers["X-Forwarded-For"] = "198.51.100.4"
        assert await _session_address(peer) == "192.0.2.50"


@_limits(trusted_proxies=["10.1.0.0/16"], lockout_threshold=2, login_rate_per_username="50/minute")
async def test_behind_a_proxy_the_lockout_follows_the_forwarded_address(
    app: FastAPI, state: AppState
) -> None:
    await create_user(state, "admin")
    async with client_at(app, "10.1.0.7") as proxy:
        attacker = {"X-Forwarded-For": "203.0.113.9"}
        for _ in range(2):
            proxy.headers.update(attacker)
            assert (await login(proxy, "admin", "wrong-password-1")).status_code == 401
        assert (await login(proxy, "admin")).json()["code"] == "AUTH_LOCKED"
        proxy.headers["X-Forwarded-For"] = "198.51.100.4"  # the owner, through the same proxy
        assert (await login(proxy, "admin")).status_code == 200


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ATRIUM_PROXY__TRUSTED_ADDRESSES", '["not-an-address"]'),
        ("ATRIUM_AUTH__LOGIN_RATE_PER_USERNAME", "ten a minute"),
        ("ATRIUM_NOTIFICATIONS__MESSAGE_RATE_PER_SENDER", "lots"),
    ],
)
def test_bad_limit_and_proxy_settings_refuse_to_start(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        load_domains(Settings(_env_file=None))


def test_proxies_are_addresses_or_networks() -> None:
    proxy = ProxySettings(trusted_addresses=["10.0.0.0/8", "127.0.0.1", "::1"])
    assert proxy.trusted_addresses == ["10.0.0.0/8", "127.0.0.1", "::1"]


async def test_a_login_while_redis_does_not_answer_is_503_not_500(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """Limits, nonces and sessions live in Redis: without it a login fails closed, retryably."""
    await create_user(state, "alice")
    auth = runtime(state)
    down = create_redis(state.settings.redis.model_copy(update={"url": "redis://127.0.0.1:1"}))
    working, auth.limiter = auth.limiter, LoginLimiter(down, state.settings)
    try:
        response = await login(client, "alice")
    finally:
        auth.limiter = working
        await down.aclose()
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "AUTH_UNAVAILABLE"
    assert (await login(client, "alice")).status_code == 200  # and back once it answers
