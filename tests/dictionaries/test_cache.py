"""The frontend's read through its caches, on both SQL backends: warm reads touch no store, a
change made on one node is read on another at its very next request, Redis holds one hash per
version, and a read without Redis still answers."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, cast

import httpx
from fastapi import FastAPI

from atrium.core.redis import create_redis
from atrium.core.state import AppState
from atrium.dictionaries.cache import DictionaryCache, DictionaryReader, data_key, version_key
from atrium.dictionaries.propagation import TABLES, DictionaryChangeHook
from atrium.dictionaries.runtime import DICTIONARIES
from tests.support.admin import API, Actor, actor, data
from tests.support.fixtures import asgi_client
from tests.support.traffic import traffic

TYPES = f"{API}/dictionaries"
ONE = f"{API}/dictionary-data/ticket_state"


async def _ticket_states(client: httpx.AsyncClient, state: AppState) -> tuple[Actor, Any]:
    root = await actor(client, state, "root", superuser=True)
    made = data(
        await client.post(
            TYPES, json={"code": "ticket_state", "name": "Ticket state"}, headers=root.headers
        ),
        201,
    )
    url = f"{TYPES}/{made['id']}/items"
    item = data(
        await client.post(url, json={"value": "open", "label": "Open"}, headers=root.headers), 201
    )
    return root, item


def _labels(answer: httpx.Response) -> list[str]:
    return [item["label"] for item in data(answer)["items"]]


async def test_a_warm_read_touches_neither_redis_nor_the_database(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root, _ = await _ticket_states(client, state)
    unknown = f"{API}/dictionary-data/no_such_code"
    for _ in range(2):  # the first round warms up
        async with traffic(state) as seen:
            for _ in range(20):
                assert _labels(await client.get(ONE, headers=root.headers)) == ["Open"]
                assert (await client.get(unknown, headers=root.headers)).status_code == 404
    assert seen.statements == []
    assert seen.redis_commands <= 2  # the INFO call itself (and at most one stray health check)


async def test_a_change_on_one_node_is_read_on_another_at_its_next_request(
    client: httpx.AsyncClient, state: AppState, second_app: FastAPI
) -> None:
    root, item = await _ticket_states(client, state)
    url = f"{TYPES}/{item['typeId']}/items/{item['id']}"
    async with asgi_client(second_app) as other:
        for _ in range(2):  # warm on both nodes
            assert _labels(await other.get(ONE, headers=root.headers)) == ["Open"]
            assert _labels(await client.get(ONE, headers=root.headers)) == ["Open"]
        data(await client.patch(url, json={"label": "Opened"}, headers=root.headers))
        assert _labels(await other.get(ONE, headers=root.headers)) == ["Opened"]
        data(await other.patch(url, json={"enabled": False}, headers=root.headers))
        assert _labels(await client.get(ONE, headers=root.headers)) == []
        data(await client.delete(f"{TYPES}/{item['typeId']}", headers=root.headers))
        assert (await other.get(ONE, headers=root.headers)).status_code == 404


async def test_redis_holds_one_hash_per_version_and_a_bad_entry_is_read_again(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root, item = await _ticket_states(client, state)
    version = await state.redis.get(version_key(state.settings))
    assert _labels(await client.get(ONE, headers=root.headers)) == ["Open"]
    hash_key = data_key(state.settings, str(version))
    stored = await cast(Awaitable[str | None], state.redis.hget(hash_key, "ticket_state"))
    assert stored is not None
    assert '"label":"Open"' in stored
    runtime = state.get(DICTIONARIES)
    runtime.cache.flush()  # this node forgets: the next read is Redis's
    await cast(Awaitable[int], state.redis.hset(hash_key, "ticket_state", "{not json"))
    assert _labels(await client.get(ONE, headers=root.headers)) == ["Open"]  # read from SQL
    url = f"{TYPES}/{item['typeId']}/items/{item['id']}"
    data(await client.patch(url, json={"label": "Opened"}, headers=root.headers))
    assert await state.redis.get(version_key(state.settings)) == str(int(version or 0) + 1)
    assert _labels(await client.get(ONE, headers=root.headers)) == ["Opened"]


async def test_without_redis_a_read_answers_from_sql_and_a_change_says_503(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root, item = await _ticket_states(client, state)
    down = create_redis(state.settings.redis.model_copy(update={"url": "redis://127.0.0.1:1"}))
    try:
        reader = DictionaryReader(DictionaryCache(0), down, state.db, state.settings)
        found = await reader.read(["ticket_state", "nope"])
        assert [option.label for option in found["ticket_state"].items] == ["Open"]
        assert list(found) == ["ticket_state"]
        hook = DictionaryChangeHook(down, state.settings)  # a node whose Redis is unreachable
        state.db.on_commit(hook, TABLES)
        try:
            url = f"{TYPES}/{item['typeId']}/items/{item['id']}"
            refused = await client.patch(url, json={"label": "Opened"}, headers=root.headers)
        finally:
            state.db.hooks.remove(hook)
    finally:
        await down.aclose()
    assert (refused.status_code, refused.json()["code"]) == (503, "DICTIONARY_PROPAGATION_FAILED")
    listed = data(await client.get(f"{TYPES}/{item['typeId']}/items", headers=root.headers))
    assert listed[0]["label"] == "Opened"  # saved all the same
