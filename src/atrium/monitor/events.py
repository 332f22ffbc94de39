"""Socket events of the monitor: join or leave this node's room of live snapshots.

Both need their event code and the capability ``monitor:read``; the node the socket is on pushes
``monitor:snapshot`` to it every ``push_seconds`` while it stays subscribed.
"""

from __future__ import annotations

from atrium.core.state import AppState
from atrium.monitor.deps import ensure_monitor_read
from atrium.monitor.runtime import MONITOR
from atrium.monitor.schemas import Snapshot
from atrium.realtime.emitter import NAMESPACE
from atrium.realtime.handlers import SocketContext, SocketRouter
from atrium.realtime.server import REALTIME

SNAPSHOT_EVENT = "monitor:snapshot"

socket_router = SocketRouter()


@socket_router.on("monitor:subscribe")
async def subscribe(ctx: SocketContext, state: AppState) -> Snapshot:
    """Receive a system snapshot every few seconds; the ack carries the first one."""
    await ensure_monitor_read(state, ctx.socket.user_id)
    runtime = state.get(MONITOR)
    await state.get(REALTIME).sio.enter_room(ctx.sid, runtime.room, namespace=NAMESPACE)
    return await runtime.monitor.snapshot()


@socket_router.on("monitor:unsubscribe")
async def unsubscribe(ctx: SocketContext, state: AppState) -> None:
    """Stop receiving system snapshots."""
    await ensure_monitor_read(state, ctx.socket.user_id)
    runtime = state.get(MONITOR)
    await state.get(REALTIME).sio.leave_room(ctx.sid, runtime.room, namespace=NAMESPACE)
