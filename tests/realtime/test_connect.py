"""Connecting: the token is required and checked; rooms, presence and CORS."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import socketio

from atrium.core.state import AppState
from atrium.realtime.presence import Presence
from atrium.realtime.server import REALTIME
from atrium.users.models import User, UserStatus
from tests.support.live import LiveServer, Probe, probe
from tests.support.users import new_user


async def refused(live: LiveServer, token: str | None, **headers: str) -> Probe:
    client = Probe()
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(live.url, token, headers=headers)
    finally:
        await client.close()
    return client


async def test_a_socket_without_a_token_is_refused_with_a_reason(live: LiveServer) -> None:
    client = await refused(live, None)
    assert client.refused["data"]["code"] == "AUTH_REQUIRED"
    assert "token" in client.refused["message"]


async def test_a_forged_token_is_refused(live: LiveServer) -> None:
    client = await refused(live, "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")
    assert client.refused["data"]["code"] == "AUTH_TOKEN_INVALID"


async def test_a_token_in_the_authorization_header_is_accepted(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    client = Probe()
    try:
        await client.connect(live.url, None, headers={"Authorization": f"Bearer {alice.access}"})
        pong = await client.call("ping")
        assert pong["code"] == "OK"
    finally:
        await client.close()


async def test_a_disabled_user_is_refused(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    async with state.db.session() as session:  # disabled behind the API's back: no revocation
        user = await session.get(User, alice.user_id)
        assert user is not None
        user.status = UserStatus.DISABLED
    client = await refused(live, alice.access)
    assert client.refused["data"]["code"] == "AUTH_USER_DISABLED"


async def test_a_foreign_origin_is_refused_and_an_allowed_one_accepted(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    await refused(live, alice.access, Origin="https://evil.example")
    allowed = live.app.state.atrium.settings.cors.allow_origins[0]
    client = Probe()
    try:
        await client.connect(live.url, alice.access, headers={"Origin": allowed})
        assert client.client.connected
    finally:
        await client.close()


async def test_a_page_of_the_server_itself_is_accepted(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    """The console (served under /console) connects from the server's own origin, listed or not."""
    alice = await new_user(state, http, "alice")
    assert live.url not in live.app.state.atrium.settings.cors.allow_origins
    client = Probe()
    try:
        await client.connect(live.url, alice.access, headers={"Origin": live.url})
        assert client.client.connected
    finally:
        await client.close()
    other_port = live.url.replace(str(live.port), str(live.port + 1))
    await refused(live, alice.access, Origin=other_port)


async def test_online_users_are_listed_for_admins_across_sockets(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    async with probe(live.url, alice.access), probe(live.url, alice.access):
        response = await http.get("/api/v1/realtime/online", headers=admin.headers)
        assert response.status_code == 200, response.text
        page = response.json()["data"]
        entry = next(u for u in page["items"] if u["userId"] == str(alice.user_id))
        assert entry["sockets"] == 2
        assert entry["username"] == "alice"
        assert entry["nodes"] == [state.get(REALTIME).node_id]
        assert page["totalSockets"] == 2
        forbidden = await http.get("/api/v1/realtime/online", headers=alice.headers)
        assert forbidden.status_code == 403
    await _settled(state.get(REALTIME).presence)
    response = await http.get("/api/v1/realtime/online", headers=admin.headers)
    assert response.json()["data"]["total"] == 0


async def _settled(presence: Presence) -> None:
    for _ in range(100):
        if not await presence.sockets():
            return
        await asyncio.sleep(0.02)
