"""Revocation takes effect on the very next request, on this instance and on every other one.

"Other instances" are a second app (its own lifespan, in-process cache and invalidation
listener) sharing Redis and the database, and a real uvicorn process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.state import AppState
from atrium.rbac.deps import PERMISSIONS
from tests.support.admin import API, Actor, actor, create_role, data, set_grants, set_roles
from tests.support.fixtures import asgi_client
from tests.support.nodes import node_process

ALPHA = f"{API}/probe/alpha"


class World:
    def __init__(self, client: httpx.AsyncClient, admin: Actor, bob: Actor, role: UUID) -> None:
        self.client, self.admin, self.bob, self.role = client, admin, bob, role


async def _world(client: httpx.AsyncClient, state: AppState) -> World:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, admin, "reader", ["GET:/api/v1/probe/alpha"])
    await set_roles(client, admin, bob.id, [role])
    return World(client, admin, bob, role)


async def _remove_grant(w: World) -> None:
    await set_grants(w.client, w.admin, w.role, [])


async def _unassign(w: World) -> None:
    await set_roles(w.client, w.admin, w.bob.id, [])


async def _disable_role(w: World) -> None:
    body = {"status": "disabled"}
    data(await w.client.patch(f"{API}/roles/{w.role}", json=body, headers=w.admin.headers))


async def _delete_role(w: World) -> None:
    data(await w.client.delete(f"{API}/roles/{w.role}", headers=w.admin.headers))


async def _disable_user(w: World) -> None:
    data(await w.client.post(f"{API}/users/{w.bob.id}/disable", headers=w.admin.headers))


REVOCATIONS: dict[str, Callable[[World], Awaitable[None]]] = {
    "grant removed": _remove_grant,
    "role unassigned": _unassign,
    "role disabled": _disable_role,
    "role deleted": _delete_role,
    "user disabled": _disable_user,
}


@pytest.mark.parametrize("how", list(REVOCATIONS))
async def test_revocation_reaches_both_instances_before_the_answer(
    how: str, client: httpx.AsyncClient, state: AppState, second_app: FastAPI
) -> None:
    w = await _world(client, state)
    other_state: AppState = second_app.state.atrium
    async with asgi_client(second_app) as other:
        for http in (client, other, client, other):  # twice each: the second call is warm
            assert (await http.get(ALPHA, headers=w.bob.headers)).status_code == 200
        assert other_state.get(PERMISSIONS).local.get(w.bob.id) is not None  # warm, in process
        await REVOCATIONS[how](w)
        assert other_state.get(PERMISSIONS).local.get(w.bob.id) is None
        for http in (other, client):
            refused = await http.get(ALPHA, headers=w.bob.headers)
            assert refused.status_code in ((401, 403) if how == "user disabled" else (403,))


async def test_a_grant_given_on_one_instance_is_seen_on_the_other(
    client: httpx.AsyncClient, state: AppState, second_app: FastAPI
) -> None:
    w = await _world(client, state)
    async with asgi_client(second_app) as other:
        beta = f"{API}/probe/beta"
        assert (await other.get(beta, headers=w.bob.headers)).status_code == 403
        await set_grants(other, w.admin, w.role, ["GET:/api/v1/probe/*"])  # through node B
        assert (await client.get(beta, headers=w.bob.headers)).status_code == 200
        await set_grants(client, w.admin, w.role, [])  # and back through node A
        assert (await other.get(beta, headers=w.bob.headers)).status_code == 403


@pytest.mark.slow
async def test_revocation_reaches_a_uvicorn_process(
    client: httpx.AsyncClient, state: AppState, settings: Settings
) -> None:
    w = await _world(client, state)
    async with node_process(settings) as base, httpx.AsyncClient(base_url=base) as node:
        for _ in range(3):
            assert (await node.get(ALPHA, headers=w.bob.headers)).status_code == 200
        await _remove_grant(w)
        assert (await node.get(ALPHA, headers=w.bob.headers)).status_code == 403
        await set_grants(client, w.admin, w.role, ["GET:/api/v1/probe/alpha"])
        assert (await node.get(ALPHA, headers=w.bob.headers)).status_code == 200
        await _disable_user(w)
        assert (await node.get(ALPHA, headers=w.bob.headers)).status_code in (401, 403)
