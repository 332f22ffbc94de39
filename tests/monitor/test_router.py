"""The monitor's routes: the capability and each route's code are both needed, and the snapshot
describes this node, its stores and Redis (both SQL backends)."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from atrium.monitor.nodes import node_id
from tests.support.users import give_role, new_user, superuser

BASE = "/api/v1/monitor"
ROUTES = (BASE, f"{BASE}/nodes", f"{BASE}/workers")
ALL_ROUTES = f"GET:{BASE}/**"


async def test_every_route_needs_the_capability_and_its_code(
    state: AppState, client: httpx.AsyncClient
) -> None:
    routes_only = await new_user(state, client, "routes-only")
    await give_role(state, routes_only.user_id, "routes-only", [ALL_ROUTES, f"GET:{BASE}"])
    capability_only = await new_user(state, client, "capability-only")
    await give_role(state, capability_only.user_id, "capability-only", ["monitor:read"])
    watcher = await new_user(state, client, "watcher")
    await give_role(state, watcher.user_id, "watcher", [ALL_ROUTES, f"GET:{BASE}", "monitor:read"])
    for url in ROUTES:
        refused = await client.get(url, headers=routes_only.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "MONITOR_READ_REQUIRED")
        no_code = await client.get(url, headers=capability_only.headers)
        assert (no_code.status_code, no_code.json()["code"]) == (403, "PERMISSION_DENIED")
        served = await client.get(url, headers=watcher.headers)
        assert served.status_code == 200, (url, served.text)
    assert (await client.get(BASE)).status_code == 401


async def test_the_snapshot_shows_this_node_its_stores_and_redis(
    state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)
    response = await client.get(BASE, headers=root.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    (node,) = [n for n in data["nodes"] if n["nodeId"] == node_id()]
    assert node["rssBytes"] > 0
    assert node["uptimeSeconds"] >= 0
    assert node["loopLagMs"] >= 0
    assert {name: check["status"] for name, check in data["stores"].items()} == {
        "sql": "ok",
        "mongo": "ok",
        "redis": "ok",
        "storage": "ok",
    }
    assert all(check["latencyMs"] >= 0 for check in data["stores"].values())
    prefixes = {row["prefix"]: row["keys"] for row in data["redis"]["prefixes"]}
    assert prefixes["monitor:"] >= 2  # the node index and this node's heartbeat
    assert data["redis"]["usedMemoryBytes"] > 0
    assert data["redis"]["partial"] is False
    assert data["beat"] == {"leader": None, "leaseExpiresInMs": None, "nextDue": []}
    assert data["workers"]["queues"] == [{"name": "atrium", "depth": 0}]
