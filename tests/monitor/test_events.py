"""The monitor's socket events over a real port: a subscriber gets the first snapshot in the ack
and then ``monitor:snapshot`` pushes until it unsubscribes; both events need the capability."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from atrium.core.state import AppState
from atrium.monitor.nodes import node_id
from tests.support.live import LiveServer, probe
from tests.support.users import give_role, new_user, superuser


@pytest.fixture
def state(live: LiveServer) -> AppState:
    found: AppState = live.app.state.atrium
    return found


async def test_a_subscriber_receives_snapshots_until_it_unsubscribes(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    root = await superuser(state, http)
    async with probe(live.url, root.access) as socket:
        ack = await socket.call("monitor:subscribe")
        assert ack["code"] == "OK", ack
        assert node_id() in {node["nodeId"] for node in ack["data"]["nodes"]}
        pushed = await socket.next("monitor:snapshot")
        assert pushed["stores"]["redis"]["status"] == "ok"
        for _ in range(20):  # until a heartbeat (every second here) counts this socket
            if [node["socketClients"] for node in pushed["nodes"]] == [1]:
                break
            pushed = await socket.next("monitor:snapshot")
        assert [node["socketClients"] for node in pushed["nodes"]] == [1]
        assert (await socket.call("monitor:unsubscribe"))["code"] == "OK"
        await asyncio.sleep(0.6)  # a push already on its way may still land
        queue = socket.queue("monitor:snapshot")
        while not queue.empty():
            queue.get_nowait()
        with pytest.raises(TimeoutError):
            await socket.next("monitor:snapshot", within=1.5)


async def test_subscribing_needs_the_capability_and_the_event_code(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    codes_only = await new_user(state, http, "codes-only")
    events = ["EVENT:monitor:subscribe", "EVENT:monitor:unsubscribe"]
    await give_role(state, codes_only.user_id, "codes-only", events)
    capability_only = await new_user(state, http, "capability-only")
    await give_role(state, capability_only.user_id, "capability-only", ["monitor:read"])
    async with probe(live.url, codes_only.access) as socket:
        refused = await socket.call("monitor:subscribe")
        assert refused["code"] == "MONITOR_READ_REQUIRED"
        with pytest.raises(TimeoutError):
            await socket.next("monitor:snapshot", within=1.5)
    async with probe(live.url, capability_only.access) as socket:
        no_code = await socket.call("monitor:subscribe")
    assert (no_code["code"], no_code["details"][0]["message"]) == (
        "PERMISSION_DENIED",
        "EVENT:monitor:subscribe",
    )
