"""The snapshot: every part read at once, the expensive ones reused for ``cache_seconds``.

Nodes are read on every call (two Redis commands); workers, queues, beat, stores and Redis are
cached per node, so a dashboard polled by many admins costs one inspect per node per period.
"""

from __future__ import annotations

import asyncio

from celery import Celery

from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.core.worker.app import CELERY
from atrium.health import service as health_service
from atrium.health.schemas import StoreCheck
from atrium.monitor import nodes, redisinfo, workers
from atrium.monitor.cache import Fresh
from atrium.monitor.schemas import BeatRead, DueTask, NodeRead, RedisRead, Snapshot, WorkersRead
from atrium.monitor.settings import MonitorSettings

SCHEDULER_DOMAIN = "atrium.scheduler"


class Monitor:
    """Reads every part of the system for one API node."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.group = state.settings.group(MonitorSettings)
        seconds = self.group.cache_seconds
        self.workers = Fresh(seconds, self._workers)
        self.beat = Fresh(seconds, self._beat)
        self.stores = Fresh(seconds, self._stores)
        self.redis = Fresh(seconds, self._redis)

    async def nodes(self) -> list[NodeRead]:
        return await nodes.alive(self.state.redis, self.state.settings)

    async def snapshot(self) -> Snapshot:
        found = await asyncio.gather(
            self.nodes(), self.workers.get(), self.beat.get(), self.stores.get(), self.redis.get()
        )
        listed, working, beat, stores, redis = found
        return Snapshot(
            nodes=listed, workers=working, beat=beat, stores=stores, redis=redis, taken_at=utcnow()
        )

    async def _workers(self) -> WorkersRead:
        app: Celery = self.state.get(CELERY)
        queue = self.state.settings.celery.default_queue
        return await workers.read(app, queue, self.group.inspect_timeout_seconds)

    async def _beat(self) -> BeatRead | None:
        if SCHEDULER_DOMAIN not in self.state.settings.domains:
            return None
        # Imported here: the monitor runs without the scheduler domain configured.
        from atrium.scheduler import service as scheduler_service
        from atrium.scheduler.lease import current_leader, lease_key

        leader, ttl_ms = await current_leader(self.state.redis, lease_key(self.state.settings))
        async with self.state.db.session() as session:
            due = await scheduler_service.next_due(
                session, self.state.get(CELERY), self.group.next_due_count
            )
        listed = [DueTask.model_validate(task, from_attributes=True) for task in due]
        return BeatRead(leader=leader, lease_expires_in_ms=ttl_ms, next_due=listed)

    async def _stores(self) -> dict[str, StoreCheck]:
        return await health_service.measure_all(health_service.store_pings(self.state))

    async def _redis(self) -> RedisRead:
        prefix = self.state.settings.redis.key_prefix
        return await redisinfo.read(self.state.redis, prefix, self.group.scan_limit)
