"""The notification feed over REST: pages, unread, reads, deletes, and admin sends."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from atrium.notifications.documents import Notification
from atrium.notifications.settings import NotificationSettings
from tests.notifications.helpers import API, feed, give_roles, send, unread
from tests.support.users import new_user


async def test_the_feed_is_newest_first_in_cursor_pages(
    state: AppState, client: httpx.AsyncClient
) -> None:
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    sent = [
        (await send(client, admin.headers, userIds=[str(alice.user_id)], title=f"n{i}"))[
            "notifications"
        ][0]["id"]
        for i in range(5)
    ]
    seen, cursor = [], None
    while True:
        page = await feed(client, alice.headers, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == list(reversed(sent))
    bad = await client.get(f"{API}/notifications", params={"cursor": "!!"}, headers=alice.headers)
    assert bad.status_code == 400


async def test_unread_counts_and_marks_follow_what_the_user_reads(
    state: AppState, client: httpx.AsyncClient
) -> None:
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    for i in range(3):
        await send(client, admin.headers, userIds=[str(alice.user_id)], title=f"n{i}")
    assert await unread(client, alice.headers) == 3
    first = (await feed(client, alice.headers))["items"][0]
    response = await client.post(f"{API}/notifications/{first['id']}/read", headers=alice.headers)
    assert response.json()["data"]["readAt"] is not None
    assert await unread(client, alice.headers) == 2
    assert [n["id"] for n in (await feed(client, alice.headers, unread=True))["items"]] != [
        first["id"]
    ]
    response = await client.post(f"{API}/notifications/read-all", headers=alice.headers)
    assert response.json()["data"] == {"marked": 2}
    assert await unread(client, alice.headers) == 0
    assert (await feed(client, alice.headers, unread=True))["items"] == []


async def test_users_only_reach_their_own_notifications(
    state: AppState, client: httpx.AsyncClient
) -> None:
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    bob = await new_user(state, client, "bob")
    sent = await send(client, admin.headers, userIds=[str(alice.user_id)])
    notification_id = sent["notifications"][0]["id"]
    for method, path in (("POST", f"/{notification_id}/read"), ("DELETE", f"/{notification_id}")):
        response = await client.request(method, f"{API}/notifications{path}", headers=bob.headers)
        assert response.status_code == 404
        assert response.json()["code"] == "NOTIFICATION_NOT_FOUND"
    assert (
        await client.delete(f"{API}/notifications/nope", headers=alice.headers)
    ).status_code == 404
    response = await client.delete(f"{API}/notifications/{notification_id}", headers=alice.headers)
    assert response.status_code == 200
    assert (await feed(client, alice.headers))["items"] == []


async def test_a_broadcast_is_one_document_read_and_deleted_per_user(
    state: AppState, client: httpx.AsyncClient
) -> None:
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    bob = await new_user(state, client, "bob")
    sent = await send(client, admin.headers, everyone=True, title="Maintenance at 22:00")
    assert sent["audience"] == "everyone"
    broadcast = sent["notifications"][0]["id"]
    assert await Notification.find({}).count() == 1
    await client.post(f"{API}/notifications/{broadcast}/read", headers=alice.headers)
    assert (await unread(client, alice.headers), await unread(client, bob.headers)) == (0, 1)
    await client.delete(f"{API}/notifications/{broadcast}", headers=alice.headers)
    assert (await feed(client, alice.headers))["items"] == []
    assert [n["id"] for n in (await feed(client, bob.headers))["items"]] == [broadcast]
    carol = await new_user(state, client, "carol")  # joined after the broadcast
    assert (await feed(client, carol.headers))["items"] == []


async def test_mark_all_read_covers_broadcasts_without_writing_per_notification(
    state: AppState, client: httpx.AsyncClient
) -> None:
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    await send(client, admin.headers, everyone=True)
    await send(client, admin.headers, userIds=[str(alice.user_id)])
    response = await client.post(f"{API}/notifications/read-all", headers=alice.headers)
    assert response.json()["data"] == {"marked": 2}
    items = (await feed(client, alice.headers))["items"]
    assert all(item["readAt"] is not None for item in items)
    await send(client, admin.headers, everyone=True, title="Later")
    assert await unread(client, alice.headers) == 1


async def test_a_role_notification_reaches_only_the_role(
    state: AppState, client: httpx.AsyncClient
) -> None:
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    bob = await new_user(state, client, "bob")
    give_roles(state, {alice.user_id: ["ops"]})
    sent = await send(client, admin.headers, roles=["ops"], title="Disk almost full")
    notification_id = sent["notifications"][0]["id"]
    assert [n["id"] for n in (await feed(client, alice.headers))["items"]] == [notification_id]
    assert (await feed(client, bob.headers))["items"] == []
    response = await client.post(f"{API}/notifications/{notification_id}/read", headers=bob.headers)
    assert response.status_code == 404


async def test_sends_are_for_admins_and_must_be_well_addressed(
    state: AppState, client: httpx.AsyncClient
) -> None:
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    body = {"userIds": [str(alice.user_id)], "title": "Hi"}
    assert (await client.post(f"{API}/notifications/send", json=body)).status_code == 401
    denied = await client.post(f"{API}/notifications/send", json=body, headers=alice.headers)
    assert denied.status_code == 403
    both = await send(client, admin.headers, 422, userIds=[str(alice.user_id)], everyone=True)
    assert both["code"] == "VALIDATION_ERROR"
    unknown = await send(
        client, admin.headers, 404, userIds=["0190d0b4-0000-7000-8000-000000000000"]
    )
    assert unknown["code"] == "NOTIFICATION_RECIPIENT_NOT_FOUND"
    assert (await feed(client, alice.headers))["items"] == []


async def test_a_send_is_bounded_by_the_settings_the_openapi_shows(
    state: AppState, client: httpx.AsyncClient
) -> None:
    state.settings.group(NotificationSettings).max_body_length = 10
    admin = await new_user(state, client, "root", superuser=True)
    alice = await new_user(state, client, "alice")
    too_long = await send(client, admin.headers, 422, userIds=[str(alice.user_id)], body="x" * 11)
    assert too_long["code"] == "VALIDATION_ERROR"
    assert too_long["details"][0]["loc"] == ["body", "body"]
    await send(client, admin.headers, userIds=[str(alice.user_id)], body="x" * 10)
