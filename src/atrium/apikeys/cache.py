"""Verified keys on the hot path: an in-process cache kept honest by acknowledged pub/sub.

A warm request with a key finds its record here (no network): ``key string -> KeyRecord``, the
exact string a request presented and that matched the stored hash, so nothing is hashed or read
again. A revocation or deletion commits, then ``announce`` publishes it on
``{prefix}atrium:apikeys:invalidations`` and waits until every node subscribed has dropped the
key and acknowledged (``atrium.core.invalidation``): when the API answers, no node accepts the
key again. Expiry is checked on every request against the record; the owner's status and grants
are RBAC's, read on every request from its own (invalidated) cache.

The safety nets are ``LeasedCache``'s: a lease (``apikeys.cache_seconds``), no answers while the
subscription is down or silent, a flush on every (re)subscribe, and a generation that drops a
fill which raced an invalidation. A change made in SQL by hand is seen when the lease ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from atrium.apikeys.scope import KeyScope
from atrium.auth.principal import Principal
from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.invalidation import publish_acked
from atrium.core.leasedcache import LeasedCache
from atrium.core.redis import RedisClient, key

KEYS_REVOKED = "apikeys_revoked"


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What the guard needs of a key: whose it is, its scope, its expiry (Unix seconds), and the
    principal it authenticates as (made once)."""

    id: UUID
    user_id: UUID
    scope: KeyScope
    expires_at: float | None
    principal: Principal


def _key_id(record: KeyRecord) -> UUID:
    return record.id


class VerifiedKeys(LeasedCache[str, KeyRecord]):
    """``key string -> KeyRecord`` for a short lease, grouped by key id."""

    def __init__(self, lease_seconds: float) -> None:
        super().__init__(lease_seconds, group=_key_id)

    def apply(self, event: Mapping[str, Any]) -> None:
        """Drop the keys an event names (everything, for any other event)."""
        key_ids = event.get("keyIds")
        if event.get("type") != KEYS_REVOKED or not isinstance(key_ids, list):
            self.flush()
            return
        try:
            ids = [UUID(str(key_id)) for key_id in key_ids]
        except ValueError:
            self.flush()
            return
        for key_id in ids:
            self.invalidate_group(key_id)


def channel(settings: Settings) -> str:
    """``{prefix}atrium:apikeys:invalidations``: every API node listens, and acknowledges."""
    return key(settings.redis, "atrium", "apikeys", "invalidations")


async def announce(redis: RedisClient, settings: Settings, key_ids: Iterable[UUID]) -> None:
    """Make every node forget these keys; returns once all have acknowledged (or after
    ``auth.revocation_ack_timeout_seconds``, logged: that node falls back on its lease)."""
    event = {"type": KEYS_REVOKED, "keyIds": sorted(str(key_id) for key_id in key_ids)}
    await publish_acked(
        redis,
        channel(settings),
        key(settings.redis, "apikeys", "ack", ""),
        event,
        settings.group(AuthSettings).revocation_ack_timeout_seconds,
    )
