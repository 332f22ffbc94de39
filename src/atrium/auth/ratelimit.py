"""Login rate limits (the ``limits`` library on Redis) and a progressive lockout.

- Every login attempt is counted per client address and per username (moving windows,
  ``login_rate_per_address`` / ``login_rate_per_username``); over either: 429 ``RATE_LIMITED``.
- Failed passwords are counted per account in ``auth:fail:{account}`` (the user id, so the
  username and the email share one count; the lowercased name typed for unknown users); from
  the ``lockout_threshold``-th consecutive failure on, the account is locked for
  ``lockout_base_seconds`` doubling with each further failure, capped at
  ``lockout_max_seconds`` (``auth:lock:{account}``): 429 ``AUTH_LOCKED``. A success resets it.

Both answers carry ``Retry-After`` (seconds). Keys: ``{prefix}auth:limit:...`` (the library's),
``{prefix}auth:fail:{account}`` and ``{prefix}auth:lock:{account}``.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from atrium.config import Settings
from atrium.core.errors import TooManyRequests
from atrium.core.redis import RedisClient, key

_USERNAME_KEY_LENGTH = 128


def normalize_username(username: str) -> str:
    return username.strip().lower()[:_USERNAME_KEY_LENGTH]


class LoginLimiter:
    """Counts login attempts and failures in Redis, shared by every node."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self._redis = redis
        self._settings = settings
        storage = RedisStorage(
            settings.redis.url,
            implementation="redispy",
            key_prefix=key(settings.redis, "auth", "limit"),
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_username: RateLimitItem = parse(settings.auth.login_rate_per_username)
        self._per_address: RateLimitItem = parse(settings.auth.login_rate_per_address)

    async def hit(self, username: str, address: str | None) -> None:
        """Count one attempt; 429 ``RATE_LIMITED`` when the address or username is over."""
        if address and not await self._limiter.hit(self._per_address, "login-ip", address):
            await self._refuse(self._per_address, "login-ip", address)
        name = normalize_username(username)
        if not await self._limiter.hit(self._per_username, "login-user", name):
            await self._refuse(self._per_username, "login-user", name)

    async def _refuse(self, item: RateLimitItem, *identifiers: str) -> None:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            "Too many login attempts; retry later.",
            code="RATE_LIMITED",
            headers={"Retry-After": str(retry_after)},
        )

    async def check_lockout(self, account: str) -> None:
        """429 ``AUTH_LOCKED`` while the account is locked out."""
        ttl = await self._redis.ttl(self._lock_key(account))
        if ttl is not None and ttl > 0:
            raise TooManyRequests(
                "Too many failed logins for this account; retry later.",
                code="AUTH_LOCKED",
                headers={"Retry-After": str(ttl)},
            )

    async def record_failure(self, account: str) -> None:
        auth = self._settings.auth
        fail_key = self._fail_key(account)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(fail_key)
            pipe.expire(fail_key, auth.lockout_max_seconds)
            failures, _ = await pipe.execute()
        if failures >= auth.lockout_threshold:
            doublings = min(failures - auth.lockout_threshold, 32)
            seconds = min(auth.lockout_base_seconds * 2**doublings, auth.lockout_max_seconds)
            await self._redis.set(self._lock_key(account), str(failures), ex=seconds)

    async def record_success(self, account: str) -> None:
        await self._redis.delete(self._fail_key(account), self._lock_key(account))

    def _fail_key(self, account: str) -> str:
        return key(self._settings.redis, "auth", "fail", account)

    def _lock_key(self, account: str) -> str:
        return key(self._settings.redis, "auth", "lock", account)
