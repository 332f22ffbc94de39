"""Several processes, one Redis: emits and revocations reach sockets on any node."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from celery import Celery

from atrium.config import Settings
from atrium.core.state import AppState
from atrium.core.worker.app import celery_config
from tests.support.live import EVENT_TIMEOUT, LiveServer, probe
from tests.support.nodes import node_process, start_process, stop_process
from tests.support.users import new_user

pytestmark = pytest.mark.slow


async def test_node_b_reaches_sockets_on_node_a_with_notifications_and_revocations(
    live: LiveServer, state: AppState, http: httpx.AsyncClient, settings: Settings
) -> None:
    admin = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    async with (
        node_process(settings) as node_b,
        httpx.AsyncClient(base_url=node_b, timeout=10) as http_b,
        probe(live.url, alice.access) as on_a,
    ):
        body = {"userIds": [str(alice.user_id)], "title": "From B", "type": "test"}
        response = await http_b.post("/api/v1/notifications/send", json=body, headers=admin.headers)
        assert response.status_code == 201, response.text
        assert await on_a.next("notification") == response.json()["data"]["notifications"][0]

        async with probe(node_b, alice.access):  # alice on both nodes: presence sees both
            online = await http_b.get("/api/v1/realtime/online", headers=admin.headers)
            entry = online.json()["data"]["items"][0]
            assert (entry["sockets"], len(entry["nodes"])) == (2, 2)

        response = await http_b.post("/api/v1/auth/logout", headers=alice.headers)
        assert response.status_code == 200, response.text
        assert await on_a.next("auth:ended") == {"reason": "session_revoked"}
        await asyncio.wait_for(on_a.disconnected.wait(), EVENT_TIMEOUT)


async def test_a_notification_sent_from_a_celery_task_arrives(
    live: LiveServer, state: AppState, http: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    alice = await new_user(state, http, "alice")
    command = ["-m", "celery", "-A", "atrium.core.worker.celery", "worker", "--pool=solo"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--loglevel=WARNING", f"--hostname=rt{tmp_path.name}@%h"]
    worker = await start_process(command, settings, tmp_path / "worker.log")
    client_app = Celery("tests-realtime", set_as_current=False)
    client_app.conf.update({**celery_config(settings), "imports": []})
    try:
        async with probe(live.url, alice.access) as client:
            result = client_app.send_task(
                "notifications.send", [[str(alice.user_id)], "Export ready"], {"kind": "export"}
            )
            event = await client.next("notification", within=60)
            ids = await asyncio.to_thread(result.get, timeout=30)
    finally:
        await stop_process(worker)
    assert (event["title"], event["type"]) == ("Export ready", "export")
    assert ids == [event["id"]]
