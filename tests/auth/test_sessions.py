"""Sessions: rotation with reuse detection, User-Agent binding, logout, revocation everywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from atrium.auth import service as auth_service
from atrium.auth.runtime import runtime
from atrium.config import Settings
from atrium.core.state import AppState
from atrium.main import create_app
from tests.support.users import (
    PASSWORD,
    USER_AGENT,
    bearer,
    create_user,
    encrypt,
    public_key,
    tokens,
)

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/token/refresh"
SESSIONS = "/api/v1/auth/sessions"


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def _refresh(
    client: httpx.AsyncClient, refresh_token: str, user_agent: str = USER_AGENT
) -> httpx.Response:
    return await client.post(
        REFRESH, json={"refreshToken": refresh_token}, headers={"User-Agent": user_agent}
    )


async def test_refresh_rotates_the_pair(client: httpx.AsyncClient, state: AppState) -> None:
    await create_user(state, "alice")
    first = await tokens(client, "alice")
    response = await _refresh(client, first["refreshToken"])
    assert response.status_code == 200
    second = response.json()["data"]
    assert second["refreshToken"] != first["refreshToken"]
    assert (await client.get(ME, headers=bearer(second["accessToken"]))).status_code == 200
    third = await _refresh(client, second["refreshToken"])
    assert third.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_session(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    stolen = await tokens(client, "alice")
    newest = (await _refresh(client, stolen["refreshToken"])).json()["data"]
    replay = await _refresh(client, stolen["refreshToken"])
    assert replay.status_code == 401
    assert _code(replay) == "AUTH_REFRESH_REUSED"
    dead = await _refresh(client, newest["refreshToken"])
    assert dead.status_code == 401
    assert _code(dead) == "AUTH_TOKEN_REVOKED"
    access = await client.get(ME, headers=bearer(newest["accessToken"]))
    assert access.status_code == 401
    assert _code(access) == "AUTH_TOKEN_REVOKED"


async def test_refresh_from_another_user_agent_is_refused(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    pair = await tokens(client, "alice")
    response = await _refresh(client, pair["refreshToken"], user_agent="curl/8.0")
    assert response.status_code == 401
    assert _code(response) == "AUTH_USER_AGENT_MISMATCH"
    # Treated as theft: the session is gone for its owner too.
    assert _code(await _refresh(client, pair["refreshToken"])) == "AUTH_TOKEN_REVOKED"


async def test_nothing_works_after_logout(client: httpx.AsyncClient, state: AppState) -> None:
    await create_user(state, "alice")
    pair = await tokens(client, "alice")
    headers = bearer(pair["accessToken"])
    assert (await client.get(ME, headers=headers)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 200
    for method, path in [("GET", ME), ("GET", SESSIONS), ("POST", "/api/v1/auth/logout")]:
        response = await client.request(method, path, headers=headers)
        assert response.status_code == 401, path
        assert _code(response) == "AUTH_TOKEN_REVOKED"
    assert _code(await _refresh(client, pair["refreshToken"])) == "AUTH_TOKEN_REVOKED"


async def test_list_and_revoke_own_sessions(client: httpx.AsyncClient, state: AppState) -> None:
    await create_user(state, "alice")
    await create_user(state, "bob")
    laptop = await tokens(client, "alice", user_agent="laptop")
    phone = await tokens(client, "alice", user_agent="phone")
    bob = await tokens(client, "bob")
    listed = (await client.get(SESSIONS, headers=bearer(laptop["accessToken"], "laptop"))).json()
    sessions = {s["userAgent"]: s for s in listed["data"]}
    assert set(sessions) == {"laptop", "phone"}
    assert sessions["laptop"]["current"]
    assert not sessions["phone"]["current"]
    bob_session = (await client.get(SESSIONS, headers=bearer(bob["accessToken"]))).json()["data"][0]
    other = await client.delete(
        f"{SESSIONS}/{bob_session['id']}", headers=bearer(laptop["accessToken"])
    )
    assert other.status_code == 404  # someone else's session does not exist for alice
    revoke = await client.delete(
        f"{SESSIONS}/{sessions['phone']['id']}", headers=bearer(laptop["accessToken"])
    )
    assert revoke.status_code == 200
    assert (await client.get(ME, headers=bearer(phone["accessToken"]))).status_code == 401
    assert (await client.get(ME, headers=bearer(laptop["accessToken"]))).status_code == 200
    assert (await client.get(ME, headers=bearer(bob["accessToken"]))).status_code == 200


async def test_logout_everywhere(client: httpx.AsyncClient, state: AppState) -> None:
    await create_user(state, "alice")
    pairs = [await tokens(client, "alice") for _ in range(3)]
    response = await client.delete(SESSIONS, headers=bearer(pairs[0]["accessToken"]))
    assert response.json()["data"] == {"revoked": 3}
    for pair in pairs:
        assert (await client.get(ME, headers=bearer(pair["accessToken"]))).status_code == 401
        assert (await _refresh(client, pair["refreshToken"])).status_code == 401


async def test_password_change_ends_the_other_sessions(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    here = await tokens(client, "alice")
    elsewhere = await tokens(client, "alice")
    key = await public_key(client)
    new_password = "a-new-Password-42"
    body = {
        "currentPassword": encrypt(key["pem"], PASSWORD),
        "newPassword": encrypt(key["pem"], new_password),
        "kid": key["kid"],
    }
    response = await client.post(
        "/api/v1/auth/password", json=body, headers=bearer(here["accessToken"])
    )
    assert response.status_code == 200, response.text
    assert (await client.get(ME, headers=bearer(here["accessToken"]))).status_code == 200
    assert (await client.get(ME, headers=bearer(elsewhere["accessToken"]))).status_code == 401
    assert (await _refresh(client, elsewhere["refreshToken"])).status_code == 401
    assert (await _refresh(client, here["refreshToken"])).status_code == 200
    await tokens(client, "alice", new_password)


async def test_password_change_checks_current_password_and_policy(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    pair = await tokens(client, "alice")
    key = await public_key(client)

    async def change(current: str, new: str) -> httpx.Response:
        body = {
            "currentPassword": encrypt(key["pem"], current),
            "newPassword": encrypt(key["pem"], new),
            "kid": key["kid"],
        }
        return await client.post(
            "/api/v1/auth/password", json=body, headers=bearer(pair["accessToken"])
        )

    wrong = await change("not-my-password-1", "a-new-Password-42")
    assert wrong.status_code == 401  # AUTH_INVALID_CREDENTIALS is a 401 wherever it is raised
    assert _code(wrong) == "AUTH_INVALID_CREDENTIALS"
    weak = await change(PASSWORD, "short")
    assert weak.status_code == 422
    assert _code(weak) == "PASSWORD_POLICY"
    assert weak.json()["details"][0]["loc"] == ["body", "newPassword"]


@pytest.fixture
async def node_b(
    app: FastAPI, settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    """A second API node: its own process state and session cache, the same stores."""
    second = create_app(settings)
    async with LifespanManager(second, startup_timeout=30, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=second, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://node-b") as http:
            yield http, second.state.atrium


async def test_revocation_reaches_a_warm_node_before_it_is_reported(
    client: httpx.AsyncClient, node_b: tuple[httpx.AsyncClient, AppState], state: AppState
) -> None:
    b_client, b_state = node_b
    await create_user(state, "alice")
    pairs = [await tokens(client, "alice") for _ in range(3)]
    for pair in pairs:  # warm node B's in-process cache
        assert (await b_client.get(ME, headers=bearer(pair["accessToken"]))).status_code == 200
    assert len(runtime(b_state).cache._entries) == 3

    await client.post("/api/v1/auth/logout", headers=bearer(pairs[0]["accessToken"]))
    assert (await b_client.get(ME, headers=bearer(pairs[0]["accessToken"]))).status_code == 401
    assert (await b_client.get(ME, headers=bearer(pairs[1]["accessToken"]))).status_code == 200

    await client.delete(SESSIONS, headers=bearer(pairs[1]["accessToken"]))
    assert (await b_client.get(ME, headers=bearer(pairs[2]["accessToken"]))).status_code == 401


async def test_the_warm_path_needs_no_redis_and_announce_is_what_clears_it(
    client: httpx.AsyncClient, node_b: tuple[httpx.AsyncClient, AppState], state: AppState
) -> None:
    b_client, b_state = node_b
    user = await create_user(state, "alice")
    pair = await tokens(client, "alice")
    headers = bearer(pair["accessToken"])
    assert (await b_client.get(ME, headers=headers)).status_code == 200
    session_id = next(iter(runtime(b_state).cache._entries))
    # Deleting the Redis record behind the nodes' backs is not seen by a warm node ...
    await runtime(state).sessions.delete(session_id, user.id)
    assert (await b_client.get(ME, headers=headers)).status_code == 200
    # ... the announced revocation is, on every node, before it returns.
    await auth_service.revoke_session(runtime(state), user.id, session_id)
    assert (await b_client.get(ME, headers=headers)).status_code == 401
