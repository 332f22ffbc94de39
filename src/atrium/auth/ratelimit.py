"""Login rate limits, a lockout an outsider cannot aim at the owner, and a per-account slow-down.

Everything that can lock a login out is keyed by the client address, so someone else's failures
never lock the owner out of their own address. The "address" is the client's bucket
(``client_bucket``): an IPv4 address as is, an IPv6 address by its /64 (one subscriber's prefix,
so the many addresses of one /64 share one bucket), an IPv4-mapped IPv6 address as its IPv4.

- Every attempt is counted per client address (``login_rate_per_address``) and per username *from
  that address* (``login_rate_per_username``), in moving windows (``core.ratelimit``); over
  either: 429 ``RATE_LIMITED``.
- Failed passwords are counted per (account, address) in ``auth:fail:{account}:{address}`` (the
  account is the user id, so the username and the email share one count; the lowercased name
  typed for unknown users). From the ``lockout_threshold``-th consecutive failure on, that pair is
  locked for ``lockout_base_seconds`` doubling with each further failure, capped at
  ``lockout_max_seconds`` (``auth:lock:{account}:{address}``): 429 ``AUTH_LOCKED``. A success
  from that address resets it.
- Failures are also counted per typed login name from every address (``auth:fails:{name}``,
  kept ``account_failure_window_seconds`` after the last one). Past
  ``account_slowdown_threshold`` of them, every attempt on that name waits
  ``account_slowdown_base_seconds``, doubling with each further failure up to
  ``account_slowdown_max_seconds``, before the password is checked: a distributed guesser is slowed
  down, the owner waits at most that long, and nobody is locked out by the count.

The slow-down is keyed by the name as typed (before any database lookup), so a waiting login holds
no database connection. Refusals carry ``Retry-After`` (seconds). Keys: ``{prefix}auth:limit:...``
(the library's), ``{prefix}auth:fail:...``, ``{prefix}auth:lock:...``, ``{prefix}auth:fails:...``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math

from limits import RateLimitItem

from atrium.auth.errors import AuthLocked
from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.backoff import Exponential
from atrium.core.errors import TooManyRequests
from atrium.core.ratelimit import RateLimiter, rate_limit
from atrium.core.redis import RedisClient, key

_USERNAME_KEY_LENGTH = 128
UNKNOWN_ADDRESS = "-"


def normalize_username(username: str) -> str:
    return username.strip().lower()[:_USERNAME_KEY_LENGTH]


# KEYS[1]: the name's "next slot" key; ARGV: delay (s), longest wait (s), key TTL (ms).
# Returns {wait, reserved}: the seconds until the slot and 1, or the seconds until the queue's
# last slot and 0 when that is beyond the longest wait (nothing reserved then).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local delay = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt) + delay
if slot - now > tonumber(ARGV[2]) then
  return {tostring(nxt - now), 0}
end
redis.call('SET', KEYS[1], tostring(slot), 'PX', ARGV[3])
return {tostring(slot - now), 1}
"""


def client_bucket(address: str | None) -> str:
    """The bucket limits and lockouts count a client address in: IPv4 as is, IPv6 by its /64,
    IPv4-mapped IPv6 as the IPv4 address; anything unparsable as given."""
    if not address:
        return UNKNOWN_ADDRESS
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _address(address: str | None) -> str:
    return client_bucket(address)


class LoginLimiter:
    """Counts login attempts and failures in Redis, shared by every node."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self._redis = redis
        self._settings = settings
        self._limiter = RateLimiter(redis, settings, "auth")
        self._per_username: RateLimitItem = rate_limit(
            settings.group(AuthSettings).login_rate_per_username
        )
        self._per_address: RateLimitItem = rate_limit(
            settings.group(AuthSettings).login_rate_per_address
        )
        self._reserve = redis.register_script(_RESERVE)

    async def hit(self, username: str, address: str | None) -> None:
        """Count one attempt; 429 ``RATE_LIMITED`` when the address, or the username from this
        address, is over its limit."""
        where = _address(address)
        if address:
            await self._check(self._per_address, "login-ip", where)
        await self._check(self._per_username, "login-user", normalize_username(username), where)

    async def _check(self, item: RateLimitItem, *identifiers: str) -> None:
        retry_after = await self._limiter.hit(item, *identifiers)
        if retry_after is not None:
            raise TooManyRequests(
                "Too many login attempts; retry later.",
                headers={"Retry-After": str(retry_after)},
            )

    async def slow_down(self, username: str) -> float:
        """Wait for this attempt's slot when the name is past its failure threshold; the seconds
        waited. 429 ``RATE_LIMITED`` when the slot is beyond the longest wait."""
        name = normalize_username(username)
        delay = self.delay_for(int(await self._redis.get(self._fails_key(name)) or 0))
        if delay <= 0:
            return 0.0
        longest = self._settings.group(AuthSettings).account_slowdown_max_wait_seconds
        ttl_ms = math.ceil((longest + delay) * 1000) + 1000
        result = await self._reserve(keys=[self._next_key(name)], args=[delay, longest, ttl_ms])
        wait, reserved = float(result[0]), int(result[1])
        if not reserved:
            raise TooManyRequests(
                "Too many login attempts on this account; retry later.",
                headers={"Retry-After": str(max(1, math.ceil(wait - longest + delay)))},
            )
        if wait > 0:
            await asyncio.sleep(wait)
        return max(wait, 0.0)

    def delay_for(self, failures: int) -> float:
        auth = self._settings.group(AuthSettings)
        slowdown = Exponential(
            auth.account_slowdown_base_seconds, auth.account_slowdown_max_seconds
        )
        return slowdown.delay(failures - auth.account_slowdown_threshold + 1)

    async def check_lockout(self, account: str, address: str | None) -> None:
        """429 ``AUTH_LOCKED`` while the account is locked out for this address."""
        ttl = await self._redis.ttl(self._lock_key(account, address))
        if ttl is not None and ttl > 0:
            raise AuthLocked(headers={"Retry-After": str(ttl)})

    async def record_failure(
        self, account: str, address: str | None, username: str | None = None
    ) -> None:
        """Count a wrong password: toward this pair's lockout, and the name's slow-down."""
        auth = self._settings.group(AuthSettings)
        fail_key = self._fail_key(account, address)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(fail_key)
            pipe.expire(fail_key, auth.lockout_max_seconds)
            if username is not None:
                fails_key = self._fails_key(normalize_username(username))
                pipe.incr(fails_key)
                pipe.expire(fails_key, auth.account_failure_window_seconds)
            failures = (await pipe.execute())[0]
        if failures >= auth.lockout_threshold:
            lockout = Exponential(auth.lockout_base_seconds, auth.lockout_max_seconds)
            seconds = int(lockout.delay(failures - auth.lockout_threshold + 1))
            await self._redis.set(self._lock_key(account, address), str(failures), ex=seconds)

    async def record_success(self, account: str, address: str | None) -> None:
        """Reset this pair's count; the name's slow-down count only fades with time."""
        await self._redis.delete(self._fail_key(account, address), self._lock_key(account, address))

    def _fail_key(self, account: str, address: str | None) -> str:
        return key(self._settings.redis, "auth", "fail", account, _address(address))

    def _lock_key(self, account: str, address: str | None) -> str:
        return key(self._settings.redis, "auth", "lock", account, _address(address))

    def _fails_key(self, name: str) -> str:
        return key(self._settings.redis, "auth", "fails", name)

    def _next_key(self, name: str) -> str:
        return key(self._settings.redis, "auth", "next", name)
