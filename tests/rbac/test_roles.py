"""Roles through the API: CRUD, paging, grants (validated), menus, mine, delete one or many."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, actor, create_role, data, set_roles

ROLES = f"{API}/roles"


async def test_create_list_get_update_and_delete(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    h = admin.headers
    created = data(
        await client.post(ROLES, json={"name": "Editors", "code": "editor"}, headers=h), 201
    )
    assert created["status"] == "active"
    assert created["description"] == ""
    dup = await client.post(ROLES, json={"name": "Editors", "code": "other"}, headers=h)
    assert (dup.status_code, dup.json()["code"]) == (409, "ROLE_NAME_TAKEN")
    dup = await client.post(ROLES, json={"name": "Other", "code": "EDITOR"}, headers=h)
    assert (dup.status_code, dup.json()["code"]) == (409, "ROLE_CODE_TAKEN")
    for index in range(3):
        await create_role(client, admin, f"extra{index}")
    page = data(await client.get(ROLES, params={"size": 2, "page": 2}, headers=h))
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)
    found = data(await client.get(ROLES, params={"q": "edit"}, headers=h))
    assert [role["code"] for role in found["items"]] == ["editor"]
    url = f"{ROLES}/{created['id']}"
    updated = data(await client.patch(url, json={"description": "Writes things"}, headers=h))
    assert updated["description"] == "Writes things"
    assert updated["name"] == "Editors"
    assert len(data(await client.get(f"{ROLES}/all", headers=h))) == 4
    assert data(await client.delete(url, headers=h)) == {"deleted": 1}
    assert (await client.get(url, headers=h)).status_code == 404


async def test_grants_are_validated_and_normalized(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    role = await create_role(client, admin, "reader")
    url = f"{ROLES}/{role}/permissions"
    bad = await client.put(
        url, json={"grants": ["get:/api/v1/x", "FETCH:/x", "GET:/a/**/b"]}, headers=admin.headers
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "INVALID_GRANT")
    assert [detail["loc"][-1] for detail in bad.json()["details"]] == [1, 2]
    body = {"grants": ["get:/api/v1/probe/alpha", "*:/api/v1/probe/**", "GET:/api/v1/probe/alpha"]}
    detail = data(await client.put(url, json=body, headers=admin.headers))
    assert detail["grants"] == ["*:/api/v1/probe/**", "GET:/api/v1/probe/alpha"]
    assert (
        data(await client.get(f"{ROLES}/{role}", headers=admin.headers))["grants"]
        == detail["grants"]
    )


async def test_mine_lists_the_callers_roles_without_a_grant(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, admin, "reader")
    await set_roles(client, admin, bob.id, [role])
    mine = data(await client.get(f"{ROLES}/mine", headers=bob.headers))
    assert [item["code"] for item in mine] == ["reader"]
    assert (await client.get(f"{ROLES}/all", headers=bob.headers)).status_code == 403


async def test_delete_many_skips_unknown_ids(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    ids = [str(await create_role(client, admin, f"role{index}")) for index in range(3)]
    unknown = "01900000-0000-7000-8000-000000000000"
    deleted = data(
        await client.delete(ROLES, params={"ids": [*ids[:2], unknown]}, headers=admin.headers)
    )
    assert deleted == {"deleted": 2}
    left = data(await client.get(f"{ROLES}/all", headers=admin.headers))
    assert [role["id"] for role in left] == [ids[2]]
    none = await client.delete(ROLES, params={"ids": [unknown]}, headers=admin.headers)
    assert (none.status_code, none.json()["code"]) == (404, "ROLE_NOT_FOUND")


async def test_set_menus_checks_they_exist(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    role = await create_role(client, admin, "reader")
    menu = data(
        await client.post(
            f"{API}/menus", json={"type": "menu", "name": "Home"}, headers=admin.headers
        ),
        201,
    )
    url = f"{ROLES}/{role}/menus"
    missing = await client.put(
        url, json={"menuIds": ["01900000-0000-7000-8000-000000000000"]}, headers=admin.headers
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "MENU_NOT_FOUND")
    detail = data(await client.put(url, json={"menuIds": [menu["id"]]}, headers=admin.headers))
    assert detail["menuIds"] == [menu["id"]]
