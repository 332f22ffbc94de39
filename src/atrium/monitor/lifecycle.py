"""The monitor at startup: the node's first heartbeat, then its beat and its pusher in the
background; at shutdown both stop and the heartbeat is deleted (the node leaves the list)."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from fastapi import FastAPI
from redis.exceptions import RedisError

from atrium.core import cancel
from atrium.core.state import AppState
from atrium.monitor.events import SNAPSHOT_EVENT
from atrium.monitor.nodes import Heartbeat
from atrium.monitor.runtime import MONITOR, MonitorRuntime
from atrium.monitor.service import Monitor
from atrium.monitor.settings import MonitorSettings
from atrium.realtime.emitter import NAMESPACE
from atrium.realtime.server import REALTIME, RealtimeServer

log = structlog.get_logger(__name__)


async def startup(state: AppState, _app: FastAPI) -> None:
    server = state.get(REALTIME)
    heartbeat = Heartbeat(state.redis, state.settings, lambda: len(server.registry))
    runtime = MonitorRuntime(heartbeat, Monitor(state))
    with contextlib.suppress(RedisError):  # Redis down at start: the loop writes it later
        await heartbeat.beat()
    runtime.tasks.append(asyncio.create_task(heartbeat.run(), name="monitor-heartbeat"))
    runtime.tasks.append(asyncio.create_task(_push(state, runtime, server), name="monitor-push"))
    state.set(MONITOR, runtime)


def _has_subscribers(server: RealtimeServer, room: str) -> bool:
    return bool(server.sio.manager.rooms.get(NAMESPACE, {}).get(room))


async def _push(state: AppState, runtime: MonitorRuntime, server: RealtimeServer) -> None:
    """Every ``push_seconds``, a snapshot to this node's subscribers, if it has any."""
    every = state.settings.group(MonitorSettings).push_seconds
    while True:
        await asyncio.sleep(every)
        if not _has_subscribers(server, runtime.room):
            continue
        try:
            snapshot = await runtime.monitor.snapshot()
            data = snapshot.model_dump(mode="json")
            await server.emitter.emit(SNAPSHOT_EVENT, data, room=runtime.room)
        except Exception as exc:  # a store blip must not end the pushes
            log.warning("monitor_push_failed", error=repr(exc))


async def shutdown(state: AppState) -> None:
    runtime = state.find(MONITOR)
    if runtime is None:
        return
    for task in runtime.tasks:
        await cancel.stop(task)
    with contextlib.suppress(RedisError):
        await runtime.heartbeat.remove()
