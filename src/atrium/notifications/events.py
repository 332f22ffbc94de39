"""Socket events of notifications and messages (the same rules as the REST routes).

Each needs its event code (``EVENT:messages:send``, ...); the seed grants them to the ``user``
role (``for_every_user``), and a migration did so for installs that predate event codes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth.errors import AuthUserDisabled
from atrium.core.state import AppState
from atrium.notifications import messages, service
from atrium.notifications.repository import Reader
from atrium.notifications.runtime import runtime
from atrium.notifications.schemas import (
    ConversationReadRequest,
    MessageCreate,
    MessageRead,
    MessagesRead,
    NotificationRead,
    NotificationReadRequest,
)
from atrium.realtime.handlers import SocketContext, SocketRouter, SocketUser, provide
from atrium.users import service as users_service


@asynccontextmanager
async def _reader(ctx: SocketContext) -> AsyncIterator[Reader]:
    async with ctx.state.db.session() as session:
        user = await users_service.get(session, ctx.socket.user_id)
    if user is None or not user.is_active:
        raise AuthUserDisabled("The account is not active.")
    yield Reader(user_id=user.id, roles=ctx.socket.roles, since=user.created_at)


provide(Reader, _reader)

socket_router = SocketRouter()


@socket_router.on("messages:send", for_every_user=True)
async def send_message(
    payload: MessageCreate, user: SocketUser, state: AppState, session: AsyncSession
) -> MessageRead:
    """Send a message; the ack carries it as stored."""
    return await messages.send(runtime(state), session, user.user_id, payload)


@socket_router.on("messages:read", for_every_user=True)
async def read_conversation(
    payload: ConversationReadRequest, user: SocketUser, state: AppState
) -> MessagesRead:
    """Mark the messages a peer sent you read."""
    return await messages.mark_read(runtime(state), user.user_id, payload.peer_id)


@socket_router.on("notifications:read", for_every_user=True)
async def read_notification(payload: NotificationReadRequest, reader: Reader) -> NotificationRead:
    """Mark one notification read."""
    return await service.mark_read(reader, payload.id)
