"""API nodes seen alive: each node's heartbeat in Redis, and the reading of every node's.

Key layout (each starts with ``settings.redis.key_prefix``):

- ``monitor:node:{host:pid}``: the node's last heartbeat (JSON), expiring after about three
  beats, so a node that died without a word vanishes by itself;
- ``monitor:nodes``: a sorted set of node ids scored by when their heartbeat expires, so a
  reader finds the live ones without scanning the keyspace.

The process figures come from the standard library and ``/proc`` (CPU time from ``os.times``,
the resident set from ``/proc/self/statm``, sockets from ``/proc/self/fd``): no dependency for
four numbers. Event-loop lag is how late a short sleep wakes up, the worst of the beat.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from importlib import metadata
from pathlib import Path

import structlog
from redis.exceptions import RedisError

from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.redis import RedisClient, key
from atrium.monitor.schemas import NodeRead
from atrium.monitor.settings import MonitorSettings

log = structlog.get_logger(__name__)

LAG_PROBE_SECONDS = 0.5
MAX_NODES = 500
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def node_id() -> str:
    """``host:pid``: the name ops know a process by."""
    return f"{socket.gethostname()}:{os.getpid()}"


def version() -> str:
    try:
        return metadata.version("atrium")
    except metadata.PackageNotFoundError:
        return "unknown"


def rss_bytes() -> int:
    """The resident set now (``/proc``), else the peak the kernel reports."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def open_sockets() -> int:
    """Sockets this process holds open: clients, and its own store connections."""
    try:
        links = [str(entry.readlink()) for entry in Path("/proc/self/fd").iterdir()]
    except OSError:
        return 0
    return sum(1 for link in links if link.startswith("socket:"))


class CpuMeter:
    """CPU use of this process since the previous reading, in percent of one core."""

    def __init__(self) -> None:
        self._at, self._cpu = time.monotonic(), self._seconds()

    @staticmethod
    def _seconds() -> float:
        times = os.times()
        return times.user + times.system

    def percent(self) -> float:
        at, cpu = time.monotonic(), self._seconds()
        elapsed = at - self._at
        used = (cpu - self._cpu) / elapsed * 100 if elapsed > 0 else 0.0
        self._at, self._cpu = at, cpu
        return round(used, 1)


def index_key(settings: Settings) -> str:
    return key(settings.redis, "monitor", "nodes")


def node_key(settings: Settings, node: str) -> str:
    return key(settings.redis, "monitor", "node", node)


class Heartbeat:
    """This node's heartbeat: written every ``heartbeat_seconds``, deleted at shutdown."""

    def __init__(self, redis: RedisClient, settings: Settings, clients: Callable[[], int]) -> None:
        self.redis, self.settings, self._clients = redis, settings, clients
        self.group = settings.group(MonitorSettings)
        self.node = node_id()
        self.started_at = utcnow()
        self._cpu = CpuMeter()

    def describe(self, lag_ms: float) -> NodeRead:
        now = utcnow()
        return NodeRead(
            node_id=self.node,
            version=version(),
            started_at=self.started_at,
            uptime_seconds=round((now - self.started_at).total_seconds(), 1),
            cpu_percent=self._cpu.percent(),
            rss_bytes=rss_bytes(),
            open_sockets=open_sockets(),
            socket_clients=self._clients(),
            loop_lag_ms=round(lag_ms, 2),
            seen_at=now,
        )

    async def beat(self, lag_ms: float = 0.0) -> None:
        ttl = self.group.node_ttl_seconds
        expires = (utcnow() + timedelta(seconds=ttl)).timestamp()
        async with self.redis.pipeline(transaction=True) as pipe:
            body = self.describe(lag_ms).model_dump_json()
            pipe.set(node_key(self.settings, self.node), body, ex=ttl)
            pipe.zadd(index_key(self.settings), {self.node: expires})
            await pipe.execute()

    async def run(self) -> None:
        """Beat until cancelled; a failed write is logged and the next one tried."""
        while True:
            try:
                await self.beat(await self._lag_over(self.group.heartbeat_seconds))
            except RedisError as exc:
                log.warning("monitor_heartbeat_failed", error=repr(exc))

    async def _lag_over(self, seconds: float) -> float:
        """Sleep ``seconds`` in short steps; the worst lateness of a wake-up, in ms."""
        worst, deadline = 0.0, time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            step = min(LAG_PROBE_SECONDS, left)
            started = time.monotonic()
            await asyncio.sleep(step)
            worst = max(worst, time.monotonic() - started - step)
        return worst * 1000

    async def remove(self) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(node_key(self.settings, self.node))
            pipe.zrem(index_key(self.settings), self.node)
            await pipe.execute()


async def alive(redis: RedisClient, settings: Settings) -> list[NodeRead]:
    """Every node whose heartbeat has not expired, by node id."""
    now = utcnow().timestamp()
    index = index_key(settings)
    await redis.zremrangebyscore(index, "-inf", now)
    names = await redis.zrangebyscore(index, now, "+inf", start=0, num=MAX_NODES)
    if not names:
        return []
    found = await redis.mget([node_key(settings, str(name)) for name in names])
    return sorted(_parsed(found), key=lambda node: node.node_id)


def _parsed(values: list[str | None]) -> list[NodeRead]:
    nodes = []
    for value in values:
        if value is None:
            continue  # expired between the two reads
        try:
            nodes.append(NodeRead.model_validate(json.loads(value)))
        except ValueError:
            log.warning("monitor_heartbeat_unreadable")
    return nodes
