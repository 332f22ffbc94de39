"""A revoked or deleted key is refused on every node on its very next request: a second app (its
own in-process cache of verified keys) and a real uvicorn process; a revocation that cannot reach
Redis fails the request (the revocation stays saved)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from atrium.apikeys.propagation import TABLE, KeyRevocationHook
from atrium.apikeys.runtime import APIKEYS
from atrium.config import Settings
from atrium.core.redis import create_redis
from atrium.core.state import AppState
from tests.support.admin import API, actor, data
from tests.support.apikeys import ALL_KEYS, OWN_KEYS, create_key, with_key
from tests.support.fixtures import asgi_client
from tests.support.nodes import node_process
from tests.support.users import LoggedIn, user_with_grants

ALPHA = f"{API}/probe/alpha"
SCOPES = ["GET:/api/v1/probe/alpha"]


Revocation = Callable[[httpx.AsyncClient, AppState, LoggedIn, dict[str, Any]], Awaitable[None]]


async def _own_revoke(
    client: httpx.AsyncClient, state: AppState, bob: LoggedIn, made: dict[str, Any]
) -> None:
    data(await client.post(f"{OWN_KEYS}/{made['id']}/revoke", headers=bob.headers))


async def _own_delete(
    client: httpx.AsyncClient, state: AppState, bob: LoggedIn, made: dict[str, Any]
) -> None:
    data(await client.delete(f"{OWN_KEYS}/{made['id']}", headers=bob.headers))


async def _admin_revoke(
    client: httpx.AsyncClient, state: AppState, bob: LoggedIn, made: dict[str, Any]
) -> None:
    root = await actor(client, state, "root", superuser=True)
    data(await client.post(f"{ALL_KEYS}/{made['id']}/revoke", headers=root.headers))


REVOCATIONS: dict[str, Revocation] = {
    "revoked by its owner": _own_revoke,
    "deleted by its owner": _own_delete,
    "revoked by an admin": _admin_revoke,
}


@pytest.mark.parametrize("how", list(REVOCATIONS))
async def test_a_revoked_key_is_dropped_on_both_instances_before_the_answer(
    how: str, client: httpx.AsyncClient, state: AppState, second_app: FastAPI
) -> None:
    bob = await user_with_grants(state, client, "bob", SCOPES)
    made = await create_key(client, bob.headers, SCOPES)
    other_state: AppState = second_app.state.atrium
    async with asgi_client(second_app) as other:
        for http in (client, other, client, other):  # twice each: the second call is warm
            assert (await http.get(ALPHA, headers=with_key(made["key"]))).status_code == 200
        assert other_state.get(APIKEYS).cache.get(made["key"]) is not None  # warm, in process
        await REVOCATIONS[how](client, state, bob, made)
        assert other_state.get(APIKEYS).cache.get(made["key"]) is None
        assert state.get(APIKEYS).cache.get(made["key"]) is None
        for http in (other, client):
            refused = await http.get(ALPHA, headers=with_key(made["key"]))
            assert refused.status_code == 401


@pytest.mark.slow
async def test_a_revoked_key_is_refused_by_a_uvicorn_process_on_its_next_request(
    client: httpx.AsyncClient, state: AppState, settings: Settings
) -> None:
    bob = await user_with_grants(state, client, "bob", SCOPES)
    first = await create_key(client, bob.headers, SCOPES)
    second = await create_key(client, bob.headers, SCOPES)
    async with node_process(settings) as base, httpx.AsyncClient(base_url=base) as node:
        for _ in range(3):  # the first call fills that node's cache, the others are warm
            for made in (first, second):
                answer = await node.get(ALPHA, headers=with_key(made["key"]))
                assert answer.status_code == 200, answer.text
        await _own_revoke(client, state, bob, first)
        refused = await node.get(ALPHA, headers=with_key(first["key"]))
        assert refused.status_code == 401
        assert refused.json()["code"] == "APIKEY_REVOKED"
        await _own_delete(client, state, bob, second)
        gone = await node.get(ALPHA, headers=with_key(second["key"]))
        assert gone.status_code == 401
        assert gone.json()["code"] == "APIKEY_INVALID"


async def test_a_revocation_that_cannot_reach_redis_fails_and_stays_saved(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", SCOPES)
    made = await create_key(client, bob.headers, SCOPES)
    down = create_redis(state.settings.redis.model_copy(update={"url": "redis://127.0.0.1:1"}))
    hook = KeyRevocationHook(down, state.settings)  # a node whose Redis is unreachable
    state.db.on_commit(hook, {TABLE})
    try:
        refused = await client.post(f"{OWN_KEYS}/{made['id']}/revoke", headers=bob.headers)
    finally:
        state.db.hooks.remove(hook)
        await down.aclose()
    assert refused.status_code == 503
    assert refused.json()["code"] == "APIKEY_PROPAGATION_FAILED"
    saved = data(await client.get(f"{OWN_KEYS}/{made['id']}", headers=bob.headers))
    assert saved["status"] == "revoked"
    assert (await client.get(ALPHA, headers=with_key(made["key"]))).status_code == 401
