"""Socket events of the scheduler: join or leave the room of live run events
(``scheduler:run``, ``atrium.scheduler.live``).

Both need their event code and the right to read the run history (``GET:/api/v1/scheduler/runs``;
superusers hold it); a subscriber who loses it later is taken out of the room.
"""

from __future__ import annotations

from atrium.core.state import AppState
from atrium.realtime.emitter import NAMESPACE
from atrium.realtime.handlers import SocketContext, SocketRouter
from atrium.realtime.server import REALTIME
from atrium.scheduler.errors import SchedulerRunsReadRequired
from atrium.scheduler.live import ROOM, may_watch

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
