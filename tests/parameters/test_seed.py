"""``atrium initdb``'s step on both SQL backends: every declared parameter gets its row once,
what an administrator set is kept, and a row whose declaration changed type is realigned."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from atrium.core.state import AppState
from atrium.parameters.seed import seed_database
from tests.support.admin import API, actor, data

URL = f"{API}/parameters/accounts.registration"


async def test_the_declared_parameters_are_seeded_once_and_overrides_kept(
    client: httpx.AsyncClient, state: AppState
) -> None:
    first = await seed_database(state.settings)
    assert first.added >= 1
    assert not (await seed_database(state.settings)).changed
    root = await actor(client, state, "root", superuser=True)
    listed = data(await client.get(f"{API}/parameters", headers=root.headers))
    assert "accounts.registration" in [item["key"] for item in listed["items"]]
    body = {"value": "open", "description": "Open for the launch"}
    data(await client.patch(URL, json=body, headers=root.headers))
    assert not (await seed_database(state.settings)).changed
    found = data(await client.get(URL, headers=root.headers))
    assert (found["value"], found["description"]) == ("open", "Open for the launch")


async def test_a_row_of_another_type_or_source_is_realigned_with_its_declaration(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await seed_database(state.settings)
    async with state.db.session() as session:  # as an older declaration would have left it
        await session.execute(
            text(
                "UPDATE parameters SET type = 'int', value = '3', source = NULL"
                " WHERE key = 'accounts.registration'"
            )
        )
    report = await seed_database(state.settings)
    assert report.aligned == 1
    root = await actor(client, state, "root", superuser=True)
    found = data(await client.get(URL, headers=root.headers))
    assert (found["type"], found["source"], found["overridden"]) == ("string", "accounts", False)
