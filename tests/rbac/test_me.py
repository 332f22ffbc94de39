"""``GET /auth/me``: the user, roles, callable codes, button codes and the menu tree."""

from __future__ import annotations

from typing import Any

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, Actor, actor, create_role, data, set_roles

ME = f"{API}/auth/me"


async def _menu(client: httpx.AsyncClient, admin: Actor, **fields: Any) -> str:
    menu = data(await client.post(f"{API}/menus", json=fields, headers=admin.headers), 201)
    return str(menu["id"])


async def test_me_shows_what_the_frontend_renders(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    system = await _menu(client, admin, type="directory", name="System")
    users = await _menu(
        client, admin, type="menu", name="Users", parentId=system, routePath="/system/users"
    )
    create = await _menu(
        client, admin, type="button", name="New", parentId=users, buttonCode="users:create"
    )
    await _menu(client, admin, type="menu", name="Hidden", parentId=system, visible=False)
    await _menu(client, admin, type="menu", name="Roles", parentId=system)
    role = await create_role(client, admin, "reader", ["GET:/api/v1/probe/*"])
    url = f"{API}/roles/{role}/menus"
    data(await client.put(url, json={"menuIds": [users, create]}, headers=admin.headers))
    await set_roles(client, admin, bob.id, [role])
    me = data(await client.get(ME, headers=bob.headers))
    assert me["username"] == "bob"
    assert [r["code"] for r in me["roles"]] == ["reader"]
    assert "GET:/api/v1/probe/alpha" in me["permissions"]
    assert "GET:/api/v1/probe/whoami" in me["permissions"]  # authenticated routes are callable
    assert "GET:/api/v1/probe/items/{item_id}" not in me["permissions"]
    assert "DELETE:/api/v1/probe/items/{item_id}" not in me["permissions"]
    assert "EVENT:ping" in me["permissions"]  # socket events open to every logged-in user
    assert "files:admin" not in me["permissions"]
    assert me["buttons"] == ["users:create"]
    assert [node["name"] for node in me["menus"]] == ["System"]  # the ancestor comes along
    assert [node["name"] for node in me["menus"][0]["children"]] == ["Users"]
    assert me["menus"][0]["children"][0]["children"] == []  # buttons are listed apart


async def test_a_superuser_sees_every_code_and_visible_menu(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    await _menu(client, admin, type="menu", name="Anything")
    await _menu(client, admin, type="menu", name="Hidden", visible=False)
    me = data(await client.get(ME, headers=admin.headers))
    assert "DELETE:/api/v1/probe/items/{item_id}" in me["permissions"]
    assert {"files:admin", "EVENT:messages:send"} <= set(me["permissions"])
    assert "GET:/api/v1/probe/open" not in me["permissions"]
    assert [node["name"] for node in me["menus"]] == ["Anything"]
