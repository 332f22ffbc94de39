"""The rate limits of the public account flows: per client address (its bucket, as for logins)
and per target (each email, login or username asked about, from any address). Over either: 429
``ACCOUNTS_RATE_LIMITED`` with ``Retry-After``. Both branches of every flow count alike, so a
limit says nothing about whether an account exists."""

from __future__ import annotations

from limits import RateLimitItem

from atrium.accounts.errors import AccountsRateLimited
from atrium.accounts.settings import AccountsSettings
from atrium.auth.ratelimit import client_bucket, normalize_username
from atrium.config import Settings
from atrium.core.ratelimit import RateLimiter, rate_limit
from atrium.core.redis import RedisClient
from atrium.core.state import StateKey


class AccountLimiter:
    """Moving windows in Redis under ``{prefix}accounts:limit:...``, shared by every node."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        accounts = settings.group(AccountsSettings)
        self._limiter = RateLimiter(redis, settings, "accounts")
        self._per_address: RateLimitItem = rate_limit(accounts.rate_per_address)
        self._per_target: RateLimitItem = rate_limit(accounts.rate_per_target)

    async def hit(self, flow: str, address: str | None, *targets: str) -> None:
        """Count one request of ``flow`` from ``address`` (and about each of ``targets``)."""
        await self._check(self._per_address, flow, "ip", client_bucket(address))
        for target in targets:
            await self._check(self._per_target, flow, "to", normalize_username(target))

    async def _check(self, item: RateLimitItem, *identifiers: str) -> None:
        retry_after = await self._limiter.hit(item, *identifiers)
        if retry_after is not None:
            raise AccountsRateLimited(headers={"Retry-After": str(retry_after)})


LIMITER: StateKey[AccountLimiter] = StateKey("accounts.limiter")
