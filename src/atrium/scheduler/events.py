"""Socket events of the scheduler: join or leave the room of live run events
(``scheduler:run``, ``atrium.scheduler.live``).

Both need their event code and the right to read the run history (``GET:/api/v1/scheduler/runs``;
superusers hold it); a subscriber who loses it later is taken out of the room on every node
(``drop_lost``, which the scheduler's lifecycle hangs on the realtime server's access changes).
"""

from __future__ import annotations

from uuid import UUID

import structlog

from atrium.core.state import AppState
from atrium.rbac import cache
from atrium.rbac.deps import PERMISSIONS
from atrium.rbac.policy import refusal
from atrium.realtime.emitter import NAMESPACE
from atrium.realtime.handlers import SocketContext, SocketRouter
from atrium.realtime.rooms import Users
from atrium.realtime.server import REALTIME, RealtimeServer
from atrium.scheduler.errors import SchedulerRunsReadRequired
from atrium.scheduler.live import ROOM, RUNS_READ

log = structlog.get_logger(__name__)

socket_router = SocketRouter()


async def _ensure_may_watch(ctx: SocketContext, state: AppState) -> None:
    if not await may_watch(state, ctx.socket.user_id):
        raise SchedulerRunsReadRequired()


@socket_router.on("scheduler:subscribe")
async def subscribe(ctx: SocketContext, state: AppState) -> None:
    """Receive ``scheduler:run`` for every run dispatched, started, retried, succeeded or failed."""
    await _ensure_may_watch(ctx, state)
    await state.get(REALTIME).sio.enter_room(ctx.sid, ROOM, namespace=NAMESPACE)


@socket_router.on("scheduler:unsubscribe")
async def unsubscribe(ctx: SocketContext, state: AppState) -> None:
    """Stop receiving run events."""
    await state.get(REALTIME).sio.leave_room(ctx.sid, ROOM, namespace=NAMESPACE)


async def may_watch(state: AppState, user_id: UUID, *, fresh: bool = False) -> bool:
    """Whether the user may watch runs live now: the cached permission set, or (``fresh``,
    while an access change is being applied) the one SQL holds."""
    if fresh:
        found = await cache.load(state.db, user_id)
    else:
        found = await state.get(PERMISSIONS).get(user_id)
    return refusal(found) is None and (found.is_superuser or found.allows(RUNS_READ))


async def drop_lost(state: AppState, server: RealtimeServer, users: Users) -> None:
    """Take out of this node's room the sockets of ``users`` (None: every subscriber) who may
    no longer watch runs."""
    members = server.sio.manager.rooms.get(NAMESPACE, {}).get(ROOM) or {}
    for sid in list(members):
        info = server.registry.get(sid)
        if info is None or (users is not None and info.user_id not in users):
            continue
        if not await may_watch(state, info.user_id, fresh=True):
            await server.sio.leave_room(sid, ROOM, namespace=NAMESPACE)
            log.info("scheduler_run_watcher_dropped", user_id=str(info.user_id))
