"""Bad input to the to-dos routes: a 4xx with a stable code, never a 500 (both SQL backends)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import UserStatus
from tests.support.users import create_user
from tests.support.workspace import MakeUser

from .helpers import BASE, create_todo

INVALID = "VALIDATION_ERROR"
BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"title": ""}, INVALID),
    ({"title": "x" * 201}, INVALID),
    ({"title": "x", "description": "d" * 10_001}, INVALID),
    ({"title": "x", "status": "later"}, INVALID),
    ({"title": "x", "priority": "meh"}, INVALID),
    ({"title": "x", "dueAt": "2030-01-01T10:00:00"}, INVALID),  # no offset: refused
    ({"title": "x", "dueAt": "tomorrow"}, INVALID),
    ({"title": "x", "assigneeId": "bob"}, INVALID),
    ({"title": "x", "assigneeId": str(uuid4())}, "TODOS_ASSIGNEE_INVALID"),
]
BAD_QUERIES: list[dict[str, str]] = [
    {"status": "bogus"},
    {"sort": "title"},
    {"order": "up"},
    {"scope": "everyone"},
    {"dueBefore": "2030-01-01T10:00:00"},
    {"dueAfter": "soon"},
    {"assigneeId": "bob"},
    {"ownerId": "1"},
    {"size": "1000"},
    {"page": "0"},
    {"q": "q" * 201},
]


async def test_bad_bodies_are_refused(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    for body, code in BAD_BODIES:
        response = await client.post(BASE, json=body, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, code), body
    assert (await client.get(BASE, headers=alice.headers)).json()["data"]["total"] == 0


async def test_bad_edits_are_refused(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    url = f"{BASE}/{(await create_todo(client, alice))['id']}"
    for body in ({"title": ""}, {"status": "later"}, {"dueAt": "2030-01-01"}):
        response = await client.patch(url, json=body, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, INVALID), body
    for body in ({}, {"assigneeId": "nobody"}):
        response = await client.put(f"{url}/assignee", json=body, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, INVALID), body
    not_an_id = await client.get(f"{BASE}/not-a-uuid", headers=alice.headers)
    assert (not_an_id.status_code, not_an_id.json()["code"]) == (422, INVALID)


async def test_bad_list_queries_are_refused(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    for params in BAD_QUERIES:
        response = await client.get(BASE, params=params, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, INVALID), params
    backwards = {"dueAfter": "2030-01-02T00:00:00Z", "dueBefore": "2030-01-01T00:00:00Z"}
    response = await client.get(BASE, params=backwards, headers=alice.headers)
    assert (response.status_code, response.json()["code"]) == (422, "TODOS_DUE_RANGE_INVALID")


async def test_an_assignee_must_be_an_active_user(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    gone = await create_user(state, "gone")
    async with state.db.session() as session:
        user = await users_service.get(session, gone.id)
        assert user is not None
        await users_service.set_status(session, user, UserStatus.DISABLED)
    body = {"title": "x", "assigneeId": str(gone.id)}
    refused = await client.post(BASE, json=body, headers=alice.headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "TODOS_ASSIGNEE_INVALID")
    url = f"{BASE}/{(await create_todo(client, alice))['id']}/assignee"
    for assignee in (gone.id, uuid4()):
        response = await client.put(url, json={"assigneeId": str(assignee)}, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, "TODOS_ASSIGNEE_INVALID")
    unassigned = await client.put(url, json={"assigneeId": None}, headers=alice.headers)
    assert unassigned.status_code == 200
