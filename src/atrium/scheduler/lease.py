"""The beat leader lease in Redis: one beat dispatches; it renews, and steps down if it cannot.

The holder counts its lease from *before* each renewal request and keeps a safety margin, so it
stops dispatching before another beat can acquire the key. A lost lease is not an error: the beat
goes on following changes as a standby and tries again. The run ledger still makes a double
dispatch impossible if two beats ever believe they lead.
"""

from __future__ import annotations

import time

from atrium.config import Settings
from atrium.core.redis import RedisClient, key

_ACQUIRE_OR_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
SAFETY = 0.8  # trust a lease for 80% of its time to live


class LeaderLease:
    def __init__(self, redis: RedisClient, key: str, holder: str, ttl_seconds: float) -> None:
        self.redis = redis
        self.key = key
        self.holder = holder
        self.ttl_ms = int(ttl_seconds * 1000)
        self.valid_until = 0.0

    @property
    def held(self) -> bool:
        return time.monotonic() < self.valid_until

    @property
    def renew_every(self) -> float:
        return self.ttl_ms / 1000 / 3

    async def refresh(self) -> bool:
        """Acquire or renew; False (and not leading) if another beat holds it or Redis failed."""
        started = time.monotonic()
        try:
            got = await self.redis.eval(  # type: ignore[misc]
                _ACQUIRE_OR_RENEW, 1, self.key, self.holder, str(self.ttl_ms)
            )
        except Exception:
            self.valid_until = 0.0
            raise
        self.valid_until = started + self.ttl_ms / 1000 * SAFETY if got == 1 else 0.0
        return bool(got == 1)

    async def release(self) -> None:
        self.valid_until = 0.0
        await self.redis.eval(_RELEASE, 1, self.key, self.holder)  # type: ignore[misc]


def lease_key(settings: Settings) -> str:
    """The Redis key every beat of this deployment competes for."""
    return key(settings.redis, "scheduler", "beat", "leader")


async def current_leader(redis: RedisClient, lease: str) -> tuple[str | None, int | None]:
    """Who holds the lease now and for how many more milliseconds (``(None, None)``: nobody)."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(lease)
        pipe.pttl(lease)
        holder, ttl_ms = await pipe.execute()
    if holder is None:
        return None, None
    name = holder.decode() if isinstance(holder, bytes) else str(holder)
    return name, int(ttl_ms) if int(ttl_ms) >= 0 else None
