"""Stopping a background task for sure.

redis-py's asyncio client (6.4, with a socket timeout set, as ``core.redis`` does) sometimes
swallows a cancellation that arrives while a command waits for its reply: a loop that renews a
key loses about one cancel in four here. A background loop written to outlive errors then runs
on, and whoever awaits it waits forever: a beat that has closed but still renews its lease, an
API node whose shutdown never ends. :func:`stop` cancels again until the task has ended.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

log = structlog.get_logger(__name__)


async def stop(task: asyncio.Task[Any] | None, every: float = 0.2, attempts: int = 50) -> bool:
    """Cancel ``task`` and wait until it ends, cancelling again every ``every`` seconds.

    Returns whether it ended (it always has unless it ignored ``attempts`` cancellations, which
    is logged). What it raised besides the cancellation is logged, not raised.
    """
    if task is None:
        return True
    for _ in range(attempts):
        if task.done():
            break
        task.cancel()
        await asyncio.wait({task}, timeout=every)
    if not task.done():
        log.error("task_ignored_cancellation", task=task.get_name(), attempts=attempts)
        return False
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("task_failed_before_stopping", task=task.get_name(), error=repr(error))
    return True
