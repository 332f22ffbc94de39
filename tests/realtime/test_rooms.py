"""Role rooms follow role changes at once, on every node, before the change is reported done."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from atrium.config import Settings
from atrium.core.state import AppState
from atrium.realtime.emitter import EMITTER
from tests.support.live import LiveServer, Probe, live_server, probe
from tests.support.users import LoggedIn, new_user

API = "/api/v1"


async def _role(http: httpx.AsyncClient, admin: LoggedIn, code: str) -> str:
    body = {"name": code.title(), "code": code}
    response = await http.post(f"{API}/roles", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    role_id: str = response.json()["data"]["id"]
    return role_id


async def _call(http: httpx.AsyncClient, method: str, url: str, admin: LoggedIn, **kw: Any) -> None:
    response = await http.request(method, f"{API}{url}", headers=admin.headers, **kw)
    assert response.status_code == 200, response.text


async def _reached(state: AppState, client: Probe, user_id: UUID, role: str) -> bool:
    """Whether an emit to ``role:{role}`` reaches the client (a user-room marker follows it)."""
    emitter = state.get(EMITTER)
    await emitter.to_roles([role], "probe", {"role": role})
    await emitter.to_users([user_id], "marker", {"role": role})
    assert await client.next("marker") == {"role": role}
    queue = client.queue("probe")
    found = not queue.empty() and queue.get_nowait() == {"role": role}
    assert queue.empty()
    return found


async def test_a_role_change_moves_sockets_before_the_answer(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    """Found 9: a socket kept its ``role:{code}`` rooms after the role was taken away."""
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    ops, sales = await _role(http, admin, "ops"), await _role(http, admin, "sales")
    await _call(http, "PUT", f"/users/{alice.user_id}/roles", admin, json={"roleIds": [ops]})
    async with probe(live.url, alice.access) as client:
        assert await _reached(state, client, alice.user_id, "ops")
        body = {"roleIds": [sales]}
        await _call(http, "PUT", f"/users/{alice.user_id}/roles", admin, json=body)
        assert not await _reached(state, client, alice.user_id, "ops")
        assert await _reached(state, client, alice.user_id, "sales")
        await _call(http, "PATCH", f"/roles/{sales}", admin, json={"status": "disabled"})
        assert not await _reached(state, client, alice.user_id, "sales")
        await _call(http, "PATCH", f"/roles/{sales}", admin, json={"status": "active"})
        assert await _reached(state, client, alice.user_id, "sales")
        await _call(http, "PATCH", f"/roles/{sales}", admin, json={"code": "sales2"})
        assert not await _reached(state, client, alice.user_id, "sales")
        assert await _reached(state, client, alice.user_id, "sales2")
        await _call(http, "DELETE", f"/roles/{sales}", admin)
        assert not await _reached(state, client, alice.user_id, "sales2")
        assert client.client.connected


async def test_rooms_move_on_another_node_too(
    live: LiveServer, state: AppState, http: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    ops = await _role(http, admin, "ops")
    await _call(http, "PUT", f"/users/{alice.user_id}/roles", admin, json={"roleIds": [ops]})
    async with live_server(settings) as other, probe(other.url, alice.access) as client:
        assert await _reached(state, client, alice.user_id, "ops")
        await _call(http, "PUT", f"/users/{alice.user_id}/roles", admin, json={"roleIds": []})
        assert not await _reached(state, client, alice.user_id, "ops")  # emitted from this node
