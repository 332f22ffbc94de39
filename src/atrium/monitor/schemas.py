"""What the system monitor shows: one snapshot of every part, each part also on its own."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from atrium.core.schemas import Schema
from atrium.health.schemas import StoreCheck


class NodeRead(Schema):
    """One API node, as its last heartbeat described it."""

    node_id: str
    version: str
    started_at: datetime
    uptime_seconds: float
    cpu_percent: float
    rss_bytes: int
    open_sockets: int
    socket_clients: int
    loop_lag_ms: float
    seen_at: datetime


class WorkerRead(Schema):
    """A Celery worker that answered the last inspect."""

    name: str
    pid: int | None
    concurrency: int | None
    active: int
    reserved: int
    processed: int
    queues: list[str]


class QueueRead(Schema):
    """A broker queue and the messages waiting in it (None: the broker would not say)."""

    name: str
    depth: int | None


class WorkersRead(Schema):
    workers: list[WorkerRead]
    queues: list[QueueRead]
    checked_at: datetime


class DueTask(Schema):
    """A periodic task and when beat dispatches it next."""

    id: UUID
    name: str
    task: str
    next_run_at: datetime | None


class BeatRead(Schema):
    """The beat leader (None: no beat leads now) and what it dispatches next."""

    leader: str | None
    lease_expires_in_ms: int | None
    next_due: list[DueTask]


class PrefixCount(Schema):
    prefix: str
    keys: int


class RedisRead(Schema):
    """Redis memory (from ``INFO memory``) and the keys under the deployment's prefix."""

    used_memory_bytes: int
    peak_memory_bytes: int
    max_memory_bytes: int
    key_prefix: str
    prefixes: list[PrefixCount]
    scanned: int
    partial: bool


class Snapshot(Schema):
    """Everything at once (``beat`` is None when the scheduler domain is not configured)."""

    nodes: list[NodeRead]
    workers: WorkersRead
    beat: BeatRead | None
    stores: dict[str, StoreCheck]
    redis: RedisRead
    taken_at: datetime
