"""The menu tree through the API: nesting, ordering, moving (no cycles), buttons, deleting."""

from __future__ import annotations

from typing import Any

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, Actor, actor, data

MENUS = f"{API}/menus"


async def _add(client: httpx.AsyncClient, admin: Actor, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = data(await client.post(MENUS, json=fields, headers=admin.headers), 201)
    return result


async def test_the_tree_nests_and_orders(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    system = await _add(client, admin, type="directory", name="System", sortOrder=2)
    await _add(client, admin, type="directory", name="Home", sortOrder=1)
    roles = await _add(
        client,
        admin,
        type="menu",
        name="Roles",
        parentId=system["id"],
        routePath="/system/roles",
        sortOrder=2,
    )
    await _add(client, admin, type="menu", name="Users", parentId=system["id"], sortOrder=1)
    await _add(
        client, admin, type="button", name="Create", parentId=roles["id"], buttonCode="roles:create"
    )
    tree = data(await client.get(MENUS, headers=admin.headers))
    assert [node["name"] for node in tree] == ["Home", "System"]
    assert [node["name"] for node in tree[1]["children"]] == ["Users", "Roles"]
    assert tree[1]["children"][1]["children"][0]["buttonCode"] == "roles:create"
    assert (
        data(await client.get(f"{MENUS}/{roles['id']}", headers=admin.headers))["routePath"]
        == "/system/roles"
    )


async def test_buttons_need_a_code_and_hold_nothing(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    missing = await client.post(MENUS, json={"type": "button", "name": "Go"}, headers=admin.headers)
    assert (missing.status_code, missing.json()["code"]) == (422, "MENU_BUTTON_CODE_REQUIRED")
    button = await _add(client, admin, type="button", name="Go", buttonCode="x:go")
    child = await client.post(
        MENUS,
        json={"type": "menu", "name": "Under", "parentId": button["id"]},
        headers=admin.headers,
    )
    assert (child.status_code, child.json()["code"]) == (409, "MENU_PARENT_IS_BUTTON")


async def test_moving_under_itself_is_refused(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    top = await _add(client, admin, type="directory", name="Top")
    middle = await _add(client, admin, type="directory", name="Middle", parentId=top["id"])
    bottom = await _add(client, admin, type="menu", name="Bottom", parentId=middle["id"])
    cycle = await client.patch(
        f"{MENUS}/{top['id']}", json={"parentId": bottom["id"]}, headers=admin.headers
    )
    assert (cycle.status_code, cycle.json()["code"]) == (409, "MENU_CYCLE")
    moved = data(
        await client.patch(
            f"{MENUS}/{bottom['id']}", json={"parentId": None, "icon": "x"}, headers=admin.headers
        )
    )
    assert moved["parentId"] is None
    assert moved["icon"] == "x"
    assert moved["name"] == "Bottom"


async def test_deleting_a_node_deletes_its_subtree(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    top = await _add(client, admin, type="directory", name="Top")
    middle = await _add(client, admin, type="menu", name="Middle", parentId=top["id"])
    await _add(client, admin, type="button", name="B", parentId=middle["id"], buttonCode="b:b")
    await _add(client, admin, type="directory", name="Other")
    data(await client.delete(f"{MENUS}/{top['id']}", headers=admin.headers))
    assert [node["name"] for node in data(await client.get(MENUS, headers=admin.headers))] == [
        "Other"
    ]
    assert (await client.get(f"{MENUS}/{middle['id']}", headers=admin.headers)).status_code == 404
