"""The to-dos ``initdb`` step: the menu (shown to ``admin`` and ``user``) and the ``user`` role's
grants, so a plain user of a fresh install keeps a to-do list; re-running adds nothing."""

from __future__ import annotations

import httpx

from atrium.core.domain import InitContext
from atrium.core.state import AppState
from atrium.rbac import repository
from atrium.rbac.cli import seed_database
from atrium.rbac.models import MenuType
from atrium.todos.domain import domain
from tests.support.workspace import API, User, log_in

from .helpers import BASE, create_todo


async def _run(state: AppState) -> list[str]:
    said: list[str] = []
    step = domain.initdb_step()
    assert step is not None
    await step(InitContext(state.settings, interactive=False, echo=said.append))
    return said


async def test_the_step_seeds_the_menu_and_the_user_roles_grants(
    client: httpx.AsyncClient, state: AppState, admin: User
) -> None:
    await seed_database(state.settings)  # RBAC's step, which runs first
    assert await _run(state) == ["todos: 5 menus, 10 role menu links, 1 user role grants added"]
    assert await _run(state) == ["todos: 0 menus, 0 role menu links, 0 user role grants added"]
    async with state.db.session() as session:
        user_role = await repository.role_by(session, code="user")
        admin_role = await repository.role_by(session, code="admin")
        assert user_role is not None
        assert admin_role is not None
        grants = (await repository.grants_of_roles(session, [user_role.id]))[user_role.id]
        menus = {menu.id: menu for menu in await repository.all_menus(session)}
        shown = await repository.menu_ids_of_roles(session, [user_role.id, admin_role.id])
    assert "*:/api/v1/todos/**" in grants
    mine = [
        m
        for m in menus.values()
        if m.route_path == "/todos" or (m.button_code or "").startswith("todos:")
    ]
    assert sorted((m.type, m.button_code or m.route_path) for m in mine) == [
        (MenuType.BUTTON, "todos:assign"),
        (MenuType.BUTTON, "todos:create"),
        (MenuType.BUTTON, "todos:delete"),
        (MenuType.BUTTON, "todos:update"),
        (MenuType.MENU, "/todos"),
    ]
    assert {m.id for m in mine} <= set(shown[user_role.id])
    assert {m.id for m in mine} <= set(shown[admin_role.id])
    plain = await log_in(client, state, "plain")
    body = {"roleIds": [str(user_role.id)]}
    given = await client.put(f"{API}/users/{plain.id}/roles", json=body, headers=admin.headers)
    assert given.status_code == 200, given.text
    created = await create_todo(client, plain, "From the user role")
    got = await client.get(f"{BASE}/{created['id']}", headers=plain.headers)
    assert got.status_code == 200
