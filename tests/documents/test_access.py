"""Who may do what to a document, on every route: the owner, an editor, a viewer, a member of a
role it is shared with (as editor), another user (with every route's grant), a holder of
``documents:admin`` and a superuser. One table, each role x each route -> the status, on both
SQL backends; another user's answer is always a 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.workspace import API, MakeUser, User

from .helpers import ALL_ROUTES, BASE, create_document, ids, listed, share

ROLES = ("owner", "editor", "viewer", "rolemate", "other", "admin", "superuser")
# route -> status per role, in ROLES order. "GET /documents" answers 200 to all: the column
# says whether the document is in the list. Routes under "trash" act on a trashed document.
MATRIX: dict[str, tuple[Any, ...]] = {
    "GET /documents": (True, True, True, True, False, True, True),
    "POST /documents": (201, 201, 201, 201, 201, 201, 201),
    "GET /{id}": (200, 200, 200, 200, 404, 200, 200),
    "PATCH /{id}": (200, 200, 403, 200, 404, 200, 200),
    "DELETE /{id}": (200, 403, 403, 403, 404, 200, 200),
    "PUT /{id}/shares": (200, 403, 403, 403, 404, 200, 200),
    "GET /{id}/revisions": (200, 200, 200, 200, 404, 200, 200),
    "GET /{id}/revisions/1": (200, 200, 200, 200, 404, 200, 200),
    "POST /{id}/revisions/1/restore": (200, 200, 403, 200, 404, 200, 200),
    "DELETE /{id}/attachments/{file}": (200, 200, 403, 200, 404, 200, 200),
    "trash POST /{id}/restore": (200, 403, 403, 403, 404, 200, 200),
    "trash DELETE /{id}/purge": (200, 403, 403, 403, 404, 200, 200),
}
CODES = {403: ("DOCUMENTS_EDIT_FORBIDDEN", "DOCUMENTS_OWNER_ONLY"), 404: ("DOCUMENTS_NOT_FOUND",)}
FILE_ID = "01a23d05-aaef-769f-9d9a-1f41432d797f"


class Cast:
    def __init__(self, people: dict[str, User], team_role: str) -> None:
        self.people = people
        self.team_role = team_role


@pytest.fixture
async def cast(member: MakeUser, admin: User, roles: dict[str, str]) -> Cast:
    people = {role: await member(role) for role in ("owner", "editor", "viewer", "other")}
    people["rolemate"] = await member("rolemate")
    people["admin"] = await member("docadmin", grants=[ALL_ROUTES, "documents:admin"])
    people["superuser"] = admin
    return Cast(people, roles["rolemate"])


async def _shared_document(client: httpx.AsyncClient, cast: Cast) -> dict[str, Any]:
    owner = cast.people["owner"]
    doc = await create_document(client, owner, "Shared", content="Draft")
    return await share(
        client,
        owner,
        doc["id"],
        editorIds=[str(cast.people["editor"].id)],
        viewerIds=[str(cast.people["viewer"].id)],
        editorRoleIds=[cast.team_role],
    )


async def _call(client: httpx.AsyncClient, cast: Cast, route: str, who: User) -> Any:
    doc = await _shared_document(client, cast)
    if route == "GET /documents":
        return doc["id"] in ids(await listed(client, who))
    if route.startswith("trash "):
        trashed = await client.delete(f"{BASE}/{doc['id']}", headers=cast.people["owner"].headers)
        assert trashed.status_code == 200, trashed.text
        route = route.removeprefix("trash ")
    method, _, path = route.partition(" ")
    url = BASE + path.replace("/documents", "").replace("{id}", doc["id"])
    url = url.replace("{file}", FILE_ID)
    body = {
        "POST /documents": {"title": "Mine"},
        "PATCH /{id}": {"version": doc["version"], "content": "Edited"},
        "PUT /{id}/shares": {"viewerIds": []},
    }.get(route)
    response = await client.request(method, url, json=body, headers=who.headers)
    if response.status_code in CODES:
        assert response.json()["code"] in CODES[response.status_code], response.text
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_on_each_route(client: httpx.AsyncClient, cast: Cast, role: str) -> None:
    index = ROLES.index(role)
    got = {route: await _call(client, cast, route, cast.people[role]) for route in MATRIX}
    assert got == {route: expected[index] for route, expected in MATRIX.items()}


async def test_what_a_viewer_cannot_do_is_left_undone(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    doc = await _shared_document(client, cast)
    url, viewer = f"{BASE}/{doc['id']}", cast.people["viewer"]
    await client.patch(url, json={"version": doc["version"], "title": "No"}, headers=viewer.headers)
    await client.put(f"{url}/shares", json={"viewerIds": []}, headers=viewer.headers)
    await client.delete(url, headers=cast.people["editor"].headers)
    after = (await client.get(url, headers=cast.people["owner"].headers)).json()["data"]
    assert (after["title"], after["version"], after["deletedAt"]) == (
        "Shared",
        doc["version"],
        None,
    )
    assert after["viewerIds"] == [str(viewer.id)]


async def test_a_revoked_share_takes_effect_on_the_next_request(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    doc = await _shared_document(client, cast)
    url, owner = f"{BASE}/{doc['id']}", cast.people["owner"]
    assert (await client.get(url, headers=cast.people["viewer"].headers)).status_code == 200
    await share(client, owner, doc["id"], editorIds=[str(cast.people["editor"].id)])
    assert (await client.get(url, headers=cast.people["viewer"].headers)).status_code == 404
    assert (await client.get(url, headers=cast.people["rolemate"].headers)).status_code == 404
    assert (await client.get(url, headers=cast.people["editor"].headers)).status_code == 200


async def test_scope_own_and_shared(client: httpx.AsyncClient, cast: Cast) -> None:
    doc = await _shared_document(client, cast)
    editor = cast.people["editor"]
    mine = await create_document(client, editor, "Editor's own")
    assert ids(await listed(client, editor, scope="own")) == [mine["id"]]
    assert ids(await listed(client, editor, scope="shared")) == [doc["id"]]
    assert set(ids(await listed(client, editor, scope="all"))) == {mine["id"], doc["id"]}
    admin = cast.people["admin"]
    assert {mine["id"], doc["id"]} <= set(ids(await listed(client, admin, scope="all")))
    assert ids(await listed(client, admin, scope="own")) == []


async def test_a_disabled_role_shares_nothing(
    client: httpx.AsyncClient, cast: Cast, admin: User, roles: dict[str, str]
) -> None:
    made = await client.post(
        f"{API}/roles", json={"name": "Team", "code": "team"}, headers=admin.headers
    )
    team = made.json()["data"]["id"]
    rolemate = cast.people["rolemate"]
    both = {"roleIds": [roles["rolemate"], team]}
    assigned = await client.put(
        f"{API}/users/{rolemate.id}/roles", json=both, headers=admin.headers
    )
    assert assigned.status_code == 200, assigned.text
    owner = cast.people["owner"]
    doc = await create_document(client, owner, "For the team")
    await share(client, owner, doc["id"], viewerRoleIds=[team])
    url = f"{BASE}/{doc['id']}"
    assert (await client.get(url, headers=rolemate.headers)).status_code == 200
    off = {"status": "disabled"}
    disabled = await client.patch(f"{API}/roles/{team}", json=off, headers=admin.headers)
    assert disabled.status_code == 200, disabled.text
    gone = await client.get(url, headers=rolemate.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "DOCUMENTS_NOT_FOUND")
