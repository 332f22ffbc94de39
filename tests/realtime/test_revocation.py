"""Revoking a session disconnects its sockets: logout, log out everywhere, password change, an
administrator ending one session or disabling the user."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import socketio

from atrium.auth.runtime import AUTH
from atrium.auth.tokens import ACCESS
from atrium.core.state import AppState
from tests.support.live import EVENT_TIMEOUT, LiveServer, probe
from tests.support.users import PASSWORD, encrypt, log_in, new_user, public_key


async def test_logout_disconnects_the_sockets_of_that_session_only(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    other = await log_in(http, alice)
    async with probe(live.url, alice.access) as phone, probe(live.url, other.access) as laptop:
        response = await http.post("/api/v1/auth/logout", headers=alice.headers)
        assert response.status_code == 200, response.text
        assert await phone.next("auth:ended") == {"reason": "session_revoked"}
        await asyncio.wait_for(phone.disconnected.wait(), EVENT_TIMEOUT)
        assert laptop.client.connected
        assert (await laptop.call("ping"))["code"] == "OK"


async def test_a_revoked_token_cannot_connect_again(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    await http.post("/api/v1/auth/logout", headers=alice.headers)
    async with probe(live.url) as client:
        with contextlib.suppress(socketio.exceptions.ConnectionError):
            await client.connect(live.url, alice.access)
        assert client.refused["data"]["code"] == "AUTH_TOKEN_REVOKED"


async def test_log_out_everywhere_disconnects_every_socket_of_the_user(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    other = await log_in(http, alice)
    bob = await new_user(state, http, "bob")
    async with (
        probe(live.url, alice.access) as one,
        probe(live.url, other.access) as two,
        probe(live.url, bob.access) as bystander,
    ):
        response = await http.delete("/api/v1/auth/sessions", headers=alice.headers)
        assert response.status_code == 200, response.text
        for client in (one, two):
            await asyncio.wait_for(client.disconnected.wait(), EVENT_TIMEOUT)
        assert bystander.client.connected


async def test_a_password_change_disconnects_the_other_sessions_sockets(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    other = await log_in(http, alice)
    async with probe(live.url, alice.access) as here, probe(live.url, other.access) as there:
        key = await public_key(http)
        body = {
            "currentPassword": encrypt(key["pem"], PASSWORD),
            "newPassword": encrypt(key["pem"], "another-Horse-battery-7"),
            "kid": key["kid"],
        }
        response = await http.post("/api/v1/auth/password", json=body, headers=alice.headers)
        assert response.status_code == 200, response.text
        assert await there.next("auth:ended") == {"reason": "session_revoked"}
        await asyncio.wait_for(there.disconnected.wait(), EVENT_TIMEOUT)
        assert here.client.connected


async def test_disabling_a_user_disconnects_their_sockets(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    async with probe(live.url, alice.access) as client:
        path = f"/api/v1/users/{alice.user_id}/disable"
        response = await http.post(path, headers=admin.headers)
        assert response.status_code == 200, response.text
        assert await client.next("auth:ended") == {"reason": "session_revoked"}
        await asyncio.wait_for(client.disconnected.wait(), EVENT_TIMEOUT)


async def test_a_revocation_missed_while_redis_was_away_still_disconnects(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    async with probe(live.url, alice.access) as client:
        # The session ends without its event reaching this node (as if published while the
        # subscription was down); then the subscription drops and comes back.
        session_id = state.get(AUTH).tokens.read(ACCESS, alice.access).session_id
        assert await state.get(AUTH).sessions.delete(session_id, alice.user_id)
        await state.redis.client_kill_filter(_type="pubsub")
        assert await client.next("auth:ended", within=10) == {"reason": "session_revoked"}


async def test_an_admin_ending_one_session_disconnects_its_sockets_only(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    other = await log_in(http, alice)
    async with probe(live.url, alice.access) as phone, probe(live.url, other.access) as laptop:
        url = f"/api/v1/users/{alice.user_id}/sessions"
        session_id = state.get(AUTH).tokens.read(ACCESS, alice.access).session_id
        response = await http.delete(f"{url}/{session_id}", headers=admin.headers)
        assert response.status_code == 200, response.text
        assert await phone.next("auth:ended") == {"reason": "session_revoked"}
        await asyncio.wait_for(phone.disconnected.wait(), EVENT_TIMEOUT)
        assert laptop.client.connected
        assert (await laptop.call("ping"))["code"] == "OK"
