"""Per-sender rate limits of messages and notification sends, over REST and socket events."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from atrium.notifications.settings import NotificationSettings
from tests.notifications.helpers import API, send
from tests.support.live import LiveServer, probe
from tests.support.users import LoggedIn, new_user


async def _message(
    http: httpx.AsyncClient, sender: LoggedIn, to: LoggedIn, body: str = "hi"
) -> httpx.Response:
    payload = {"recipientId": str(to.user_id), "body": body}
    return await http.post(f"{API}/messages", json=payload, headers=sender.headers)


async def test_messages_are_rate_limited_per_sender(
    state: AppState, client: httpx.AsyncClient
) -> None:
    state.settings.group(NotificationSettings).message_rate_per_sender = "3/minute"
    alice = await new_user(state, client, "alice")
    bob = await new_user(state, client, "bob")
    for n in range(3):
        assert (await _message(client, alice, bob, f"hi {n}")).status_code == 201
    refused = await _message(client, alice, bob)
    assert refused.status_code == 429
    assert refused.json()["code"] == "MESSAGE_RATE_LIMITED"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Another sender has a count of its own.
    assert (await _message(client, bob, alice)).status_code == 201


async def test_notification_sends_are_rate_limited_per_sender(
    state: AppState, client: httpx.AsyncClient
) -> None:
    state.settings.group(NotificationSettings).send_rate_per_sender = "2/minute"
    admin = await new_user(state, client, "root", superuser=True)
    other = await new_user(state, client, "ops", superuser=True)
    alice = await new_user(state, client, "alice")
    for _ in range(2):
        await send(client, admin.headers, userIds=[str(alice.user_id)])
    refused = await send(client, admin.headers, 429, userIds=[str(alice.user_id)])
    assert refused["code"] == "NOTIFICATION_RATE_LIMITED"
    await send(client, other.headers, everyone=True)


async def test_socket_messages_share_the_senders_count(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    state: AppState = live.app.state.atrium
    state.settings.group(NotificationSettings).message_rate_per_sender = "2/minute"
    alice = await new_user(state, http, "alice", superuser=True)
    bob = await new_user(state, http, "bob")
    assert (await _message(http, alice, bob)).status_code == 201
    async with probe(live.url, alice.access) as socket:
        payload = {"recipientId": str(bob.user_id), "body": "again"}
        assert (await socket.call("messages:send", payload))["code"] == "OK"
        refused = await socket.call("messages:send", payload)
        assert refused["code"] == "MESSAGE_RATE_LIMITED"
        assert "retry in" in refused["message"]
    assert (await _message(http, alice, bob)).status_code == 429
