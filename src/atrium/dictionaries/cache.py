"""The frontend's read of dictionaries: in process, then Redis, then SQL; honest across nodes.

A node keeps ``code -> dictionary`` in memory (``LeasedCache``: no network when warm), unknown
codes included (so a typo does not query SQL on every request). Behind it, Redis keeps what any
node read from SQL, in a hash per *version* of the dictionaries: ``{prefix}dictionaries:data:V``.

A commit that changes a type or an item (``propagation``) increments the version (every later
read uses a new, empty hash: a read that raced the change can only have written to the old one,
which expires) and then tells every node to forget what it holds, waiting for each to
acknowledge (``atrium.core.invalidation``). So once a change is reported done, the very next
read on any node answers the new values.

Without Redis a read goes to SQL (dictionaries are worth serving without the cache); the
in-process cache is off while its invalidation subscription is down, as every such cache is.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import cast

import structlog
from redis.exceptions import RedisError

from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.invalidation import publish_acked
from atrium.core.leasedcache import LeasedCache
from atrium.core.redis import RedisClient, key
from atrium.dictionaries import service
from atrium.dictionaries.schemas import DictionaryData
from atrium.dictionaries.settings import DictionarySettings

log = structlog.get_logger(__name__)

CHANGED = "dictionaries_changed"


@dataclass(frozen=True, slots=True)
class Cached:
    """A code's answer: its dictionary, or None for no enabled dictionary of that code."""

    data: DictionaryData | None


class DictionaryCache(LeasedCache[str, Cached]):
    """``code -> Cached`` for a short lease; any change forgets everything (changes are rare)."""


def channel(settings: Settings) -> str:
    """``{prefix}atrium:dictionaries:invalidations``: every API node listens, and acknowledges."""
    return key(settings.redis, "atrium", "dictionaries", "invalidations")


def version_key(settings: Settings) -> str:
    return key(settings.redis, "dictionaries", "version")


def data_key(settings: Settings, version: str) -> str:
    return key(settings.redis, "dictionaries", "data", version)


async def announce(redis: RedisClient, settings: Settings) -> None:
    """A new version for every reader, then every node's memory emptied (acknowledged)."""
    await redis.incr(version_key(settings))
    await publish_acked(
        redis,
        channel(settings),
        key(settings.redis, "dictionaries", "ack", ""),
        {"type": CHANGED},
        settings.group(AuthSettings).revocation_ack_timeout_seconds,
    )


class DictionaryReader:
    """Reads dictionaries by code through the two caches."""

    def __init__(
        self, cache: DictionaryCache, redis: RedisClient, db: Database, settings: Settings
    ) -> None:
        self.cache = cache
        self.redis = redis
        self.db = db
        self.settings = settings
        self.ttl = settings.group(DictionarySettings).redis_ttl_seconds

    async def read(self, codes: Sequence[str]) -> dict[str, DictionaryData]:
        """The enabled dictionaries among ``codes``, in the order asked (unknown ones left out)."""
        generation = self.cache.generation
        answers: dict[str, Cached] = {}
        missing: list[str] = []
        for code in dict.fromkeys(codes):
            hit = self.cache.get(code)
            if hit is None:
                missing.append(code)
            else:
                answers[code] = hit
        if missing:
            fetched = await self._fetch(missing)
            for code in missing:
                answers[code] = fetched[code]
                self.cache.remember(code, fetched[code], generation)
        return {code: found.data for code, found in answers.items() if found.data is not None}

    async def _fetch(self, codes: list[str]) -> dict[str, Cached]:
        try:
            return await self._through_redis(codes)
        except RedisError:
            log.warning("dictionaries_redis_unavailable", codes=len(codes))
            return await self._from_sql(codes)

    async def _through_redis(self, codes: list[str]) -> dict[str, Cached]:
        version = await self.redis.get(version_key(self.settings)) or "0"
        hash_key = data_key(self.settings, str(version))
        stored = await cast(Awaitable[list[str | None]], self.redis.hmget(hash_key, codes))
        found: dict[str, Cached] = {}
        for code, text in zip(codes, stored, strict=True):
            parsed = _parsed(text)
            if parsed is not None:
                found[code] = parsed
        unread = [code for code in codes if code not in found]
        if unread:
            loaded = await self._from_sql(unread)
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.hset(hash_key, mapping={code: _text(loaded[code]) for code in unread})
                pipe.expire(hash_key, self.ttl)
                await pipe.execute()
            found.update(loaded)
        return found

    async def _from_sql(self, codes: list[str]) -> dict[str, Cached]:
        async with self.db.session() as session:
            loaded = await service.load_data(session, codes)
        return {code: Cached(loaded.get(code)) for code in codes}


def _text(found: Cached) -> str:
    return "null" if found.data is None else found.data.model_dump_json(by_alias=True)


def _parsed(text: str | None) -> Cached | None:
    """What Redis held for a code; None when it held nothing usable (read SQL again)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
        return Cached(None if value is None else DictionaryData.model_validate(value))
    except ValueError:  # not ours (JSON or validation error): overwritten from SQL
        return None
