"""Celery workers and queues, asked through Celery's own remote control and broker client.

A worker is listed because it answered ``inspect`` within the timeout: one that was killed stops
answering and drops out of the next reading, with no worker-side bookkeeping to go stale (a
heartbeat key written by the worker would say the same thing a few seconds later, and would
need code in every worker process). The four inspect calls run at once, each in a thread,
so they cost one timeout and never block the event loop.

Queue depth is the broker's own count from a passive ``queue_declare`` (Redis: the length of
the queue's lists, priorities included; RabbitMQ: the ready messages, unacknowledged ones not
counted). A queue the broker does not know holds nothing (0); None means the broker failed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from celery import Celery
from kombu.exceptions import ChannelError

from atrium.core.clock import utcnow
from atrium.monitor.schemas import QueueRead, WorkerRead, WorkersRead

log = structlog.get_logger(__name__)

Replies = dict[str, Any]
INSPECTED = ("stats", "active", "reserved", "active_queues")


def _ask(app: Celery, method: str, timeout: float) -> Replies:
    try:
        replies = getattr(app.control.inspect(timeout=timeout), method)()
    except Exception as exc:  # a broker that is down: no worker answers
        log.warning("monitor_inspect_failed", method=method, error=repr(exc))
        return {}
    return replies if isinstance(replies, dict) else {}


def _worker(name: str, replies: dict[str, Replies]) -> WorkerRead:
    stats = replies["stats"].get(name) or {}
    queues = replies["active_queues"].get(name) or []
    return WorkerRead(
        name=name,
        pid=stats.get("pid"),
        concurrency=(stats.get("pool") or {}).get("max-concurrency"),
        active=len(replies["active"].get(name) or []),
        reserved=len(replies["reserved"].get(name) or []),
        processed=sum((stats.get("total") or {}).values()),
        queues=sorted(str(queue.get("name")) for queue in queues if isinstance(queue, dict)),
    )


def _depths(app: Celery, names: list[str]) -> list[QueueRead]:
    found = []
    try:
        with app.connection_for_write() as connection:
            for name in names:
                found.append(QueueRead(name=name, depth=_depth(connection, name)))
    except Exception as exc:
        log.warning("monitor_queue_depth_failed", error=repr(exc))
        return [QueueRead(name=name, depth=None) for name in names]
    return found


def _depth(connection: Any, name: str) -> int:
    channel = connection.channel()
    try:
        return int(channel.queue_declare(queue=name, passive=True).message_count)
    except ChannelError:
        return 0
    finally:
        channel.close()


async def read(app: Celery, default_queue: str, wait_seconds: float) -> WorkersRead:
    """Every worker that answers now, and the depth of every queue they (or the app) use."""
    asked = [asyncio.to_thread(_ask, app, method, wait_seconds) for method in INSPECTED]
    replies = dict(zip(INSPECTED, await asyncio.gather(*asked), strict=True))
    names = sorted(set().union(*(set(reply) for reply in replies.values())))
    workers = [_worker(name, replies) for name in names]
    queues = sorted({default_queue, *(queue for worker in workers for queue in worker.queues)})
    depths = await asyncio.to_thread(_depths, app, queues)
    return WorkersRead(workers=workers, queues=depths, checked_at=utcnow())
