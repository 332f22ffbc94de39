"""Real processes in the monitor: a second API node and a Celery worker appear; a node that shuts
down leaves at once, a worker killed outright drops out within the heartbeat window."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from atrium.monitor.nodes import node_id
from tests.support.nodes import node_process, start_process, stop_process
from tests.support.users import LoggedIn, superuser

pytestmark = pytest.mark.slow

BASE = "/api/v1/monitor"
# Heartbeat 1 s in these tests: a node expires after 3 s; inspect waits 1 s, cached 0.5 s.
HEARTBEAT_WINDOW = 5.0


async def _read(client: httpx.AsyncClient, root: LoggedIn, url: str) -> Any:
    response = await client.get(url, headers=root.headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def _workers(client: httpx.AsyncClient, root: LoggedIn, name: str) -> list[dict[str, Any]]:
    found = (await _read(client, root, f"{BASE}/workers"))["workers"]
    return [worker for worker in found if worker["name"].startswith(name)]


async def _until(check: Any, within: float) -> float:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < within, f"not within {within}s"
        await asyncio.sleep(0.2)
    return time.monotonic() - started


async def test_a_second_node_appears_and_leaves_when_it_stops(
    state: AppState, client: httpx.AsyncClient, settings: Settings
) -> None:
    root = await superuser(state, client)
    async with node_process(settings) as other:
        listed = await _read(client, root, f"{BASE}/nodes")
        ids = {node["nodeId"] for node in listed}
        assert len(ids) == 2, ids
        assert node_id() in ids
        async with httpx.AsyncClient(base_url=other, timeout=10) as http:
            seen_there = await _read(http, root, f"{BASE}/nodes")
        assert {node["nodeId"] for node in seen_there} == ids
    after = await _read(client, root, f"{BASE}/nodes")
    assert [node["nodeId"] for node in after] == [node_id()]


async def test_a_real_worker_appears_and_a_killed_one_drops_out(
    state: AppState, client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    root = await superuser(state, client)
    name = f"mon{tmp_path.name[-8:]}"
    command = ["-m", "celery", "-A", "atrium.core.worker.celery", "worker", "--pool=solo"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--loglevel=WARNING", f"--hostname={name}@%h"]
    worker = await start_process(command, settings, tmp_path / "worker.log")
    try:
        await _until(lambda: _workers(client, root, name), 60)
        (seen,) = await _workers(client, root, name)
        assert (seen["pid"], seen["queues"], seen["active"]) == (worker.pid, ["atrium"], 0)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()

        async def gone() -> bool:
            return not await _workers(client, root, name)

        assert await _until(gone, HEARTBEAT_WINDOW) < HEARTBEAT_WINDOW
    finally:
        await stop_process(worker)
