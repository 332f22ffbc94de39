"""User administration through the API."""

from __future__ import annotations

from uuid import UUID

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, actor, create_role, data, set_roles
from tests.support.audit import audit_entries
from tests.support.users import (
    PASSWORD,
    USER_AGENT,
    bearer,
    login,
    sealed,
    set_password,
    tokens,
)

USERS = f"{API}/users"
NEW_PASSWORD = "another-Battery-staple-7"


async def test_list_filters_and_pages(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    role = await create_role(client, admin, "reader")
    for name in ("anna", "bert", "carl"):
        who = await actor(client, state, name)
        if name != "bert":
            await set_roles(client, admin, who.id, [role])
    h = admin.headers
    page = data(await client.get(USERS, params={"size": 2}, headers=h))
    assert (page["total"], page["pages"]) == (4, 2)
    assert [u["username"] for u in page["items"]] == ["carl", "bert"]  # newest first
    by_role = data(await client.get(USERS, params={"roleId": str(role)}, headers=h))
    assert sorted(u["username"] for u in by_role["items"]) == ["anna", "carl"]
    assert by_role["items"][0]["roles"][0]["code"] == "reader"
    assert [
        u["username"] for u in data(await client.get(USERS, params={"q": "ER"}, headers=h))["items"]
    ] == ["bert"]
    supers = data(await client.get(USERS, params={"isSuperuser": "true"}, headers=h))
    assert [u["username"] for u in supers["items"]] == ["root"]
    assert "passwordHash" not in page["items"][0]


async def test_create_with_roles_then_update(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    role = await create_role(client, admin, "reader", ["GET:/api/v1/probe/alpha"])
    body = {"username": "dora", "email": "dora@example.com", "roleIds": [str(role)]}
    created = data(await client.post(USERS, json=body, headers=admin.headers), 201)
    assert [r["code"] for r in created["roles"]] == ["reader"]
    taken = await client.post(USERS, json={**body, "email": "x@example.com"}, headers=admin.headers)
    assert (taken.status_code, taken.json()["code"]) == (409, "USERNAME_TAKEN")
    typed = await client.post(
        USERS,
        json={**body, "username": "eve", "email": "e@example.com", "password": PASSWORD},
        headers=admin.headers,
    )
    assert typed.status_code == 422  # no route takes a plain password
    assert (await login(client, "dora")).status_code == 401  # until dora sets one (accounts)
    await set_password(state, UUID(created["id"]))
    dora = (await login(client, "dora")).json()["data"]["accessToken"]
    headers = {"Authorization": f"Bearer {dora}", "User-Agent": USER_AGENT}
    assert (await client.get(f"{API}/probe/alpha", headers=headers)).status_code == 200
    assert (await client.get(f"{API}/probe/beta", headers=headers)).status_code == 403
    url = f"{USERS}/{created['id']}"
    updated = data(
        await client.patch(
            url, json={"displayName": "Dora D", "isSuperuser": True}, headers=admin.headers
        )
    )
    assert (updated["displayName"], updated["isSuperuser"]) == ("Dora D", True)
    assert (await client.get(f"{API}/probe/beta", headers=headers)).status_code == 200  # now


async def test_disable_ends_sessions_and_enable_lets_them_back(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    disabled = data(await client.post(f"{USERS}/{bob.id}/disable", headers=admin.headers))
    assert disabled["status"] == "disabled"
    assert (await client.get(f"{API}/probe/whoami", headers=bob.headers)).status_code == 401
    assert (await login(client, "bob")).status_code in (401, 403)
    data(await client.post(f"{USERS}/{bob.id}/enable", headers=admin.headers))
    assert (await login(client, "bob")).status_code == 200


async def test_reset_password_ends_sessions(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    url = f"{USERS}/{bob.id}/password"
    plain = await client.post(url, json={"password": NEW_PASSWORD}, headers=admin.headers)
    assert plain.status_code == 422  # the password travels RSA-encrypted, or not at all
    data(await client.post(url, json=await sealed(client, NEW_PASSWORD), headers=admin.headers))
    assert (await client.get(f"{API}/probe/whoami", headers=bob.headers)).status_code == 401
    assert (await login(client, "bob")).status_code == 401
    assert (await login(client, "bob", NEW_PASSWORD)).status_code == 200


async def test_delete_and_the_guards_on_oneself(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    for method, path in (("POST", "disable"), ("DELETE", "")):
        own = await client.request(
            method, f"{USERS}/{admin.id}/{path}".rstrip("/"), headers=admin.headers
        )
        assert (own.status_code, own.json()["code"]) == (403, "CANNOT_CHANGE_SELF")
    last = await client.patch(
        f"{USERS}/{admin.id}", json={"isSuperuser": False}, headers=admin.headers
    )
    assert (last.status_code, last.json()["code"]) == (409, "LAST_SUPERUSER")
    data(await client.delete(f"{USERS}/{bob.id}", headers=admin.headers))
    assert (await client.get(f"{USERS}/{bob.id}", headers=admin.headers)).status_code == 404
    assert (await client.get(f"{API}/probe/whoami", headers=bob.headers)).status_code == 401


async def test_assigning_unknown_roles_is_refused(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    body = {"roleIds": ["01900000-0000-7000-8000-000000000000"]}
    refused = await client.put(f"{USERS}/{bob.id}/roles", json=body, headers=admin.headers)
    assert (refused.status_code, refused.json()["code"]) == (404, "ROLE_NOT_FOUND")


async def test_an_admin_sees_a_users_sessions_and_ends_one(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    laptop = await tokens(client, "bob", user_agent="laptop")
    phone = await tokens(client, "bob", user_agent="phone")
    url = f"{USERS}/{bob.id}/sessions"
    listed = data(await client.get(url, headers=admin.headers))
    assert [s["userAgent"] for s in listed] == [USER_AGENT, "laptop", "phone"]  # oldest first
    assert set(listed[0]) == {"id", "createdAt", "lastUsedAt", "userAgent", "ipAddress", "current"}
    assert not any(s["current"] for s in listed)  # none is the admin's own
    text = str(listed)
    assert laptop["refreshToken"] not in text
    assert laptop["accessToken"] not in text
    ended = listed[1]["id"]
    data(await client.delete(f"{url}/{ended}", headers=admin.headers))
    assert [s["userAgent"] for s in data(await client.get(url, headers=admin.headers))] == [
        USER_AGENT,
        "phone",
    ]
    spent = await _refresh(client, laptop["refreshToken"], "laptop")
    assert (spent.status_code, spent.json()["code"]) == (401, "AUTH_TOKEN_REVOKED")
    gone = await client.get(f"{API}/probe/whoami", headers=bearer(laptop["accessToken"], "laptop"))
    assert gone.status_code == 401
    kept = await client.get(f"{API}/probe/whoami", headers=bearer(phone["accessToken"], "phone"))
    assert kept.status_code == 200
    assert (await _refresh(client, phone["refreshToken"], "phone")).status_code == 200
    again = await client.delete(f"{url}/{ended}", headers=admin.headers)
    assert (again.status_code, again.json()["code"]) == (404, "SESSION_NOT_FOUND")
    entries = await audit_entries(
        client, state, admin.headers, code="DELETE:/api/v1/users/{user_id}/sessions/{session_id}"
    )
    assert [(e["status"], e["actorId"]) for e in entries] == [
        (404, str(admin.id)),
        (200, str(admin.id)),
    ]


async def test_a_session_of_someone_else_or_unknown_is_not_found(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    carol = await actor(client, state, "carol")
    carols = data(await client.get(f"{USERS}/{carol.id}/sessions", headers=admin.headers))
    for session_id in (carols[0]["id"], "01900000-0000-7000-8000-000000000000"):
        refused = await client.delete(
            f"{USERS}/{bob.id}/sessions/{session_id}", headers=admin.headers
        )
        assert (refused.status_code, refused.json()["code"]) == (404, "SESSION_NOT_FOUND")
    assert (await client.get(f"{API}/probe/whoami", headers=carol.headers)).status_code == 200
    unknown = "01900000-0000-7000-8000-000000000001"
    for method in ("GET", "DELETE"):
        tail = "" if method == "GET" else f"/{carols[0]['id']}"
        missing = await client.request(
            method, f"{USERS}/{unknown}/sessions{tail}", headers=admin.headers
        )
        assert (missing.status_code, missing.json()["code"]) == (404, "USER_NOT_FOUND")
    bad = await client.delete(f"{USERS}/{bob.id}/sessions/not-a-uuid", headers=admin.headers)
    assert bad.status_code == 422
    own = data(await client.get(f"{USERS}/{admin.id}/sessions", headers=admin.headers))
    assert [s["current"] for s in own] == [True]


async def _refresh(client: httpx.AsyncClient, token: str, user_agent: str) -> httpx.Response:
    return await client.post(
        f"{API}/auth/token/refresh",
        json={"refreshToken": token},
        headers={"User-Agent": user_agent},
    )
