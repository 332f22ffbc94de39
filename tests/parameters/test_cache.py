"""Reading parameters through the cache, on both SQL backends: a warm read touches no store, a
change made on one node is read on another at its very next request (the registration mode
included: the next register call there follows it), a reader without a cache
(a worker's) reads SQL every time, and a change without Redis is saved but says 503."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from atrium.accounts.settings import REGISTRATION
from atrium.core.parameters import current
from atrium.core.redis import create_redis
from atrium.core.state import AppState
from atrium.parameters.cache import OverrideReader, ParameterCache
from atrium.parameters.propagation import TABLES, ParameterChangeHook
from atrium.parameters.runtime import PARAMETERS_RUNTIME
from tests.support.accounts import address
from tests.support.admin import API, actor, data
from tests.support.fixtures import asgi_client
from tests.support.traffic import traffic
from tests.support.users import PASSWORD, sealed

URL = f"{API}/parameters/accounts.registration"


async def _register(client: httpx.AsyncClient, username: str) -> httpx.Response:
    body = {"username": username, "email": address(username), **await sealed(client, PASSWORD)}
    return await client.post(f"{API}/accounts/register", json=body)


async def test_a_warm_read_touches_neither_redis_nor_the_database(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    data(await client.patch(URL, json={"value": "invite"}, headers=root.headers))
    for _ in range(2):  # the first round warms up
        async with traffic(state) as seen:
            for _ in range(20):
                assert await current(state, REGISTRATION) == "invite"
    assert seen.statements == []
    assert seen.redis_commands <= 2  # the INFO call itself (and at most one stray health check)


async def test_a_change_on_one_node_is_read_on_another_at_its_next_request(
    client: httpx.AsyncClient, state: AppState, second_app: FastAPI
) -> None:
    root = await actor(client, state, "root", superuser=True)
    other_state: AppState = second_app.state.atrium
    async with asgi_client(second_app) as other:
        for _ in range(2):  # warm on both nodes
            assert await current(other_state, REGISTRATION) == "closed"
            assert await current(state, REGISTRATION) == "closed"
            assert (await _register(other, "early")).status_code == 403
        data(await client.patch(URL, json={"value": "open"}, headers=root.headers))
        assert await current(other_state, REGISTRATION) == "open"
        assert (await _register(other, "newcomer")).status_code == 202
        data(await other.post(f"{URL}/reset", headers=root.headers))
        assert await current(state, REGISTRATION) == "closed"
        refused = await _register(client, "late")
        assert (refused.status_code, refused.json()["code"]) == (
            403,
            "ACCOUNTS_REGISTRATION_CLOSED",
        )


async def test_a_reader_without_a_cache_reads_sql_every_time(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    reader = OverrideReader(ParameterCache(0), state.db)  # what a worker holds
    assert "accounts.registration" not in await reader.read()
    data(await client.patch(URL, json={"value": "open"}, headers=root.headers))
    async with traffic(state) as seen:
        assert (await reader.read())["accounts.registration"] == "open"
        assert (await reader.read())["accounts.registration"] == "open"
    assert len([s for s in seen.statements if "parameters" in s]) == 2


async def test_an_override_that_no_longer_fits_is_ignored(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    data(await client.patch(URL, json={"value": "open"}, headers=root.headers))
    async with state.db.session() as session:  # as a raw SQL edit would leave it
        await session.execute(
            text(
                "UPDATE parameters SET value = '\"sometimes\"' WHERE key = 'accounts.registration'"
            )
        )
    state.get(PARAMETERS_RUNTIME).reader.cache.flush()
    assert await current(state, REGISTRATION) == "closed"


async def test_without_redis_a_change_is_saved_and_says_503(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    down = create_redis(state.settings.redis.model_copy(update={"url": "redis://127.0.0.1:1"}))
    hook = ParameterChangeHook(down, state.settings)  # a node whose Redis is unreachable
    state.db.on_commit(hook, TABLES)
    try:
        refused = await client.patch(URL, json={"value": "open"}, headers=root.headers)
    finally:
        state.db.hooks.remove(hook)
        await down.aclose()
    assert (refused.status_code, refused.json()["code"]) == (503, "PARAMETER_PROPAGATION_FAILED")
    assert data(await client.get(URL, headers=root.headers))["value"] == "open"  # saved
