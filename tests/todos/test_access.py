"""Who may do what to a to-do, on every route: the owner, the assignee, another user (with every
route's grant), a holder of ``todos:admin`` and a superuser. One table, each role x each route
-> the status, on both SQL backends; another user's answer is always a 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.workspace import MakeUser, User

from .helpers import ALL_ROUTES, BASE, create_todo, listed

ROLES = ("owner", "assignee", "other", "admin", "superuser")
# route -> status per role, in ROLES order. "GET /todos" answers 200 to all: the column says
# whether the to-do is in the list (True) or not (False).
MATRIX: dict[str, tuple[Any, ...]] = {
    "GET /todos": (True, True, False, True, True),
    "POST /todos": (201, 201, 201, 201, 201),
    "GET /todos/{id}": (200, 200, 404, 200, 200),
    "PATCH /todos/{id}": (200, 200, 404, 200, 200),
    "PUT /todos/{id}/assignee": (200, 403, 404, 200, 200),
    "DELETE /todos/{id}": (200, 403, 404, 200, 200),
}
CODES = {403: "TODOS_OWNER_ONLY", 404: "TODOS_NOT_FOUND"}


class Cast:
    """The people of the table, and a spare user to reassign to."""

    def __init__(self, people: dict[str, User], spare: User) -> None:
        self.people = people
        self.spare = spare


@pytest.fixture
async def cast(member: MakeUser, admin: User) -> Cast:
    people = {role: await member(role) for role in ("owner", "assignee", "other")}
    people["admin"] = await member("todoadmin", grants=[ALL_ROUTES, "todos:admin"])
    people["superuser"] = admin
    return Cast(people, await member("spare"))


async def _call(client: httpx.AsyncClient, cast: Cast, route: str, who: User) -> Any:
    owner, assignee = cast.people["owner"], cast.people["assignee"]
    todo = await create_todo(client, owner, "Shared", assigneeId=str(assignee.id))
    method, _, path = route.partition(" ")
    url = path.replace("/todos", BASE, 1).replace("{id}", todo["id"])
    if route == "GET /todos":
        return todo["id"] in {row["id"] for row in (await listed(client, who))["items"]}
    body = {
        "POST /todos": {"title": "Mine"},
        "PATCH /todos/{id}": {"status": "in_progress"},
        "PUT /todos/{id}/assignee": {"assigneeId": str(cast.spare.id)},
    }.get(route)
    response = await client.request(method, url, json=body, headers=who.headers)
    if response.status_code in CODES:
        assert response.json()["code"] == CODES[response.status_code], response.text
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_on_each_route(client: httpx.AsyncClient, cast: Cast, role: str) -> None:
    index = ROLES.index(role)
    got = {route: await _call(client, cast, route, cast.people[role]) for route in MATRIX}
    assert got == {route: expected[index] for route, expected in MATRIX.items()}


async def test_what_the_assignee_cannot_do_is_left_undone(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    owner, assignee = cast.people["owner"], cast.people["assignee"]
    todo = await create_todo(client, owner, "Kept", assigneeId=str(assignee.id))
    url = f"{BASE}/{todo['id']}"
    await client.delete(url, headers=assignee.headers)
    await client.put(f"{url}/assignee", json={"assigneeId": None}, headers=assignee.headers)
    await client.patch(url, json={"title": "Hijacked"}, headers=cast.people["other"].headers)
    after = (await client.get(url, headers=owner.headers)).json()["data"]
    assert (after["title"], after["assigneeId"]) == ("Kept", str(assignee.id))


async def test_a_reassigned_to_do_leaves_the_old_assignee(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    owner, assignee, spare = cast.people["owner"], cast.people["assignee"], cast.spare
    todo = await create_todo(client, owner, "Moved", assigneeId=str(assignee.id))
    url = f"{BASE}/{todo['id']}"
    moved = await client.put(
        f"{url}/assignee", json={"assigneeId": str(spare.id)}, headers=owner.headers
    )
    assert moved.json()["data"]["assigneeId"] == str(spare.id)
    assert (await client.get(url, headers=assignee.headers)).status_code == 404
    assert (await client.get(url, headers=spare.headers)).status_code == 200
