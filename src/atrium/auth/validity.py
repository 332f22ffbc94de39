"""Session validity on the hot path: an in-process cache kept honest by Redis pub/sub.

A warm request checks its session in a dict (no network). Every revocation goes through
``announce``: it publishes an invalidation on ``atrium:auth:invalidations`` and waits until
every subscribed node has applied it and acknowledged (``atrium.core.invalidation``), and only
then publishes the public event on ``atrium:auth:events`` (for realtime) and returns. So when
a revocation is reported done, no node will accept the revoked session again.

Safety nets (``atrium.core.leasedcache``): entries expire after ``session_cache_seconds``; a
fill that raced with an invalidation is dropped (generation counter); the cache is flushed on
every (re)subscribe and serves nothing while the subscription is down or silent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from atrium.auth.sessions import SessionValidity
from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.invalidation import AckedListener, publish_acked
from atrium.core.leasedcache import LeasedCache
from atrium.core.redis import RedisClient, key

SESSION_REVOKED = "session_revoked"
USER_SESSIONS_REVOKED = "user_sessions_revoked"


def events_channel(settings: Settings) -> str:
    """The public channel realtime listens on: ``{prefix}atrium:auth:events``."""
    return key(settings.redis, "atrium", "auth", "events")


def invalidations_channel(settings: Settings) -> str:
    """The acknowledged channel API nodes listen on: ``{prefix}atrium:auth:invalidations``."""
    return key(settings.redis, "atrium", "auth", "invalidations")


class SessionCache(LeasedCache[str, SessionValidity]):
    """``session id -> validity`` for a short lease, dropped on any matching invalidation."""

    def __init__(self, lease_seconds: float) -> None:
        super().__init__(lease_seconds, group=_owner)

    def apply(self, event: Mapping[str, Any]) -> None:
        """Drop what an invalidation event names (everything, for an unknown event)."""
        kind = event.get("type")
        if kind == SESSION_REVOKED:
            self.invalidate([str(event.get("sessionId"))])
        elif kind == USER_SESSIONS_REVOKED:
            self._revoke_user(event.get("userId"), event.get("exceptSessionId"))
        else:
            self.flush()

    def _revoke_user(self, user_id: object, except_session: object) -> None:
        keep = except_session if isinstance(except_session, str) else None
        try:
            self.invalidate_group(UUID(str(user_id)), keep=keep)
        except ValueError:  # not a user id: forget everyone rather than guess
            self.flush()


def _owner(validity: SessionValidity) -> UUID:
    return validity.user_id


def invalidation_listener(
    redis: RedisClient, settings: Settings, cache: SessionCache
) -> AckedListener:
    """The background task that applies (and acknowledges) invalidations to ``cache``."""
    return AckedListener(redis, invalidations_channel(settings), cache)


async def announce(redis: RedisClient, settings: Settings, event: Mapping[str, str | None]) -> None:
    """Make every node forget what ``event`` revokes, then tell realtime.

    Returns once every node subscribed to invalidations has acknowledged, or after
    ``revocation_ack_timeout_seconds`` (logged: a node that slow falls back on its lease).
    """
    await publish_acked(
        redis,
        invalidations_channel(settings),
        key(settings.redis, "auth", "ack", ""),
        event,
        settings.group(AuthSettings).revocation_ack_timeout_seconds,
    )
    await redis.publish(events_channel(settings), json.dumps(dict(event)))
