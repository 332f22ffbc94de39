"""Who is online, on which node: kept in Redis so every node sees the same picture.

Key layout (each starts with ``settings.redis.key_prefix``):

- ``realtime:nodes``: set of the node ids that have held sockets;
- ``realtime:node:{node}``: hash ``sid -> {"u": user id, "t": connected at}``, the node's sockets;
- ``realtime:node:{node}:alive``: present while the node heartbeats.

The hash and the alive key expire after ``presence_node_ttl_seconds`` unless the node refreshes
them (every ``presence_heartbeat_seconds``), so a crashed node's sockets vanish by themselves. A
node that finds its alive key gone (a Redis restart or a long outage) writes its sockets again.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import Awaitable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from uuid import UUID

import structlog
from redis.exceptions import RedisError

from atrium.config import Settings
from atrium.core import cancel
from atrium.core.ids import uuid7
from atrium.core.redis import RedisClient, key
from atrium.realtime.registry import SocketInfo, SocketRegistry
from atrium.realtime.settings import RealtimeSettings

log = structlog.get_logger(__name__)


def new_node_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid7().hex[-6:]}"


@dataclass(frozen=True, slots=True)
class OnlineSocket:
    node: str
    sid: str
    user_id: UUID
    connected_at: datetime


class Presence:
    """This node's entries in the shared presence map, and queries over every node's."""

    def __init__(self, redis: RedisClient, settings: Settings, node_id: str) -> None:
        self.redis = redis
        self.node_id = node_id
        self._settings = settings.redis
        self.ttl = settings.group(RealtimeSettings).presence_node_ttl_seconds
        self.interval = settings.group(RealtimeSettings).presence_heartbeat_seconds
        self._task: asyncio.Task[None] | None = None

    def _nodes_key(self) -> str:
        return key(self._settings, "realtime", "nodes")

    def _node_key(self, node: str) -> str:
        return key(self._settings, "realtime", "node", node)

    def _alive_key(self, node: str) -> str:
        return key(self._settings, "realtime", "node", node, "alive")

    async def add(self, info: SocketInfo) -> None:
        entry = json.dumps({"u": str(info.user_id), "t": info.connected_at.isoformat()})
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(self._node_key(self.node_id), info.sid, entry)
            pipe.expire(self._node_key(self.node_id), self.ttl)
            await pipe.execute()

    async def remove(self, sid: str) -> None:
        await cast(Awaitable[int], self.redis.hdel(self._node_key(self.node_id), sid))

    async def beat(self, registry: SocketRegistry) -> None:
        """Refresh this node's liveness; rewrite its sockets if Redis had forgotten them."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self._alive_key(self.node_id), "1", ex=self.ttl, get=True)
            pipe.sadd(self._nodes_key(), self.node_id)
            pipe.expire(self._node_key(self.node_id), self.ttl)
            was_alive, _, _ = await pipe.execute()
        if was_alive is None and len(registry):
            await self._rewrite(registry)

    async def _rewrite(self, registry: SocketRegistry) -> None:
        entries = {
            info.sid: json.dumps({"u": str(info.user_id), "t": info.connected_at.isoformat()})
            for info in registry.all()
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._node_key(self.node_id))
            pipe.hset(self._node_key(self.node_id), mapping=entries)
            pipe.expire(self._node_key(self.node_id), self.ttl)
            await pipe.execute()

    async def start(self, registry: SocketRegistry) -> None:
        await self.beat(registry)
        self._task = asyncio.create_task(self._run(registry), name="realtime-presence")

    async def _run(self, registry: SocketRegistry) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.beat(registry)
            except (RedisError, OSError) as exc:
                log.warning("presence_heartbeat_failed", error=repr(exc))

    async def stop(self) -> None:
        """Stop heart-beating and remove this node's entries."""
        await cancel.stop(self._task)
        with suppress(RedisError, OSError):
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._node_key(self.node_id), self._alive_key(self.node_id))
                pipe.srem(self._nodes_key(), self.node_id)
                await pipe.execute()

    async def sockets(self) -> list[OnlineSocket]:
        """Every socket of every live node; nodes found dead are forgotten."""
        nodes = sorted(await cast(Awaitable[set[str]], self.redis.smembers(self._nodes_key())))
        async with self.redis.pipeline(transaction=False) as pipe:
            for node in nodes:
                pipe.exists(self._alive_key(node))
                pipe.hgetall(self._node_key(node))
            replies = await pipe.execute()
        found: list[OnlineSocket] = []
        dead: list[str] = []
        for index, node in enumerate(nodes):
            alive, entries = replies[2 * index], replies[2 * index + 1]
            if not alive:
                dead.append(node)
                continue
            found.extend(_socket(node, sid, raw) for sid, raw in entries.items())
        if dead:
            await cast(Awaitable[int], self.redis.srem(self._nodes_key(), *dead))
        return found


def _socket(node: str, sid: str, raw: str) -> OnlineSocket:
    entry = json.loads(raw)
    return OnlineSocket(node, sid, UUID(entry["u"]), datetime.fromisoformat(entry["t"]))
