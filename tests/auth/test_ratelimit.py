"""Login rate limits per username and per address, and the progressive lockout."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from atrium.auth.runtime import runtime
from atrium.config import Settings
from atrium.core.errors import TooManyRequests
from atrium.core.state import AppState
from tests.auth.helpers import create_user, fast_auth, login


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    overrides: dict[str, Any] = getattr(request, "param", {})
    return fast_auth(settings, **overrides)


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
    await limiter.record_failure(str(user.id))
    with pytest.raises(TooManyRequests) as third:
        await limiter.check_lockout(str(user.id))
    assert 55 <= int((third.value.headers or {})["Retry-After"]) <= 60
    for _ in range(3):
        await limiter.record_failure(str(user.id))
    with pytest.raises(TooManyRequests) as capped:
        await limiter.check_lockout(str(user.id))
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
