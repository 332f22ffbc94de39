"""Emit to sockets from anywhere: an API node (through its server) or a worker (write-only).

Every API node's ``AsyncServer`` and every worker's write-only ``AsyncRedisManager`` share one
Redis pub/sub channel (``{redis.key_prefix}{realtime.channel}``), so an emit from any process
reaches the socket on whichever node holds it. Payloads must be JSON-serialisable (pass
``model.model_dump(mode="json")``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

import socketio

from atrium.config import Settings
from atrium.core.redis import key
from atrium.core.state import AppState, StateKey
from atrium.realtime.names import role_room, user_room
from atrium.realtime.settings import RealtimeSettings

NAMESPACE = "/"

Room = str | list[str] | None


class _EmitsEvents(Protocol):
    async def emit(self, event: str, data: Any = None, *, room: Room = None) -> None: ...


def channel(settings: Settings) -> str:
    """The pub/sub channel every Socket.IO node and emitter of this deployment shares."""
    return key(settings.redis, settings.group(RealtimeSettings).channel)


class Emitter:
    """Sends events to users, roles or everyone; the transport is the server or a manager."""

    def __init__(self, transport: _EmitsEvents) -> None:
        self._transport = transport

    async def emit(self, event: str, data: Any, *, room: Room = None) -> None:
        """Send ``event`` to a room, a list of rooms, or (``room=None``) every socket."""
        await self._transport.emit(event, data, room=room)

    async def to_users(self, user_ids: Sequence[UUID | str], event: str, data: Any) -> None:
        if user_ids:
            await self.emit(event, data, room=[user_room(uid) for uid in user_ids])

    async def to_roles(self, role_codes: Sequence[str], event: str, data: Any) -> None:
        if role_codes:
            await self.emit(event, data, room=[role_room(code) for code in role_codes])

    async def to_everyone(self, event: str, data: Any) -> None:
        await self.emit(event, data, room=None)


class ServerTransport:
    """Emits through this node's server: local sockets directly, the others through Redis."""

    def __init__(self, server: socketio.AsyncServer) -> None:
        self._server = server

    async def emit(self, event: str, data: Any = None, *, room: Room = None) -> None:
        await self._server.emit(event, data, to=room, namespace=NAMESPACE)


class ManagerTransport:
    """A write-only Redis manager: for Celery workers, scripts and other processes."""

    def __init__(self, settings: Settings) -> None:
        self.manager = socketio.AsyncRedisManager(
            settings.redis.url, channel=channel(settings), write_only=True
        )

    async def emit(self, event: str, data: Any = None, *, room: Room = None) -> None:
        await self.manager.emit(event, data, namespace=NAMESPACE, room=room)

    async def close(self) -> None:
        redis = getattr(self.manager, "redis", None)
        if redis is not None:
            await redis.aclose()


EMITTER: StateKey[Emitter] = StateKey("realtime.emitter")
_WORKER_TRANSPORT: StateKey[ManagerTransport] = StateKey("realtime.worker_transport")


def emitter(state: AppState) -> Emitter:
    """This process's emitter: the server's on an API node, else a write-only one (created once)."""
    found = state.find(EMITTER)
    if found is None:
        transport = ManagerTransport(state.settings)
        found = Emitter(transport)
        state.set(_WORKER_TRANSPORT, transport)
        state.set(EMITTER, found)
    return found


async def close_emitter(state: AppState) -> None:
    """Close a write-only emitter's Redis client (API nodes close theirs with the server)."""
    transport = state.find(_WORKER_TRANSPORT)
    if transport is not None:
        await transport.close()
