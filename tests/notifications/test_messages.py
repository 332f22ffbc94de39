"""Messages between users over REST: send, conversations with unread counts, reads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from atrium.core.state import AppState
from atrium.notifications.settings import NotificationSettings
from tests.notifications.helpers import API
from tests.support.users import LoggedIn, new_user


async def message(
    client: httpx.AsyncClient, sender: LoggedIn, to: LoggedIn, body: str, expect: int = 201
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/messages",
        json={"recipientId": str(to.user_id), "body": body},
        headers=sender.headers,
    )
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()["data"] if expect == 201 else response.json()
    return data


async def test_a_conversation_with_unread_counts_and_read_marks(
    state: AppState, client: httpx.AsyncClient
) -> None:
    alice = await new_user(state, client, "alice")
    bob = await new_user(state, client, "bob")
    carol = await new_user(state, client, "carol")
    sent = [await message(client, alice, bob, f"hi {i}") for i in range(3)]
    await message(client, carol, bob, "hello from carol")
    reply = await message(client, bob, alice, "hey alice")

    conversations = (await client.get(f"{API}/messages/conversations", headers=bob.headers)).json()
    listed = {c["peerId"]: c for c in conversations["data"]["items"]}
    assert listed[str(alice.user_id)]["unread"] == 3
    assert listed[str(alice.user_id)]["lastBody"] == "hey alice"
    assert listed[str(carol.user_id)]["unread"] == 1
    assert [c["peerId"] for c in conversations["data"]["items"]] == [
        str(alice.user_id),
        str(carol.user_id),
    ]

    path = f"{API}/messages/conversations/{alice.user_id}"
    first = (await client.get(path, params={"limit": 2}, headers=bob.headers)).json()["data"]
    rest = (
        await client.get(
            path, params={"limit": 2, "cursor": first["nextCursor"]}, headers=bob.headers
        )
    ).json()["data"]
    ids = [m["id"] for m in first["items"] + rest["items"]]
    assert ids == [reply["id"], *reversed([m["id"] for m in sent])]
    assert rest["nextCursor"] is None

    marked = await client.post(f"{path}/read", headers=bob.headers)
    assert marked.json()["data"]["marked"] == 3
    conversations = (await client.get(f"{API}/messages/conversations", headers=bob.headers)).json()
    listed = {c["peerId"]: c["unread"] for c in conversations["data"]["items"]}
    assert listed == {str(alice.user_id): 0, str(carol.user_id): 1}


async def test_messages_need_a_real_other_recipient(
    state: AppState, client: httpx.AsyncClient
) -> None:
    alice = await new_user(state, client, "alice")
    assert (await message(client, alice, alice, "me", 400))["code"] == "MESSAGE_TO_SELF"
    ghost = LoggedIn(UUID("0190d0b4-0000-7000-8000-000000000000"), "ghost", "", "")
    assert (await message(client, alice, ghost, "boo", 404))[
        "code"
    ] == "MESSAGE_RECIPIENT_NOT_FOUND"
    bob = await new_user(state, client, "bob")
    assert (await message(client, alice, bob, "", 422))["code"] == "VALIDATION_ERROR"
    state.settings.group(NotificationSettings).max_body_length = 10
    assert (await message(client, alice, bob, "x" * 11, 422))["code"] == "MESSAGE_TOO_LONG"
