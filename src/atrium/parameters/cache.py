"""Parameters as every node reads them: in process, then SQL; honest across nodes.

A node keeps the overrides (every parameter holding a value, decoded) in memory as one snapshot
(``LeasedCache``: no network when warm). The table is small and read whole, so a miss is one
query and there is no Redis copy to keep in step: misses happen only after a change or when the
lease ends.

A commit that changes a parameter (``propagation``) tells every node to forget the snapshot and
waits for each to acknowledge (``atrium.core.invalidation``). So once a change is reported done,
the very next read on any node answers the new value. The in-process cache is off while its
invalidation subscription is down (and in a worker, which has none): every read is then SQL's.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.invalidation import publish_acked
from atrium.core.leasedcache import LeasedCache
from atrium.core.redis import RedisClient, key
from atrium.parameters import service

CHANGED = "parameters_changed"
SNAPSHOT = "overrides"


class ParameterCache(LeasedCache[str, Mapping[str, JsonValue]]):
    """The overrides snapshot for a short lease; any change forgets it."""


def channel(settings: Settings) -> str:
    """``{prefix}atrium:parameters:invalidations``: every API node listens, and acknowledges."""
    return key(settings.redis, "atrium", "parameters", "invalidations")


async def announce(redis: RedisClient, settings: Settings) -> None:
    """Every node's snapshot forgotten (acknowledged)."""
    await publish_acked(
        redis,
        channel(settings),
        key(settings.redis, "parameters", "ack", ""),
        {"type": CHANGED},
        settings.group(AuthSettings).revocation_ack_timeout_seconds,
    )


class OverrideReader:
    """The overrides, from the snapshot or SQL (concurrent misses share one query)."""

    def __init__(self, cache: ParameterCache, db: Database) -> None:
        self.cache = cache
        self.db = db

    async def read(self) -> Mapping[str, JsonValue]:
        return await self.cache.get_or_fetch(SNAPSHOT, self._load)

    async def _load(self) -> tuple[Mapping[str, JsonValue], bool]:
        async with self.db.session() as session:
            return await service.load_overrides(session), True
