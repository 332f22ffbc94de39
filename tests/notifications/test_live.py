"""Notifications and messages delivered live to real Socket.IO clients; catch-up over REST."""

from __future__ import annotations

import asyncio

import httpx

from atrium.core.state import AppState
from tests.notifications.helpers import API, feed, give_roles, send, unread
from tests.support.live import LiveServer, probe
from tests.support.users import everyday_user, new_user


def app_state(live: LiveServer) -> AppState:
    state: AppState = live.app.state.atrium
    return state


async def test_a_notification_created_over_rest_arrives_as_stored(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    state = app_state(live)
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    await everyday_user(state, alice.user_id)
    async with probe(live.url, alice.access) as client:
        sent = await send(http, admin.headers, userIds=[str(alice.user_id)], data={"orderId": 7})
        event = await client.next("notification")
        assert event == sent["notifications"][0]
        assert (await feed(http, alice.headers))["items"] == [event]
        assert event["data"] == {"orderId": 7}
        assert event["readAt"] is None
        ack = await client.call("notifications:read", {"id": event["id"]})
        assert ack["code"] == "OK"
        assert ack["data"]["readAt"] is not None
    assert await unread(http, alice.headers) == 0


async def test_broadcasts_reach_everyone_and_role_sends_only_the_role(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    state = app_state(live)
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    bob = await new_user(state, http, "bob")
    give_roles(state, {alice.user_id: ["ops"]})
    async with probe(live.url, alice.access) as ops, probe(live.url, bob.access) as other:
        await send(http, admin.headers, roles=["ops"], title="Disk almost full")
        await send(http, admin.headers, everyone=True, title="Maintenance")
        assert [(await ops.next("notification"))["title"] for _ in range(2)] == [
            "Disk almost full",
            "Maintenance",
        ]
        assert (await other.next("notification"))["title"] == "Maintenance"
        assert other.queue("notification").empty()


async def test_an_offline_user_catches_up_over_rest(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    state = app_state(live)
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    async with probe(live.url, alice.access) as client:
        await send(http, admin.headers, userIds=[str(alice.user_id)], title="seen live")
        await client.next("notification")
        await http.post(f"{API}/notifications/read-all", headers=alice.headers)
    for title in ("missed 1", "missed 2"):  # alice is offline
        await send(http, admin.headers, userIds=[str(alice.user_id)], title=title)
    await send(http, admin.headers, everyone=True, title="missed broadcast")
    async with probe(live.url, alice.access) as client:
        assert await unread(http, alice.headers) == 3
        missed = (await feed(http, alice.headers, unread=True))["items"]
        assert [n["title"] for n in missed] == ["missed broadcast", "missed 2", "missed 1"]
        await asyncio.sleep(0.2)
        assert client.queue("notification").empty()  # nothing is replayed over the socket


async def test_messages_are_delivered_live_both_ways(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    state = app_state(live)
    alice = await new_user(state, http, "alice")
    bob = await new_user(state, http, "bob")
    await everyday_user(state, bob.user_id)
    async with probe(live.url, alice.access) as a, probe(live.url, bob.access) as b:
        body = {"recipientId": str(bob.user_id), "body": "lunch?"}
        response = await http.post(f"{API}/messages", json=body, headers=alice.headers)
        stored = response.json()["data"]
        assert await b.next("message") == stored
        assert await a.next("message") == stored  # the sender's other devices stay in sync

        ack = await b.call("messages:send", {"recipientId": str(alice.user_id), "body": "yes!"})
        assert ack["code"] == "OK"
        assert await a.next("message") == ack["data"]

        invalid = await b.call("messages:send", {"recipientId": "nope", "body": ""})
        assert invalid["code"] == "VALIDATION_ERROR"

        read = await b.call("messages:read", {"peerId": str(alice.user_id)})
        assert read["data"]["marked"] == 1
        assert (await a.next("messages:read"))["readerId"] == str(bob.user_id)


async def test_role_rooms_follow_the_roles_granted_through_rbac(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    state = app_state(live)
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    role = await http.post(
        f"{API}/roles", json={"name": "Operations", "code": "ops"}, headers=admin.headers
    )
    assert role.status_code == 201, role.text
    body = {"roleIds": [role.json()["data"]["id"]]}
    granted = await http.put(f"{API}/users/{alice.user_id}/roles", json=body, headers=admin.headers)
    assert granted.status_code == 200, granted.text
    async with probe(live.url, alice.access) as client:
        await send(http, admin.headers, roles=["ops"], title="For operations")
        assert (await client.next("notification"))["title"] == "For operations"
    assert [n["title"] for n in (await feed(http, alice.headers))["items"]] == ["For operations"]
