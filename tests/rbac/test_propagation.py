"""Access changes take effect on commit through the request's own session: a route that calls
nothing special is invalidated on every node before it answers, a rolled-back one invalidates
nothing, and an invalidation that cannot reach Redis fails the request (the change stays saved).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.redis import create_redis
from atrium.core.state import AppState
from atrium.core.uow import Committed
from atrium.main import create_app
from atrium.rbac.cache import PermissionStore
from atrium.rbac.changes import WATCHED
from atrium.rbac.deps import PERMISSIONS
from atrium.rbac.propagation import AccessHook
from tests.support.admin import API, Actor, actor, create_role, data, set_roles

ALPHA = f"{API}/probe/alpha"
PLAIN = "tests.rbac.plain"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.domains = [*settings.domains, PLAIN]
    return settings


@dataclass
class Node:
    http: httpx.AsyncClient
    state: AppState


@pytest.fixture
async def other(settings: Settings, app: FastAPI) -> AsyncIterator[Node]:
    """A second node (its own lifespan and in-process caches) and a client of it."""
    node = create_app(settings)
    async with LifespanManager(node, startup_timeout=30, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=node, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Node(http, node.state.atrium)


class World:
    def __init__(self, root: Actor, bob: Actor, role: UUID) -> None:
        self.root, self.bob, self.role = root, bob, role


async def _world(client: httpx.AsyncClient, state: AppState, *nodes: httpx.AsyncClient) -> World:
    root = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, root, "reader", ["GET:/api/v1/probe/alpha"])
    await set_roles(client, root, bob.id, [role])
    for http in (client, *nodes, client, *nodes):  # the second round is served warm
        assert (await http.get(ALPHA, headers=bob.headers)).status_code == 200
    return World(root, bob, role)


def _warm(state: AppState, user_id: UUID) -> bool:
    return state.get(PERMISSIONS).local.get(user_id) is not None


@pytest.mark.parametrize(
    "change", ["users/{bob}/disable", "roles/{role}/grants"], ids=["orm", "bulk"]
)
async def test_a_plain_route_is_invalidated_on_every_node_before_it_answers(
    change: str, client: httpx.AsyncClient, state: AppState, other: Node
) -> None:
    w = await _world(client, state, other.http)
    assert _warm(state, w.bob.id)
    assert _warm(other.state, w.bob.id)
    path = f"{API}/plain/" + change.format(bob=w.bob.id, role=w.role)
    method = "DELETE" if change.endswith("grants") else "POST"
    data(await client.request(method, path, headers=w.root.headers))
    assert not _warm(state, w.bob.id)
    assert not _warm(other.state, w.bob.id)
    for http in (other.http, client):
        assert (await http.get(ALPHA, headers=w.bob.headers)).status_code in (401, 403)


async def test_a_rolled_back_request_invalidates_nothing_and_runs_no_hook(
    client: httpx.AsyncClient, state: AppState
) -> None:
    w = await _world(client, state)
    heard: list[Committed] = []

    async def record(committed: Committed) -> None:
        heard.append(committed)

    store = PermissionStore(state.redis, state.settings)
    seq = await state.redis.get(store.seq_key)
    state.db.on_commit(record)
    try:
        path = f"{API}/plain/users/{w.bob.id}/disable-then-fail"
        failed = await client.post(path, headers=w.root.headers)
    finally:
        state.db.hooks.remove(record)
    assert failed.status_code == 409
    assert heard == []
    assert await state.redis.get(store.seq_key) == seq
    assert _warm(state, w.bob.id)
    assert (await client.get(ALPHA, headers=w.bob.headers)).status_code == 200


async def test_an_invalidation_that_fails_fails_the_request_and_the_change_stays(
    client: httpx.AsyncClient, state: AppState
) -> None:
    w = await _world(client, state)
    down = create_redis(state.settings.redis.model_copy(update={"url": "redis://127.0.0.1:1"}))
    hook = AccessHook(state.db, down, state.settings)  # a node whose Redis is unreachable
    state.db.on_commit(hook, WATCHED)
    try:
        url = f"{API}/roles/{w.role}/permissions"
        refused = await client.put(url, json={"grants": []}, headers=w.root.headers)
    finally:
        state.db.hooks.remove(hook)
        await down.aclose()
    assert refused.status_code == 503
    body = refused.json()
    assert body["code"] == "RBAC_PROPAGATION_FAILED"
    assert body["message"] == (
        "The change is saved but could not reach every server yet; retry the request."
    )
    saved = data(await client.get(f"{API}/roles/{w.role}", headers=w.root.headers))
    assert saved["grants"] == []
