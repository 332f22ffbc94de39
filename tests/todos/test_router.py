"""The to-dos API on both SQL backends: the permission codes, and an owner's whole flow."""

from __future__ import annotations

from uuid import uuid4

import httpx
from fastapi import FastAPI

from atrium.core.routing import Access, RouteCatalogue
from tests.support.workspace import API, MakeUser, User

from .helpers import BASE, ROUTES, create_todo


async def test_an_owner_creates_reads_edits_and_deletes(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    created = await create_todo(
        client,
        alice,
        "Ship it",
        description="Friday",
        priority="high",
        dueAt="2030-01-02T10:00:00+02:00",
    )
    assert created["ownerId"] == str(alice.id)
    assert (created["status"], created["priority"]) == ("todo", "high")
    assert created["dueAt"] == "2030-01-02T08:00:00Z"  # stored and answered in UTC
    url = f"{BASE}/{created['id']}"
    assert (await client.get(url, headers=alice.headers)).json()["data"] == created
    edited = await client.patch(url, json={"status": "done", "dueAt": None}, headers=alice.headers)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["data"]["status"], edited.json()["data"]["dueAt"]) == ("done", None)
    assert edited.json()["data"]["title"] == "Ship it"  # what was not sent is kept
    assert (await client.delete(url, headers=alice.headers)).status_code == 200
    gone = await client.get(url, headers=alice.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "TODOS_NOT_FOUND")


async def test_a_superuser_passes_every_route(client: httpx.AsyncClient, admin: User) -> None:
    created = await create_todo(client, admin)
    url = f"{BASE}/{created['id']}"
    assert (await client.get(BASE, headers=admin.headers)).json()["data"]["total"] == 1
    assert (await client.get(url, headers=admin.headers)).status_code == 200
    assert (await client.delete(url, headers=admin.headers)).status_code == 200


async def test_a_user_without_grants_is_refused_with_the_routes_code(
    client: httpx.AsyncClient, nobody: User
) -> None:
    for method, template in ROUTES:
        url = template.format(todo_id=uuid4())
        assert (await client.request(method, url)).status_code == 401, (method, template)
        refused = await client.request(method, url, headers=nobody.headers)
        assert refused.status_code == 403, (method, template, refused.text)
        assert refused.json()["details"][0]["message"] == f"{method}:{template}"


async def test_every_route_is_protected_and_in_the_permission_catalogue(
    app: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    routes = catalogue.under(BASE)
    assert {(info.method, info.path) for info in routes} == set(ROUTES)
    assert {info.access for info in routes} == {Access.PERMISSION}
    listed = await client.get(f"{API}/permissions", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    kinds = {
        row["code"]: row["kind"] for group in listed.json()["data"] for row in group["permissions"]
    }
    assert {f"{method}:{path}" for method, path in ROUTES} <= set(kinds)
    assert kinds["todos:admin"] == "capability"


async def test_a_deleted_assignee_leaves_the_to_do_unassigned(
    client: httpx.AsyncClient, member: MakeUser, admin: User
) -> None:
    alice, bob = await member("alice"), await member("bob")
    todo = await create_todo(client, alice, "Orphaned", assigneeId=str(bob.id))
    deleted = await client.delete(f"{API}/users/{bob.id}", headers=admin.headers)
    assert deleted.status_code == 200, deleted.text
    after = await client.get(f"{BASE}/{todo['id']}", headers=alice.headers)
    assert after.json()["data"]["assigneeId"] is None
