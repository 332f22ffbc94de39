"""The documents ``initdb`` step: the menu (shown to ``admin`` and ``user``) and the ``user``
role's grants, so a plain user of a fresh install writes documents; re-running adds nothing."""

from __future__ import annotations

import httpx

from atrium.core.domain import InitContext
from atrium.core.state import AppState
from atrium.documents.domain import domain
from atrium.rbac import repository
from atrium.rbac.cli import seed_database
from tests.support.workspace import API, User, log_in

from .helpers import BASE, create_document


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
    added = "documents: 6 menus, 12 role menu links, 1 user role grants added"
    assert await _run(state) == [added]
    assert await _run(state) == ["documents: 0 menus, 0 role menu links, 0 user role grants added"]
    async with state.db.session() as session:
        user_role = await repository.role_by(session, code="user")
        assert user_role is not None
        grants = (await repository.grants_of_roles(session, [user_role.id]))[user_role.id]
        menus = await repository.all_menus(session)
        shown = await repository.menu_ids_of_roles(session, [user_role.id])
    assert "*:/api/v1/documents/**" in grants
    # RBAC's step grants the socket events declared for every user.
    assert {"EVENT:documents.watch", "EVENT:documents.unwatch"} <= set(grants)
    mine = {m.id for m in menus if m.route_path == "/documents"}
    assert len(mine) == 1
    assert mine <= set(shown[user_role.id])
    plain = await log_in(client, state, "plain")
    body = {"roleIds": [str(user_role.id)]}
    given = await client.put(f"{API}/users/{plain.id}/roles", json=body, headers=admin.headers)
    assert given.status_code == 200, given.text
    created = await create_document(client, plain, "From the user role")
    got = await client.get(f"{BASE}/{created['id']}", headers=plain.headers)
    assert got.status_code == 200
