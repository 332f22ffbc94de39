"""The realtime domain's own socket events: ``ping`` and ``auth:refresh``, open to every logged-in
user (a client must always be able to check the link and refresh its token)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from atrium.core.clock import utcnow
from atrium.core.routing import Access
from atrium.realtime.handlers import SocketContext, SocketRouter, provide
from atrium.realtime.schemas import Pong, TokenRefresh, TokenRefreshed
from atrium.realtime.server import REALTIME, RealtimeServer


@asynccontextmanager
async def _server(ctx: SocketContext) -> AsyncIterator[RealtimeServer]:
    yield ctx.state.get(REALTIME)


provide(RealtimeServer, _server)

socket_router = SocketRouter()


@socket_router.on("ping", access=Access.AUTHENTICATED)
async def ping(server: RealtimeServer) -> Pong:
    """Answer with the server's time and node id (a liveness and clock check)."""
    return Pong(server_time=utcnow(), node=server.node_id)


@socket_router.on("auth:refresh", access=Access.AUTHENTICATED)
async def refresh(
    payload: TokenRefresh, ctx: SocketContext, server: RealtimeServer
) -> TokenRefreshed:
    """Swap the socket's access token for a fresh one before it expires."""
    info = await server.refresh(ctx.sid, payload.token)
    return TokenRefreshed(expires_at=info.expires_at)
