"""Rate limits on Redis through the ``limits`` library: one way of counting, shared by every node.

A ``RateLimiter`` counts hits in moving windows under its own key prefix. ``hit`` answers how many
seconds the caller must wait when it is over (``None`` when the hit is allowed), so each domain
raises its own error (with ``Retry-After``) in its own words. Limits are strings such as
``"30/minute"`` (``limits`` notation); ``rate_limit`` checks one when settings are read.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from atrium.config import Settings
from atrium.core.redis import RedisClient, key


def rate_limit(value: str) -> RateLimitItem:
    """Parse ``"N/period"`` (``ValueError`` on anything else)."""
    return parse(value)


class RateLimiter:
    """Moving-window counters in Redis, keyed ``{prefix}{namespace}:limit:...``."""

    def __init__(self, redis: RedisClient, settings: Settings, namespace: str) -> None:
        storage = RedisStorage(
            settings.redis.url,
            implementation="redispy",
            key_prefix=key(settings.redis, namespace, "limit"),
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]
        )
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, item: RateLimitItem, *identifiers: str) -> int | None:
        """Count one hit; ``None`` if allowed, else the seconds until one is (at least 1)."""
        if await self._limiter.hit(item, *identifiers):
            return None
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))
