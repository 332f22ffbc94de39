"""Tasks the worker and beat tests run in real worker processes."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any

import redis

from atrium.core.redis import key
from atrium.core.worker.loop import process_loop
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import bound_task, task

_sync_clients: dict[int, redis.Redis] = {}


async def _record(entry: dict[str, Any]) -> None:
    state = await worker_state()
    await state.redis.rpush(key(state.settings.redis, "records"), json.dumps(entry))  # type: ignore[misc]


@task(name="tests.record", schedulable=True)
async def record(tag: str = "") -> str:
    """Append who ran it (pid, loop, thread) to a Redis list."""
    entry = {
        "tag": tag,
        "pid": os.getpid(),
        "loop": id(asyncio.get_running_loop()),
        "thread": threading.current_thread().name,
        "driver": process_loop().driver,
        "errors": process_loop().errors,
    }
    await _record(entry)
    return tag


@task(name="tests.redis_get")
async def redis_get(name: str) -> str | None:
    """One GET with the process's async client (created once per process)."""
    state = await worker_state()
    value: str | None = await state.redis.get(name)
    return value


@task(name="tests.redis_get_sync")
def redis_get_sync(name: str) -> str | None:
    """One GET with a sync client created once per process."""
    client = _sync_clients.get(os.getpid())
    if client is None:
        from atrium.config import get_settings

        client = _sync_clients[os.getpid()] = redis.Redis.from_url(
            get_settings().redis.url, decode_responses=True
        )
    value = client.get(name)
    return None if value is None else str(value)


@bound_task(name="tests.flaky", max_retries=3, default_retry_delay=0.1)
async def flaky(self: Any, name: str, fail_times: int) -> int:
    """Fail ``fail_times`` times (counted in Redis), retrying through Celery, then succeed."""
    state = await worker_state()
    attempts = int(await state.redis.incr(name))
    if attempts <= fail_times:
        raise self.retry(exc=RuntimeError(f"attempt {attempts}"), countdown=0.1)
    return attempts


@bound_task(name="tests.request_id")
async def request_id(self: Any) -> str:
    """The Celery request's id, read inside the coroutine."""
    await asyncio.sleep(0)
    return str(self.request.id)


@task(name="tests.sleepy", soft_time_limit=1)
async def sleepy(name: str, seconds: float) -> str:
    """Sleep; on cancellation (soft time limit) note it in Redis."""
    state = await worker_state()
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        await state.redis.set(name, "cancelled")
        raise
    return "slept"


@task(name="tests.boom")
async def boom() -> None:
    """Always fails."""
    raise ValueError("boom on purpose")


@task(name="tests.thread_name")
def thread_name() -> str:
    return threading.current_thread().name


@task(name="tests.async_thread_name")
async def async_thread_name() -> str:
    await asyncio.sleep(0)
    return threading.current_thread().name


@task(name="tests.nap_sync")
def nap_sync(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


@task(name="tests.unschedulable")
async def unschedulable(tag: str = "") -> str:
    """Like ``tests.record``, but never opted in to scheduling: beat must skip its rows."""
    await _record({"tag": tag, "task": "tests.unschedulable"})
    return tag


@task(name="tests.fail", schedulable=True)
async def fail(reason: str = "failed on purpose") -> None:
    """Always fails, from a schedule or "run now" (its error lands in the run history)."""
    raise RuntimeError(reason)
