"""Background loops that talk to Redis stop when asked, even when the client swallows a cancel."""

from __future__ import annotations

import asyncio
import random

from atrium.config import RedisSettings
from atrium.core import cancel
from atrium.core.redis import create_redis

RENEW = "redis.call('set', KEYS[1], ARGV[1], 'PX', 2000) return 1"


async def test_a_renewing_loop_always_stops(services: dict[str, str]) -> None:
    """The shape of beat's lease keeper and the presence heartbeat, cancelled mid-command."""
    redis = create_redis(RedisSettings(url=services["ATRIUM_REDIS__URL"]))
    renewed = 0

    async def renew_forever() -> None:
        nonlocal renewed
        while True:
            try:
                await redis.eval(RENEW, 1, "test:cancel:key", "holder")  # type: ignore[misc]
                renewed += 1
            except Exception:  # noqa: S110 - the loop outlives errors, as the real ones do
                pass
            await asyncio.sleep(0)

    try:
        for _ in range(100):
            task = asyncio.create_task(renew_forever())
            await asyncio.sleep(random.random() * 0.01)
            assert await asyncio.wait_for(cancel.stop(task, every=0.05), timeout=5)
            assert task.done()
        assert renewed > 100  # the loops really were talking to Redis when cancelled
    finally:
        await redis.delete("test:cancel:key")
        await redis.aclose()


async def test_a_task_that_failed_is_reported_not_raised() -> None:
    async def fail() -> None:
        raise RuntimeError("boom")

    task = asyncio.create_task(fail())
    await asyncio.sleep(0)
    assert await cancel.stop(task)
    assert await cancel.stop(None)
