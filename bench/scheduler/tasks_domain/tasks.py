"""Trivial tasks: one Redis GET each, with a client created once per worker process."""

from __future__ import annotations

import os

import redis

from atrium.config import get_settings
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task

_sync: dict[int, redis.Redis] = {}


@task(name="bench.get_async")
async def get_async(name: str) -> str | None:
    state = await worker_state()
    value = await state.redis.get(name)
    return None if value is None else str(value)


@task(name="bench.get_sync")
def get_sync(name: str) -> str | None:
    client = _sync.get(os.getpid())
    if client is None:
        client = _sync[os.getpid()] = redis.Redis.from_url(
            get_settings().redis.url, decode_responses=True
        )
    value = client.get(name)
    return None if value is None else str(value)
